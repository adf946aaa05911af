/**
 * Matrix products that are differentiable and fast on every tfjs backend (STACK.md §5, measured):
 * - on wasm, `tf.gather` has no gradient (kernel `UnsortedSegmentSum` is missing), and on cpu its
 *   gradient is 10× slower; `embed` is a one-hot matMul instead;
 * - on wasm, `matMul` with `transposeA/B` is 12–19× slower than an explicit `tf.transpose` plus a plain
 *   matMul, and tfjs's own matMul gradient uses those flags. `transposeFreeMatMul` carries a gradient
 *   that transposes explicitly; `fastMatMul` uses it on wasm only, because on cpu and webgpu the extra
 *   transposes make training slower (mlp step 663 → 854 ms on cpu).
 *
 * Every function here is safe inside `tf.tidy`, `tf.grads` and `optimizer.minimize`.
 */
import { CoreError } from '../../errors.ts';
import { tf } from './tf.ts';

/** Swaps the last two axes (a batched transpose); rank ≥ 2. @internal */
function swapLastTwo(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, axis) => axis);
  const last = perm.length - 1;
  [perm[last - 1], perm[last]] = [last, last - 1];
  return tf.transpose(x, perm);
}

/** Sums a gradient over the batch axes its input was broadcast along, back to the input's shape. */
function reduceToShape(grad: tf.Tensor, shape: readonly number[]): tf.Tensor {
  if (grad.shape.length === shape.length && grad.shape.every((dim, axis) => dim === shape[axis])) return grad;
  const axes = tf.backend_util.getReductionAxes([...shape], grad.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(grad, axes) : grad, [...shape]);
}

/**
 * `tf.matMul(a, b)` whose gradient uses explicit transposes (`dA = dy·Bᵀ`, `dB = Aᵀ·dy`, last two axes
 * swapped for batched inputs) instead of matMul's transpose flags; batch axes may broadcast (rank 3 × 2).
 * Same values and gradients as `tf.matMul`; prefer `fastMatMul`, which picks per backend.
 * @public
 */
export const transposeFreeMatMul: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor = tf.customGrad((...inputs) => {
  const [a, b, save] = inputs as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedA, savedB] = saved as [tf.Tensor, tf.Tensor];
      return [
        reduceToShape(tf.matMul(dy, swapLastTwo(savedB)), savedA.shape),
        reduceToShape(tf.matMul(swapLastTwo(savedA), dy), savedB.shape),
      ];
    },
  };
});

/** True when `fastMatMul` uses the transpose-free gradient (the active backend is wasm). @public */
export function usesTransposeFreeMatMul(): boolean {
  return tf.getBackend() === 'wasm';
}

/**
 * The matMul to use in models: `transposeFreeMatMul` on wasm, plain `tf.matMul` elsewhere. Decided per
 * call, so a model follows `selectTfBackend` without being rebuilt.
 * @public
 */
export function fastMatMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D;
export function fastMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor;
export function fastMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return usesTransposeFreeMatMul() ? transposeFreeMatMul(a, b) : tf.matMul(a, b);
}

/**
 * Looks up rows of `table` ([vocab, dim]) for integer `ids` of any shape, giving [...ids.shape, dim].
 * Computed as `oneHot(ids) · table`, which has a gradient on every backend; ids outside [0, vocab) give
 * a zero row. Costs ids.size × vocab floats, fine for the policy's vocabularies (≤ a few thousand).
 * @public
 */
export function embed(ids: tf.Tensor, table: tf.Tensor): tf.Tensor {
  const [vocab, dim] = assertMatrix(table, 'embed table');
  return tf.tidy(() => {
    const flatIds = tf.cast(tf.reshape(ids, [-1]), 'int32') as tf.Tensor1D;
    const rows = fastMatMul(tf.cast(tf.oneHot(flatIds, vocab), 'float32'), table);
    return tf.reshape(rows, [...ids.shape, dim]);
  });
}

/** Activations `denseLayer` applies after the affine map. @public */
export type DenseActivation = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'elu';

/**
 * `activation(x · kernel + bias)` over the last axis of `x` (any rank ≥ 1), through `fastMatMul`.
 * Inputs of rank ≠ 2 are flattened to 2-D first: one large plain matMul beats a broadcast batched one.
 * @public
 */
export function denseLayer(x: tf.Tensor, kernel: tf.Tensor, bias?: tf.Tensor, activation: DenseActivation = 'linear'): tf.Tensor {
  const [inDim, outDim] = assertMatrix(kernel, 'denseLayer kernel');
  if (x.shape[x.rank - 1] !== inDim) {
    throw new CoreError('INTERNAL', `expected denseLayer input with last axis ${inDim}, got shape [${x.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    const flat = x.rank === 2 ? x : tf.reshape(x, [-1, inDim]);
    const affine = bias ? tf.add(fastMatMul(flat, kernel), bias) : fastMatMul(flat, kernel);
    const activated = applyActivation(affine, activation);
    return x.rank === 2 ? activated : tf.reshape(activated, [...x.shape.slice(0, -1), outDim]);
  });
}

/** The [rows, cols] of a rank-2 tensor; variables are typed `Tensor<Rank>`, so the rank is checked here. */
function assertMatrix(t: tf.Tensor, what: string): [number, number] {
  if (t.rank !== 2) throw new CoreError('INTERNAL', `expected ${what} of rank 2, got shape [${t.shape.join(', ')}]`);
  return [t.shape[0] as number, t.shape[1] as number];
}

function applyActivation(x: tf.Tensor, activation: DenseActivation): tf.Tensor {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'elu':
      return tf.elu(x);
  }
}
