/**
 * The backend-parity workload: a 2-layer MLP (8 → 16 → 4) with weights from a seeded JS PRNG takes 3 Adam steps
 * on a fixed batch. Shared by backendParity.test.ts and the GPU check (tests/gpu/gpuCheck.ts), so both compare
 * backends on exactly the same computation.
 * @internal
 */
import { denseLayer } from './matmul.ts';
import { tf } from './tf.ts';

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

/** Initial weights of the parity MLP, in the order `trainParityMlp` returns them (w1, b1, w2, b2). @internal */
export const PARITY_MLP_INITIAL: readonly Float32Array[] = [
  seededValues(IN * HIDDEN, 1, 0.5),
  seededValues(HIDDEN, 2, 0.1),
  seededValues(HIDDEN * OUT, 3, 0.5),
  seededValues(OUT, 4, 0.1),
];
const INPUTS = seededValues(BATCH * IN, 5, 1);
const LABELS = [0, 3, 1, 2, 3, 0];

/** Loss after each of the 3 steps and the final weights (w1, b1, w2, b2). @internal */
export interface ParityMlpResult {
  losses: number[];
  weights: Float32Array[];
}

/** Runs the 3 Adam steps on the active backend; reads results asynchronously, so it works on webgpu under Node. @internal */
export async function trainParityMlp(): Promise<ParityMlpResult> {
  const [w1, b1, w2, b2] = [
    tf.variable(tf.tensor2d(PARITY_MLP_INITIAL[0] as Float32Array, [IN, HIDDEN])),
    tf.variable(tf.tensor1d(PARITY_MLP_INITIAL[1] as Float32Array)),
    tf.variable(tf.tensor2d(PARITY_MLP_INITIAL[2] as Float32Array, [HIDDEN, OUT])),
    tf.variable(tf.tensor1d(PARITY_MLP_INITIAL[3] as Float32Array)),
  ] as const;
  const x = tf.tensor2d(INPUTS, [BATCH, IN]);
  const y = tf.oneHot(tf.tensor1d(LABELS, 'int32'), OUT);
  const optimizer = tf.train.adam(0.05);
  const losses: number[] = [];
  try {
    for (let step = 0; step < 3; step += 1) {
      const loss = optimizer.minimize(() => {
        const hidden = denseLayer(x, w1, b1, 'relu');
        const logits = denseLayer(hidden, w2, b2);
        return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits)), -1))) as tf.Scalar;
      }, true);
      if (!loss) throw new Error('minimize returned no loss');
      // dataSync would throw on webgpu under Node (it needs OffscreenCanvas).
      losses.push(((await loss.data()) as Float32Array)[0] as number);
      loss.dispose();
    }
    const weights = await Promise.all([w1, b1, w2, b2].map(async (v) => (await v.data()) as Float32Array));
    return { losses, weights };
  } finally {
    optimizer.dispose();
    tf.dispose([w1, b1, w2, b2, x, y]);
  }
}

/** Largest |x[i] − y[i]|; arrays of different lengths compare as Infinity. @internal */
export function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < x.length; i += 1) max = Math.max(max, Math.abs((x[i] as number) - (y[i] as number)));
  return max;
}
