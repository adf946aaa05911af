/**
 * Seeded train/test splits. Each task's side depends only on (seed, task id), never on file order, on the
 * other tasks or on a `limit`, so a task that is in the test set stays there however the list is cut or sorted.
 * @public
 */
import { CoreError } from '../errors.ts';
import { hashString } from '../util/hash.ts';

/** Options of {@link splitTasks}. */
export interface SplitOptions {
  /** Expected share of tasks in the test set, in [0, 1]; the realised share varies around it. */
  readonly testFraction: number;
  /** Any seed; the same seed gives the same split. */
  readonly seed: number | string;
}

/** The two sides of a split, each in the input order. */
export interface SplitResult<T> {
  readonly train: T[];
  readonly test: T[];
}

/**
 * Splits tasks into train and test: a task goes to test iff `hash01(seed, id) < testFraction`.
 * Per-task thresholds (rather than "sort by hash, take the first k") are what make the split stable under
 * `limit` and reordering; the price is that the test size is only approximately `testFraction · n`.
 * Throws CONFIG_INVALID for a fraction outside [0, 1] or a non-finite numeric seed.
 */
export function splitTasks<T extends { readonly id: string }>(tasks: readonly T[], options: SplitOptions): SplitResult<T> {
  const { testFraction, seed } = options;
  if (typeof testFraction !== 'number' || !(testFraction >= 0 && testFraction <= 1)) {
    throw new CoreError('CONFIG_INVALID', `expected testFraction in [0, 1], got ${String(testFraction)}`);
  }
  if (typeof seed === 'number' ? !Number.isFinite(seed) : typeof seed !== 'string') {
    throw new CoreError('CONFIG_INVALID', `expected seed to be a finite number or a string, got ${String(seed)}`);
  }
  const train: T[] = [];
  const test: T[] = [];
  for (const task of tasks) (hash01(String(seed), task.id) < testFraction ? test : train).push(task);
  return { train, test };
}

/**
 * A uniform-looking number in [0, 1) from a seed and a key: two independent 32-bit FNV-1a hashes with a
 * murmur3 finaliser, combined into 53 bits. Pure JS so it runs anywhere core runs (no node:crypto).
 */
export function hash01(seed: string, key: string): number {
  const text = `${seed}\u0000${key}`;
  // Two independent hashes (different offset bases) give 53 bits of uniformity.
  const high = hashString(text) >>> 5; // 27 bits
  const low = hashString(text, 0x811c9dc5 ^ 0x01000193 ^ 0x9e3779b9) >>> 6; // 26 bits
  return (high * 2 ** 26 + low) / 2 ** 53;
}
