import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCoreError } from '../../errors.ts';
import { denseLayer } from './matmul.ts';
import { disposeTfBackends, selectTfBackend, type TfBackendName } from './tfBackend.ts';
import { tf } from './tf.ts';

// The requirement: the same training step gives the same numbers on every available backend.
// A 2-layer MLP (8 → 16 → 4) with explicit seeded weights takes 3 Adam steps on a fixed batch.

const IN = 8;
const HIDDEN = 16;
const OUT = 4;
const BATCH = 6;

/** mulberry32: a tiny seeded PRNG, so initial weights do not depend on any backend's RNG. */
function seededValues(count: number, seed: number, scale: number): Float32Array {
  let state = seed >>> 0;
  const values = new Float32Array(count);
  for (let i = 0; i < count; i += 1) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    values[i] = ((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 2 - 1) * scale;
  }
  return values;
}

const INITIAL = {
  w1: seededValues(IN * HIDDEN, 1, 0.5),
  b1: seededValues(HIDDEN, 2, 0.1),
  w2: seededValues(HIDDEN * OUT, 3, 0.5),
  b2: seededValues(OUT, 4, 0.1),
};
const INPUTS = seededValues(BATCH * IN, 5, 1);
const LABELS = [0, 3, 1, 2, 3, 0];

interface StepResult {
  losses: number[];
  weights: Float32Array[];
}

async function trainThreeSteps(): Promise<StepResult> {
  const w1 = tf.variable(tf.tensor2d(INITIAL.w1, [IN, HIDDEN]));
  const b1 = tf.variable(tf.tensor1d(INITIAL.b1));
  const w2 = tf.variable(tf.tensor2d(INITIAL.w2, [HIDDEN, OUT]));
  const b2 = tf.variable(tf.tensor1d(INITIAL.b2));
  const x = tf.tensor2d(INPUTS, [BATCH, IN]);
  const y = tf.oneHot(tf.tensor1d(LABELS, 'int32'), OUT);
  const optimizer = tf.train.adam(0.05);
  const losses: number[] = [];
  for (let step = 0; step < 3; step += 1) {
    const loss = optimizer.minimize(() => {
      const hidden = denseLayer(x, w1, b1, 'relu');
      const logits = denseLayer(hidden, w2, b2);
      return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits)), -1))) as tf.Scalar;
    }, true);
    if (!loss) throw new Error('minimize returned no loss');
    // Async reads: webgpu under Node cannot read synchronously (dataSync needs OffscreenCanvas).
    losses.push(((await loss.data()) as Float32Array)[0] as number);
    loss.dispose();
  }
  const weights = await Promise.all([w1, b1, w2, b2].map(async (v) => (await v.data()) as Float32Array));
  optimizer.dispose();
  tf.dispose([w1, b1, w2, b2, x, y]);
  return { losses, weights };
}

function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < x.length; i += 1) max = Math.max(max, Math.abs((x[i] as number) - (y[i] as number)));
  return max;
}

const previous = tf.engine().backendName;
let reference: StepResult;

describe('one training step on every backend', () => {
  beforeAll(async () => {
    await selectTfBackend('cpu');
    reference = await trainThreeSteps();
  });
  afterAll(async () => {
    disposeTfBackends();
    if (previous) await tf.setBackend(previous);
  });

  it('learns on the cpu reference (the loss falls over 3 steps)', () => {
    expect(reference.losses).toHaveLength(3);
    expect(reference.losses[2]).toBeLessThan(reference.losses[0] as number);
    expect(maxAbsDiff(reference.weights[0] as Float32Array, INITIAL.w1)).toBeGreaterThan(0.01);
  });

  it.for(['wasm', 'webgpu'] satisfies TfBackendName[])('gives the cpu loss and weights on %s within 1e-4', async (backend, { skip }) => {
    try {
      await selectTfBackend(backend);
    } catch (error) {
      if (backend === 'webgpu' && isCoreError(error, 'CONFIG_INVALID')) skip(`webgpu unavailable: ${error.message}`);
      throw error;
    }
    const result = await trainThreeSteps();
    expect(maxAbsDiff(result.losses, reference.losses)).toBeLessThan(1e-4);
    result.weights.forEach((weights, i) => expect(maxAbsDiff(weights, reference.weights[i] as Float32Array)).toBeLessThan(1e-4));
  });
});
