import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { denseLayer, embed, fastMatMul, transposeFreeMatMul, usesTransposeFreeMatMul } from './matmul.ts';
import { selectTfBackend } from './tfBackend.ts';
import { tf } from './tf.ts';

type MatMul = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** Gradients of sum(w ⊙ f(a, b)) with respect to a and b; w makes dy non-uniform. */
async function matMulGrads(f: MatMul, aShape: number[], bShape: number[], seed: number): Promise<[Float32Array, Float32Array]> {
  const a = tf.randomNormal(aShape, 0, 1, 'float32', seed);
  const b = tf.randomNormal(bShape, 0, 1, 'float32', seed + 1);
  const outShape = tf.tidy(() => tf.matMul(a, b).shape);
  const w = tf.randomNormal(outShape, 0, 1, 'float32', seed + 2);
  const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x, y), w)))([a, b]) as [tf.Tensor, tf.Tensor];
  const result: [Float32Array, Float32Array] = [(await da.data()) as Float32Array, (await db.data()) as Float32Array];
  tf.dispose([a, b, w, da, db]);
  return result;
}

function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  expect(x.length).toBe(y.length);
  let max = 0;
  for (let i = 0; i < x.length; i += 1) max = Math.max(max, Math.abs((x[i] as number) - (y[i] as number)));
  return max;
}

const previous = tf.engine().backendName;
afterAll(async () => {
  if (previous) await tf.setBackend(previous);
});

describe.each(['cpu', 'wasm'] as const)('matmul helpers on %s', (backend) => {
  beforeAll(async () => {
    await selectTfBackend(backend);
  });

  it.each([
    ['rank 2', [5, 7], [7, 3]],
    ['rank 3', [4, 5, 7], [4, 7, 3]],
  ])('gives transposeFreeMatMul the same gradients as tf.matMul (%s)', async (_label, aShape, bShape) => {
    await selectTfBackend(backend);
    const [customA, customB] = await matMulGrads(transposeFreeMatMul, aShape, bShape, 11);
    const [builtinA, builtinB] = await matMulGrads((a, b) => tf.matMul(a, b), aShape, bShape, 11);
    expect(maxAbsDiff(customA, builtinA)).toBeLessThan(1e-5);
    expect(maxAbsDiff(customB, builtinB)).toBeLessThan(1e-5);
    expect(Math.max(...customA.map(Math.abs))).toBeGreaterThan(0.1);
  });

  it('gives fastMatMul the same gradients as tf.matMul', async () => {
    await selectTfBackend(backend);
    const [fastA, fastB] = await matMulGrads(fastMatMul, [3, 6, 4], [3, 4, 5], 21);
    const [builtinA, builtinB] = await matMulGrads((a, b) => tf.matMul(a, b), [3, 6, 4], [3, 4, 5], 21);
    expect(maxAbsDiff(fastA, builtinA)).toBeLessThan(1e-5);
    expect(maxAbsDiff(fastB, builtinB)).toBeLessThan(1e-5);
  });

  it('sums the gradient of a broadcast batch (rank 3 × rank 2) back to the 2-D operand', async () => {
    await selectTfBackend(backend);
    const flatMatMul: MatMul = (a, b) => tf.reshape(tf.matMul(tf.reshape(a, [-1, 4]), b), [3, 6, 5]);
    const [customA, customB] = await matMulGrads(transposeFreeMatMul, [3, 6, 4], [4, 5], 31);
    const [flatA, flatB] = await matMulGrads(flatMatMul, [3, 6, 4], [4, 5], 31);
    expect(customB).toHaveLength(20);
    expect(maxAbsDiff(customA, flatA)).toBeLessThan(1e-5);
    expect(maxAbsDiff(customB, flatB)).toBeLessThan(1e-5);
  });

  it('uses explicit Transpose kernels in the fastMatMul gradient only on wasm', async () => {
    await selectTfBackend(backend);
    const a = tf.randomNormal([8, 8], 0, 1, 'float32', 1);
    const b = tf.randomNormal([8, 8], 0, 1, 'float32', 2);
    const profile = await tf.profile(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(fastMatMul(x, y)))([a, b]));
    const transposes = profile.kernels.filter((kernel) => kernel.name === 'Transpose').length;
    expect(usesTransposeFreeMatMul()).toBe(backend === 'wasm');
    expect(transposes).toBe(backend === 'wasm' ? 2 : 0);
    tf.dispose([a, b]);
  });

  it('embeds ids like tf.gather and differentiates the table', async () => {
    await selectTfBackend(backend);
    const table = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const ids = tf.tensor2d([[2, 0, 2]], [1, 3], 'int32');
    const rows = embed(ids, table);
    expect(rows.shape).toEqual([1, 3, 2]);
    expect(await rows.array()).toEqual([
      [
        [5, 6],
        [1, 2],
        [5, 6],
      ],
    ]);
    const tableGrad = tf.grad((t: tf.Tensor) => tf.sum(embed(ids, t as tf.Tensor2D)))(table);
    // Row 2 is looked up twice, row 1 never.
    expect(await tableGrad.array()).toEqual([
      [1, 1],
      [0, 0],
      [2, 2],
    ]);
    tf.dispose([table, ids, rows, tableGrad]);
  });

  it('applies denseLayer over the last axis of a rank-3 input', async () => {
    await selectTfBackend(backend);
    const x = tf.tensor3d([[[1, -2], [0, 3]]]);
    const kernel = tf.tensor2d([
      [1, -1, 0],
      [1, 1, 2],
    ]);
    const bias = tf.tensor1d([0, 0, -1]);
    const y = denseLayer(x, kernel, bias, 'relu');
    expect(y.shape).toEqual([1, 2, 3]);
    expect(await y.array()).toEqual([
      [
        [0, 0, 0],
        [3, 3, 5],
      ],
    ]);
    expect(() => denseLayer(tf.zeros([2, 3]), kernel)).toThrow(/expected denseLayer input with last axis 2/);
    tf.dispose([x, kernel, bias, y]);
  });
});
