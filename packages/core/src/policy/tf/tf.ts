/**
 * The one import point of TensorFlow.js inside core, so every module (and the benchmarks) shares a single
 * tfjs-core engine: backends, kernels and the active backend are global to that engine.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
