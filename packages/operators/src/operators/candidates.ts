/**
 * Shared candidate handling for the ensemble operators: where the list comes from and a local
 * majority vote used as a fallback when the model's choice cannot be read.
 * @internal
 */
import type { OperatorContext } from '@flowsteer/core';

/** The candidates to choose among: the parallel list, else the `\n---\n`-joined prev, else the solution. */
export function candidatesOf(ctx: OperatorContext): string[] {
  const list = ctx.input.candidates?.filter((c) => c.trim().length > 0);
  if (list && list.length > 0) return [...list];
  const prev = ctx.input.prev;
  if (prev.includes('\n---\n')) return prev.split('\n---\n').filter((c) => c.trim().length > 0);
  const single = ctx.input.solution || prev;
  return single.trim().length > 0 ? [single] : [];
}

function voteKey(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, ' ').replace(/[.。]$/, '');
}

/** Index of the most frequent candidate (normalised text); ties go to the earliest. */
export function majorityIndex(candidates: readonly string[]): number {
  const keys = candidates.map(voteKey);
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  let best = 0;
  keys.forEach((key, index) => {
    if ((counts.get(key) ?? 0) > (counts.get(keys[best] ?? '') ?? 0)) best = index;
  });
  return best;
}
