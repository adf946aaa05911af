/**
 * Seeded task sampling for the trainer: each iteration draws its tasks balanced over data sources, from an RNG
 * whose state the trainer stores in checkpoints, so a resumed run draws exactly the tasks the uninterrupted run
 * would have drawn.
 * @public
 */
import { CoreError } from '../errors.ts';
import { SeededRng } from '../util/random.ts';

/** The source of a task for balancing and for `groupBy: 'source'`: its dataset name. @public */
export function sourceOf(task: { readonly dataset: string }): string {
  return task.dataset;
}

/** Fisher–Yates shuffle of `items` in place with `rng`; returns `items`. @public */
export function shuffleInPlace<T>(items: T[], rng: SeededRng): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rng.next() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/**
 * Draws `count` tasks balanced over sources: sources (sorted by name, so the draw does not depend on input order
 * across sources) are visited round-robin from a random offset, and each visit takes a task of that source
 * uniformly among those not yet drawn this call (with replacement only once a source is exhausted). With
 * `count` a multiple of the number of sources every source gets the same share.
 * Throws CONFIG_INVALID for an empty task list or a count below 1.
 * @example sampleTasksBalanced(trainTasks, 8, new SeededRng(42))
 * @public
 */
export function sampleTasksBalanced<T extends { readonly id: string; readonly dataset: string }>(tasks: readonly T[], count: number, rng: SeededRng): T[] {
  if (tasks.length === 0) throw new CoreError('CONFIG_INVALID', '[core] sampleTasksBalanced: expected at least one task, got none');
  if (!Number.isInteger(count) || count < 1) throw new CoreError('CONFIG_INVALID', `[core] sampleTasksBalanced: expected an integer count >= 1, got ${count}`);
  const bySource = new Map<string, T[]>();
  for (const task of tasks) {
    const list = bySource.get(sourceOf(task));
    if (list) list.push(task);
    else bySource.set(sourceOf(task), [task]);
  }
  const sources = [...bySource.keys()].sort();
  const remaining = new Map(sources.map((source) => [source, [...(bySource.get(source) as T[])]]));
  const offset = Math.floor(rng.next() * sources.length);
  const drawn: T[] = [];
  for (let k = 0; k < count; k += 1) {
    const source = sources[(offset + k) % sources.length] as string;
    let pool = remaining.get(source) as T[];
    if (pool.length === 0) {
      pool = [...(bySource.get(source) as T[])];
      remaining.set(source, pool);
    }
    const at = Math.floor(rng.next() * pool.length);
    drawn.push(pool[at] as T);
    pool.splice(at, 1);
  }
  return drawn;
}
