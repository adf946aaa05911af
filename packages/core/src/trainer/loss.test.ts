import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { isCoreError } from '../errors.ts';
import {
  behaviourCloningLoss,
  clippedSurrogate,
  cwrpoLoss,
  entropyBonus,
  importanceWeightedDemoLoss,
  klToReference,
  reinforceLoss,
  type CwrpoLossConfig,
} from './loss.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const value = (t: tf.Tensor): number => t.dataSync()[0] as number;
const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());
const t2 = (rows: number[][]): tf.Tensor2D => tf.tensor2d(rows);
const t1 = (xs: number[]): tf.Tensor1D => tf.tensor1d(xs);
const { log } = Math;
const expectClose = (actual: number[], expected: number[], digits = 5): void => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i] as number, digits));
};
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return isCoreError(error) ? error.code : 'not a CoreError';
  }
  return undefined;
};

/** log-probs whose ratio to `old` is `ratios` (one trajectory). */
const withRatios = (old: number, ratios: number[]): tf.Tensor2D => t2([ratios.map((r) => old + log(r))]);

describe('clippedSurrogate', () => {
  it('gives −mean(Â) when the ratio is 1', () => {
    const logProbs = t2([[-1, -2], [-0.5, -0.5]]);
    // ℓ = −Â per decision: trajectory means −1 and 3 → (−1 + 3)/2 = 1 = −mean([1, −3])
    const out = clippedSurrogate({ logProbs, oldLogProbs: logProbs, advantages: t1([1, -3]), mask: t2([[1, 1], [1, 1]]), clipEpsilon: 0.2 });
    expect(value(out.policyLoss)).toBeCloseTo(1, 6);
    expect(value(out.clipFrac)).toBe(0);
    expect(value(out.approxKlOld)).toBeCloseTo(0, 6);
  });

  it('clips above 1 + ε for a positive advantage, and its gradient vanishes there', () => {
    // Â = 2, ε = 0.2, ρ = (1.5, 1.1, 0.5):
    //   min(3.0, 2.4) = 2.4 (clipped) · min(2.2, 2.2) = 2.2 · min(1.0, 1.6) = 1.0 (below 1 − ε but Â > 0: unclipped)
    //   L = −(2.4 + 2.2 + 1.0)/3 = −1.866667; clipFrac = 2/3 (|ρ − 1| > 0.2 for 1.5 and 0.5)
    //   approxKl = ((0.5 − ln 1.5) + (0.1 − ln 1.1) + (−0.5 − ln 0.5))/3 = (0.0945349 + 0.0046898 + 0.1931472)/3 = 0.0974573
    //   ∂L/∂logπ_t = −ρ_t·Â/3 where unclipped: (0, −0.733333, −0.333333)
    const old = t2([[-1, -1, -1]]);
    const logProbs = withRatios(-1, [1.5, 1.1, 0.5]);
    const input = { oldLogProbs: old, advantages: t1([2]), mask: t2([[1, 1, 1]]), clipEpsilon: 0.2 };
    const out = clippedSurrogate({ ...input, logProbs });
    expect(value(out.policyLoss)).toBeCloseTo(-1.866667, 5);
    expect(value(out.clipFrac)).toBeCloseTo(2 / 3, 6);
    expect(value(out.approxKlOld)).toBeCloseTo(0.0974573, 5);
    const grad = tf.grad((lp: tf.Tensor) => clippedSurrogate({ ...input, logProbs: lp }).policyLoss)(logProbs);
    expectClose(values(grad), [0, -0.733333, -0.333333]);
  });

  it('clips below 1 − ε for a negative advantage, and keeps the pessimistic unclipped term above 1 + ε', () => {
    // Â = −1, ρ = (0.5, 0.9, 1.5):
    //   min(−0.5, −0.8) = −0.8 (clipped) · min(−0.9, −0.9) = −0.9 · min(−1.5, −1.2) = −1.5 (unclipped)
    //   L = (0.8 + 0.9 + 1.5)/3 = 1.066667; ∂L/∂logπ_t = −ρ_t·Â/3: (0, 0.3, 0.5)
    const old = t2([[-2, -2, -2]]);
    const logProbs = withRatios(-2, [0.5, 0.9, 1.5]);
    const input = { oldLogProbs: old, advantages: t1([-1]), mask: t2([[1, 1, 1]]), clipEpsilon: 0.2 };
    expect(value(clippedSurrogate({ ...input, logProbs }).policyLoss)).toBeCloseTo(1.066667, 5);
    const grad = tf.grad((lp: tf.Tensor) => clippedSurrogate({ ...input, logProbs: lp }).policyLoss)(logProbs);
    expectClose(values(grad), [0, 0.3, 0.5]);
  });

  it('averages per trajectory first, then over trajectories', () => {
    // trajectory 1: one decision, Â = 1 → −1; trajectory 2: three decisions, Â = −1 → mean 1.
    // Per-trajectory mean: (−1 + 1)/2 = 0. A flat mean over the 4 decisions would give (−1 + 3)/4 = 0.5.
    const logProbs = t2([[-1, 0, 0], [-1, -1, -1]]);
    const out = clippedSurrogate({ logProbs, oldLogProbs: logProbs, advantages: t1([1, -1]), mask: t2([[1, 0, 0], [1, 1, 1]]), clipEpsilon: 0.2 });
    expect(value(out.policyLoss)).toBeCloseTo(0, 6);
  });

  it('excludes padded decisions and environment feedback through the mask, in value and gradient', () => {
    // trajectory 1: [decision, decision, padding = −∞]; trajectory 2: [decision, feedback with a wild ratio, decision];
    // trajectory 3: no policy decision at all (must not dilute the mean). Masked ratios are 1 → L = −(1 + 2)/2 = −1.5.
    const logProbs = t2([[-1, -2, Number.NEGATIVE_INFINITY], [-1, 5, -1], [-1, -1, -1]]);
    const oldLogProbs = t2([[-1, -2, Number.NEGATIVE_INFINITY], [-1, -9, -1], [-3, -3, -3]]);
    const mask = t2([[1, 1, 0], [1, 0, 1], [0, 0, 0]]);
    const input = { oldLogProbs, advantages: t1([1, 2, 100]), mask, clipEpsilon: 0.2 };
    const out = clippedSurrogate({ ...input, logProbs });
    expect(value(out.policyLoss)).toBeCloseTo(-1.5, 6);
    expect(value(out.clipFrac)).toBe(0);
    const grad = values(tf.grad((lp: tf.Tensor) => clippedSurrogate({ ...input, logProbs: lp }).policyLoss)(logProbs));
    // ∂L/∂logπ = −Â/(Σm·N) on masked decisions: −1/(2·2), −2/(2·2); exactly 0 (not NaN) elsewhere
    expectClose(grad, [-0.25, -0.25, 0, -0.5, 0, -0.5, 0, 0, 0]);
  });

  it('rejects mismatched shapes', () => {
    const lp = t2([[0, 0]]);
    expect(codeOf(() => clippedSurrogate({ logProbs: lp, oldLogProbs: t2([[0, 0, 0]]), advantages: t1([1]), mask: lp, clipEpsilon: 0.2 }))).toBe('INTERNAL');
    expect(codeOf(() => clippedSurrogate({ logProbs: lp, oldLogProbs: lp, advantages: t1([1, 2]), mask: lp, clipEpsilon: 0.2 }))).toBe('INTERNAL');
  });
});

describe('klToReference (k3)', () => {
  it('is 0 when the policy equals the reference, with zero gradient', () => {
    const lp = t2([[-0.3, -1.2], [-2, -0.1]]);
    const mask = t2([[1, 1], [1, 0]]);
    expect(value(klToReference({ logProbs: lp, refLogProbs: lp, mask }))).toBeCloseTo(0, 7);
    const grad = tf.grad((x: tf.Tensor) => klToReference({ logProbs: x, refLogProbs: lp, mask }))(lp);
    expectClose(values(grad), [0, 0, 0, 0], 7);
  });

  it('is positive otherwise (hand-computed)', () => {
    // d = ref − cur: ln 0.25 − ln 0.5 = −ln 2 → 0.5 + ln 2 − 1 = 0.193147;  ln 0.5 − ln 0.25 = ln 2 → 2 − ln 2 − 1 = 0.306853
    // mean = 0.25; the masked third decision is ignored.
    const kl = klToReference({
      logProbs: t2([[log(0.5), log(0.25), -50]]),
      refLogProbs: t2([[log(0.25), log(0.5), 0]]),
      mask: t2([[1, 1, 0]]),
    });
    expect(value(kl)).toBeCloseTo(0.25, 6);
    const single = klToReference({ logProbs: t2([[log(0.5)]]), refLogProbs: t2([[log(0.25)]]), mask: t2([[1]]) });
    expect(value(single)).toBeCloseTo(0.193147, 6);
  });
});

describe('reinforceLoss', () => {
  // trajectory 1: mean log π = (−1 − 3)/2 = −2, Â = 2 → L₁ = 4; trajectory 2: mean = −2, Â = −1 → L₂ = −2
  const logProbs = t2([[-1, -3, Number.NEGATIVE_INFINITY], [-2, 0, 0]]);
  const mask = t2([[1, 1, 0], [1, 0, 0]]);
  const advantages = t1([2, -1]);

  it('sums over trajectories by default, as the reference code does', () => {
    expect(value(reinforceLoss({ logProbs, advantages, mask }))).toBeCloseTo(2, 6);
    // ∂L/∂logπ_t = −Â_i/Σm_i: (−1, −1, 0), (1, 0, 0)
    const grad = tf.grad((x: tf.Tensor) => reinforceLoss({ logProbs: x, advantages, mask }))(logProbs);
    expectClose(values(grad), [-1, -1, 0, 1, 0, 0]);
  });

  it('averages over trajectories with reduction mean', () => {
    expect(value(reinforceLoss({ logProbs, advantages, mask, reduction: 'mean' }))).toBeCloseTo(1, 6);
  });
});

describe('entropyBonus', () => {
  it('is the masked mean entropy', () => {
    // (1 + 2)/2 = 1.5 and 0.5 → (1.5 + 0.5)/2 = 1
    const h = entropyBonus({ entropies: t2([[1, 2, 99], [0.5, 99, 99]]), mask: t2([[1, 1, 0], [1, 0, 0]]) });
    expect(value(h)).toBeCloseTo(1, 6);
  });
});

describe('demonstration losses', () => {
  it('behaviour cloning is −mean log π and its gradient pushes log-probs up', () => {
    // −(ln 0.5 + ln 0.25)/2 = (0.693147 + 1.386294)/2 = 1.039721; ∂L/∂logπ_t = −1/2
    const lp = t2([[log(0.5), log(0.25), -7]]);
    const mask = t2([[1, 1, 0]]);
    expect(value(behaviourCloningLoss({ logProbs: lp, mask }))).toBeCloseTo(1.039721, 5);
    const grad = tf.grad((x: tf.Tensor) => behaviourCloningLoss({ logProbs: x, mask }))(lp);
    expectClose(values(grad), [-0.5, -0.5, 0]);
  });

  it('raises the probability of the demonstrated action after one gradient step', () => {
    const logits = tf.variable(tf.tensor2d([[0.3, -0.2, 0.1]]));
    const demoAction = 1;
    const probOf = (): number => (tf.softmax(logits).dataSync()[demoAction] as number);
    const before = probOf();
    const optimizer = tf.train.sgd(0.5);
    optimizer.minimize(() => {
      const lp = tf.slice(tf.logSoftmax(logits), [0, demoAction], [1, 1]) as tf.Tensor2D;
      return behaviourCloningLoss({ logProbs: lp, mask: t2([[1]]) });
    });
    expect(probOf()).toBeGreaterThan(before);
  });

  it('weights by clipped importance ratios without differentiating the weight', () => {
    // w = min(π/β, 2): min(5, 2) = 2, 1, 0.2;  L = (2·ln 2 + ln 2 + 0.2·ln 10)/3 = (1.386294 + 0.693147 + 0.460517)/3 = 0.846653
    // with w a constant: ∂L/∂logπ_t = −w_t/3 = (−0.666667, −0.333333, −0.066667)
    // (differentiating through w would give −(w + w·logπ)/3 = −0.102284 for the second entry)
    const lp = t2([[log(0.5), log(0.5), log(0.1)]]);
    const input = { behaviourLogProbs: t2([[log(0.1), log(0.5), log(0.5)]]), mask: t2([[1, 1, 1]]), clip: 2 };
    expect(value(importanceWeightedDemoLoss({ ...input, logProbs: lp }))).toBeCloseTo(0.846653, 5);
    const grad = tf.grad((x: tf.Tensor) => importanceWeightedDemoLoss({ ...input, logProbs: x }))(lp);
    expectClose(values(grad), [-0.666667, -0.333333, -0.066667]);
  });
});

describe('cwrpoLoss', () => {
  const base: CwrpoLossConfig = {
    algorithm: 'cwrpo',
    masking: true,
    clipEpsilon: 0.2,
    klBeta: 0.5,
    entropyCoef: 0.1,
    demoWeight: 0.1,
    demoLoss: 'bc',
    demoImportanceClip: 2,
  };
  // ratio 1, Â = 2 → policy −2; KL 0.25 (see above); entropy (1 + 3)/2 = 2; BC 1.039721
  const lp = t2([[log(0.5), log(0.25)]]);
  const batch = {
    logProbs: lp,
    oldLogProbs: lp,
    advantages: t1([2]),
    mask: t2([[1, 1]]),
    refLogProbs: t2([[log(0.25), log(0.5)]]),
    entropies: t2([[1, 3]]),
  };
  const demo = { logProbs: lp, mask: t2([[1, 1]]) };
  const parts = (r: ReturnType<typeof cwrpoLoss>): Record<string, number> =>
    Object.fromEntries(Object.entries(r).map(([k, t]) => [k, value(t)]));

  it('composes policy + β·KL − c·H + w·demo', () => {
    const r = parts(cwrpoLoss(base, batch, demo));
    expect(r.policyLoss).toBeCloseTo(-2, 6);
    expect(r.kl).toBeCloseTo(0.25, 6);
    expect(r.entropy).toBeCloseTo(2, 6);
    expect(r.demoLoss).toBeCloseTo(1.039721, 5);
    // −2 + 0.5·0.25 − 0.1·2 + 0.1·1.039721 = −1.971028
    expect(r.total).toBeCloseTo(-1.971028, 5);
  });

  it('leaves out the demonstration term when there are no demonstrations', () => {
    // −2 + 0.125 − 0.2 = −2.075
    const r = parts(cwrpoLoss(base, batch));
    expect(r.demoLoss).toBe(0);
    expect(r.total).toBeCloseTo(-2.075, 5);
  });

  it('uses the summed REINFORCE loss and no KL for reinforce, still reporting KL', () => {
    // policy = −2·(−1.039721) = 2.079442; total = 2.079442 − 0.2 + 0.103972 = 1.983414
    const r = parts(cwrpoLoss({ ...base, algorithm: 'reinforce' }, batch, demo));
    expect(r.policyLoss).toBeCloseTo(2.079442, 5);
    expect(r.kl).toBeCloseTo(0.25, 6);
    expect(r.clipFrac).toBe(0);
    expect(r.total).toBeCloseTo(1.983414, 5);
  });

  it('uses the importance-weighted demonstration loss when configured', () => {
    // β = π → w = 1 everywhere → same value as behaviour cloning
    const r = parts(cwrpoLoss({ ...base, demoLoss: 'importance' }, batch, { ...demo, behaviourLogProbs: lp }));
    expect(r.demoLoss).toBeCloseTo(1.039721, 5);
  });

  it('lets non-policy decisions into the loss when masking is off', () => {
    // policy-only mask keeps decision 1: KL = 0.193147; the valid mask keeps both: KL = 0.25
    const masked = { ...batch, mask: t2([[1, 0]]), validMask: t2([[1, 1]]) };
    expect(value(cwrpoLoss(base, masked).kl)).toBeCloseTo(0.193147, 5);
    expect(value(cwrpoLoss({ ...base, masking: false }, masked).kl)).toBeCloseTo(0.25, 5);
  });

  it('throws INTERNAL when the config needs a tensor the batch lacks', () => {
    const { refLogProbs: _ref, entropies: _ent, ...bare } = batch;
    expect(codeOf(() => cwrpoLoss({ ...base, entropyCoef: 0 }, bare))).toBe('INTERNAL');
    expect(codeOf(() => cwrpoLoss({ ...base, klBeta: 0 }, bare))).toBe('INTERNAL');
    expect(codeOf(() => cwrpoLoss({ ...base, masking: false }, batch))).toBe('INTERNAL');
    expect(codeOf(() => cwrpoLoss({ ...base, demoLoss: 'importance' }, batch, demo))).toBe('INTERNAL');
    expect(codeOf(() => cwrpoLoss({ ...base, klBeta: 0, entropyCoef: 0 }, bare))).toBeUndefined();
    expect(codeOf(() => cwrpoLoss({ ...base, algorithm: 'reinforce', entropyCoef: 0 }, bare))).toBeUndefined();
  });

  it('keeps only the tensors it returns', () => {
    const before = tf.memory().numTensors;
    const r = cwrpoLoss(base, batch, demo);
    expect(tf.memory().numTensors - before).toBe(Object.keys(r).length);
    tf.dispose(r);
    expect(tf.memory().numTensors).toBe(before);
  });
});
