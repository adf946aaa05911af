/**
 * The trainer's loss terms as pure tfjs functions (spec §5). Shapes: `B` trajectories × `T` decisions, padded.
 * - `logProbs`, `oldLogProbs`, `refLogProbs`, `entropies`, `mask`: [B, T]; `advantages`: [B], one per trajectory,
 *   broadcast over its decisions (the advantage is sequence-level, the loss decision-level, spec §5.1).
 * - `mask` is 1 for decisions that enter the loss (the policy's own decisions, prompt-template choices included)
 *   and 0 for padding and environment feedback. Masked-out entries may hold any value, −Infinity included: every
 *   function replaces them with 0 before any arithmetic, so they reach neither the value nor the gradient.
 *
 * Reduction, unless a function says otherwise, is the spec §5.1 reconstruction: a mean over each trajectory's masked
 * decisions (1/Σ_t m_t), then a mean over the trajectories that have at least one (an all-masked row, e.g. a
 * trajectory with no policy decision, would otherwise dilute the batch mean).
 *
 * Every function runs inside `tf.tidy` and returns scalars the caller owns, so it can sit inside
 * `optimizer.minimize` / `tf.variableGrads` without leaking intermediates.
 * @public
 */
import * as tf from '@tensorflow/tfjs';
import { CoreError } from '../errors.ts';
import type { CwrpoConfig } from './grpoConfig.ts';

/** Masked mean per trajectory, then mean over trajectories with ≥ 1 masked decision. @internal */
function trajectoryMean(values: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  const perTrajectory = tf.div(tf.sum(tf.mul(values, mask), 1), tf.maximum(tf.sum(mask, 1), 1));
  const trajectories = tf.sum(tf.cast(tf.greater(tf.sum(mask, 1), 0), 'float32'));
  return tf.div(tf.sum(perTrajectory), tf.maximum(trajectories, 1));
}

/** Masked mean over all decisions of the batch (CleanRL's diagnostics are decision-level). @internal */
function decisionMean(values: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.div(tf.sum(tf.mul(values, mask)), tf.maximum(tf.sum(mask), 1));
}

/** 0/1 float mask, and `x` with masked-out entries replaced by 0 (so −Infinity padding cannot make NaN). @internal */
function binaryMask(mask: tf.Tensor): tf.Tensor2D {
  return tf.cast(tf.greater(mask, 0), 'float32') as tf.Tensor2D;
}
function masked(x: tf.Tensor, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.where(tf.cast(mask, 'bool'), x, tf.zerosLike(x)) as tf.Tensor2D;
}

/** Identity forward, zero gradient (tfjs has no `stopGradient` op). @internal */
const stopGradient = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => ({
  value: tf.clone(inputs[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

function assertShapes(name: string, reference: tf.Tensor, others: Record<string, tf.Tensor | undefined>): void {
  if (reference.rank !== 2) throw new CoreError('INTERNAL', `${name}: expected a [B, T] tensor, got shape [${reference.shape.join(', ')}]`);
  for (const [key, tensor] of Object.entries(others)) {
    if (tensor !== undefined && (tensor.rank !== 2 || tensor.shape[0] !== reference.shape[0] || tensor.shape[1] !== reference.shape[1])) {
      throw new CoreError('INTERNAL', `${key}: expected shape [${reference.shape.join(', ')}], got [${tensor.shape.join(', ')}]`);
    }
  }
}

function assertAdvantages(advantages: tf.Tensor, batch: number): void {
  if (advantages.rank !== 1 || advantages.shape[0] !== batch) {
    throw new CoreError('INTERNAL', `advantages: expected shape [${batch}], got [${advantages.shape.join(', ')}]`);
  }
}

/** Inputs of {@link clippedSurrogate}. @public */
export interface ClippedSurrogateInput {
  readonly logProbs: tf.Tensor;
  readonly oldLogProbs: tf.Tensor;
  readonly advantages: tf.Tensor;
  readonly mask: tf.Tensor;
  readonly clipEpsilon: number;
}

/** Result of {@link clippedSurrogate}. @public */
export type ClippedSurrogateResult = {
  /** −J_clip, to minimise. */
  policyLoss: tf.Scalar;
  /** Share of masked decisions with |ρ − 1| > ε (decision-level). */
  clipFrac: tf.Scalar;
  /** Mean (ρ − 1) − log ρ over masked decisions: the k3 estimate of KL(π_old ‖ π_θ) (decision-level). */
  approxKlOld: tf.Scalar;
};

/**
 * PPO-clip surrogate with a decision mask (CWRPO, spec §5.1; Schulman et al. 2017, arXiv:1707.06347):
 *
 *   ρ_it = exp(log π_θ(a_it) − log π_old(a_it))
 *   ℓ_it = −min(ρ_it·Â_i, clip(ρ_it, 1 − ε, 1 + ε)·Â_i)
 *   L    = (1/N) Σ_i (1/Σ_t m_it) Σ_t m_it·ℓ_it
 *
 * The gradient vanishes where the clipped term is the minimum (ρ > 1 + ε with Â > 0, ρ < 1 − ε with Â < 0); a tie
 * sends it through the unclipped term.
 * @public
 */
export function clippedSurrogate(input: ClippedSurrogateInput): ClippedSurrogateResult {
  const { clipEpsilon } = input;
  assertShapes('logProbs', input.logProbs, { oldLogProbs: input.oldLogProbs, mask: input.mask });
  assertAdvantages(input.advantages, input.logProbs.shape[0] as number);
  return tf.tidy(() => {
    const mask = binaryMask(input.mask);
    const logRatio = tf.sub(masked(input.logProbs, mask), masked(input.oldLogProbs, mask));
    const ratio = tf.exp(logRatio);
    const advantages = tf.expandDims(input.advantages, 1);
    const unclipped = tf.mul(ratio, advantages);
    const clipped = tf.mul(tf.clipByValue(ratio, 1 - clipEpsilon, 1 + clipEpsilon), advantages);
    const perDecision = tf.neg(tf.minimum(unclipped, clipped)) as tf.Tensor2D;
    const policyLoss = trajectoryMean(perDecision, mask);
    const isClipped = tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), clipEpsilon), 'float32') as tf.Tensor2D;
    const clipFrac = decisionMean(isClipped, mask);
    const approxKlOld = decisionMean(tf.sub(tf.sub(ratio, 1), logRatio) as tf.Tensor2D, mask);
    return { policyLoss, clipFrac, approxKlOld };
  });
}

/** Inputs of {@link klToReference}. @public */
export interface KlToReferenceInput {
  readonly logProbs: tf.Tensor;
  readonly refLogProbs: tf.Tensor;
  readonly mask: tf.Tensor;
}

/**
 * KL(π_θ ‖ π_ref) by Schulman's k3 estimator (http://joschu.net/blog/kl-approx.html), as GRPO uses it
 * (Shao et al. 2024, arXiv:2402.03300, Eq. 4):
 *
 *   k3_t = exp(log π_ref − log π_θ) − (log π_ref − log π_θ) − 1
 *
 * Unbiased for samples from π_θ, always ≥ 0 and of lower variance than −log r; masked mean as the surrogate.
 * @public
 */
export function klToReference(input: KlToReferenceInput): tf.Scalar {
  assertShapes('logProbs', input.logProbs, { refLogProbs: input.refLogProbs, mask: input.mask });
  return tf.tidy(() => {
    const mask = binaryMask(input.mask);
    const logRatio = tf.sub(masked(input.refLogProbs, mask), masked(input.logProbs, mask));
    return trajectoryMean(tf.sub(tf.sub(tf.exp(logRatio), logRatio), 1) as tf.Tensor2D, mask);
  });
}

/** Inputs of {@link reinforceLoss}. @public */
export interface ReinforceLossInput {
  readonly logProbs: tf.Tensor;
  readonly advantages: tf.Tensor;
  readonly mask: tf.Tensor;
  /** `sum` over trajectories, as the reference code's per-trajectory `backward()` does, or `mean`. @default 'sum' */
  readonly reduction?: 'sum' | 'mean';
}

/**
 * The reference code's shipped loss (spec §5.2, `compute_grpo_loss`): REINFORCE with group-normalised advantages,
 *
 *   L_i = −Â_i · (Σ_t m_it log π_θ(a_it)) / Σ_t m_it,    L = Σ_i L_i  (or the mean over trajectories)
 *
 * No ratio, clipping, KL or entropy. The reference calls `backward()` once per trajectory, so its gradients are
 * summed over the batch: `reduction: 'sum'` reproduces that scale (B times the mean).
 * @public
 */
export function reinforceLoss(input: ReinforceLossInput): tf.Scalar {
  const reduction = input.reduction ?? 'sum';
  assertShapes('logProbs', input.logProbs, { mask: input.mask });
  assertAdvantages(input.advantages, input.logProbs.shape[0] as number);
  return tf.tidy(() => {
    const mask = binaryMask(input.mask);
    const decisions = tf.sum(mask, 1);
    const meanLogProb = tf.div(tf.sum(tf.mul(masked(input.logProbs, mask), mask), 1), tf.maximum(decisions, 1));
    const perTrajectory = tf.neg(tf.mul(input.advantages, meanLogProb));
    if (reduction === 'sum') return tf.sum(perTrajectory);
    const trajectories = tf.sum(tf.cast(tf.greater(decisions, 0), 'float32'));
    return tf.div(tf.sum(perTrajectory), tf.maximum(trajectories, 1));
  });
}

/** Inputs of {@link entropyBonus}. @public */
export interface EntropyBonusInput {
  /** H(π_θ(·|s_it)) per decision, [B, T]. */
  readonly entropies: tf.Tensor;
  readonly mask: tf.Tensor;
}

/** Mean policy entropy over masked decisions (the total loss subtracts `entropyCoef ·` this). @public */
export function entropyBonus(input: EntropyBonusInput): tf.Scalar {
  assertShapes('entropies', input.entropies, { mask: input.mask });
  return tf.tidy(() => {
    const mask = binaryMask(input.mask);
    return trajectoryMean(masked(input.entropies, mask), mask);
  });
}

/** Inputs of {@link behaviourCloningLoss}. @public */
export interface BehaviourCloningInput {
  /** log π_θ of the demonstrated decisions, [B, T]. */
  readonly logProbs: tf.Tensor;
  readonly mask: tf.Tensor;
}

/**
 * Behaviour cloning on demonstrations: `L = −mean_t log π_θ(a_t^demo)` (masked mean). Its gradient raises the
 * probability of every demonstrated decision, whatever the demonstrator's own distribution was.
 * @public
 */
export function behaviourCloningLoss(input: BehaviourCloningInput): tf.Scalar {
  assertShapes('logProbs', input.logProbs, { mask: input.mask });
  return tf.tidy(() => {
    const mask = binaryMask(input.mask);
    return tf.neg(trajectoryMean(masked(input.logProbs, mask), mask));
  });
}

/** Inputs of {@link importanceWeightedDemoLoss}. @public */
export interface ImportanceWeightedDemoInput {
  readonly logProbs: tf.Tensor;
  /** log β(a_t): the behaviour policy's log-probs recorded with the demonstration, [B, T]. */
  readonly behaviourLogProbs: tf.Tensor;
  readonly mask: tf.Tensor;
  /** Upper clip c of the importance weight. */
  readonly clip: number;
}

/**
 * Off-policy log-likelihood on demonstrations with clipped importance weights (truncated importance sampling, as
 * in ACER, Wang et al. 2017, arXiv:1611.01224):
 *
 *   w_t = min(exp(log π_θ(a_t) − log β(a_t)), c)   (no gradient through w_t)
 *   L   = −mean_t w_t · log π_θ(a_t)
 *
 * The clip bounds the variance that a demonstrator far from π_θ would otherwise inject.
 * @public
 */
export function importanceWeightedDemoLoss(input: ImportanceWeightedDemoInput): tf.Scalar {
  assertShapes('logProbs', input.logProbs, { behaviourLogProbs: input.behaviourLogProbs, mask: input.mask });
  return tf.tidy(() => {
    const mask = binaryMask(input.mask);
    const logProbs = masked(input.logProbs, mask);
    const weights = stopGradient(tf.minimum(tf.exp(tf.sub(logProbs, masked(input.behaviourLogProbs, mask))), input.clip));
    return tf.neg(trajectoryMean(tf.mul(weights, logProbs) as tf.Tensor2D, mask));
  });
}

/** The rollout batch the loss is computed on (see the module doc for shapes). @public */
export interface PolicyBatch {
  readonly logProbs: tf.Tensor;
  readonly oldLogProbs: tf.Tensor;
  readonly advantages: tf.Tensor;
  /** 1 for the policy's own decisions. */
  readonly mask: tf.Tensor;
  /** 1 for every recorded (non-padding) decision, forced ones included; required when `masking` is false. */
  readonly validMask?: tf.Tensor;
  /** Frozen reference policy's log-probs; required when `klBeta > 0` (except for `reinforce`). */
  readonly refLogProbs?: tf.Tensor;
  /** Per-decision entropies; required when `entropyCoef > 0`. */
  readonly entropies?: tf.Tensor;
}

/** Demonstration decisions mixed into the loss. @public */
export interface DemoBatch {
  readonly logProbs: tf.Tensor;
  readonly mask: tf.Tensor;
  /** Required when `demoLoss` is `importance`. */
  readonly behaviourLogProbs?: tf.Tensor;
}

/** The config fields {@link cwrpoLoss} reads. @public */
export type CwrpoLossConfig = Pick<
  CwrpoConfig,
  'algorithm' | 'masking' | 'clipEpsilon' | 'klBeta' | 'entropyCoef' | 'demoWeight' | 'demoLoss' | 'demoImportanceClip'
>;

/** Every part of the total loss, as scalars the caller owns. Unused parts are 0. @public */
export type CwrpoLossResult = {
  total: tf.Scalar;
  policyLoss: tf.Scalar;
  kl: tf.Scalar;
  entropy: tf.Scalar;
  demoLoss: tf.Scalar;
  clipFrac: tf.Scalar;
  approxKlOld: tf.Scalar;
};

/**
 * The trainer's objective, composed per config:
 *
 *   total = policyLoss + β·KL(π_θ ‖ π_ref) − entropyCoef·H + demoWeight·demoLoss
 *
 * `policyLoss` is the clipped surrogate for `cwrpo`/`grpo` and the summed REINFORCE loss for `reinforce` (which adds
 * no KL; KL is still reported when `refLogProbs` is given). With `masking: false` the surrogate, KL and entropy use
 * `validMask` instead of `mask`. Throws INTERNAL when a tensor the config needs is missing.
 * @public
 */
export function cwrpoLoss(config: CwrpoLossConfig, batch: PolicyBatch, demo?: DemoBatch): CwrpoLossResult {
  const mask = config.masking ? batch.mask : batch.validMask;
  if (mask === undefined) throw new CoreError('INTERNAL', 'validMask: expected a [B, T] tensor when masking is false, got undefined');
  const usesKl = config.algorithm !== 'reinforce' && config.klBeta > 0;
  if (usesKl && batch.refLogProbs === undefined) {
    throw new CoreError('INTERNAL', `refLogProbs: expected a [B, T] tensor when klBeta > 0, got undefined`);
  }
  if (config.entropyCoef > 0 && batch.entropies === undefined) {
    throw new CoreError('INTERNAL', 'entropies: expected a [B, T] tensor when entropyCoef > 0, got undefined');
  }
  if (demo && config.demoLoss === 'importance' && demo.behaviourLogProbs === undefined) {
    throw new CoreError('INTERNAL', "behaviourLogProbs: expected a [B, T] tensor when demoLoss is 'importance', got undefined");
  }
  return tf.tidy(() => {
    const surrogate = clippedSurrogate({ ...batch, mask, clipEpsilon: config.clipEpsilon });
    const policyLoss =
      config.algorithm === 'reinforce' ? reinforceLoss({ logProbs: batch.logProbs, advantages: batch.advantages, mask }) : surrogate.policyLoss;
    const kl = batch.refLogProbs ? klToReference({ logProbs: batch.logProbs, refLogProbs: batch.refLogProbs, mask }) : tf.scalar(0);
    const entropy = batch.entropies ? entropyBonus({ entropies: batch.entropies, mask }) : tf.scalar(0);
    let demoLoss: tf.Scalar = tf.scalar(0);
    if (demo && config.demoLoss === 'importance' && demo.behaviourLogProbs) {
      demoLoss = importanceWeightedDemoLoss({ ...demo, behaviourLogProbs: demo.behaviourLogProbs, clip: config.demoImportanceClip });
    } else if (demo) {
      demoLoss = behaviourCloningLoss(demo);
    }
    const total = tf.addN([
      policyLoss,
      tf.mul(usesKl ? config.klBeta : 0, kl),
      tf.mul(-config.entropyCoef, entropy),
      tf.mul(demo ? config.demoWeight : 0, demoLoss),
    ]) as tf.Scalar;
    const clipFrac = config.algorithm === 'reinforce' ? tf.scalar(0) : surrogate.clipFrac;
    return { total, policyLoss, kl, entropy, demoLoss, clipFrac, approxKlOld: surrogate.approxKlOld };
  });
}

/**
 * ‖g‖ over every gradient, for global-norm clipping. Summed one tensor at a time, not with one addN: on webgpu
 * an addN binds a storage buffer per input, and adapters allow 8–16 per shader, far fewer than a network's
 * variables (seen on an H200: 66 inputs against a limit of 16, and a silently wrong norm).
 */
export function globalGradNorm(grads: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.sqrt(grads.reduce<tf.Tensor>((sum, g) => tf.add(sum, tf.sum(tf.square(g))), tf.scalar(0))) as tf.Scalar);
}
