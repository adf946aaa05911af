/**
 * Token and cost totals of a training run or an experiment: a SUM over their episodes' `tokens` and `cost_usd`
 * (each episode stores what its workflow executions consumed; a reply replayed from the response cache counts its
 * original tokens and costs nothing). Runs whose episodes used the sim report what the profiled model would have
 * charged. Per request, each total is computed once even when both fields are asked for.
 * @public
 */
import { eq, sql } from 'drizzle-orm';
import type { AppDb } from '../db/client.ts';
import { episodes, trainingRuns } from '../db/schema.ts';

/** Summed usage. @public */
export interface UsageTotals {
  readonly tokens: number;
  readonly costUsd: number;
}

// float8: sum(integer) is bigint, which the two drivers return differently (string / number).
const totals = {
  tokens: sql<number>`coalesce(sum(${episodes.tokens}), 0)::float8`.mapWith(Number),
  costUsd: sql<number>`coalesce(sum(${episodes.costUsd}), 0)::float8`.mapWith(Number),
};

/** Totals over the episodes of one training run. @public */
export async function runUsageTotals(db: AppDb, runId: string): Promise<UsageTotals> {
  const [row] = await db.select(totals).from(episodes).where(eq(episodes.runId, runId));
  return row ?? { tokens: 0, costUsd: 0 };
}

/** Totals over the episodes of every run of one experiment. @public */
export async function experimentUsageTotals(db: AppDb, experimentId: string): Promise<UsageTotals> {
  const [row] = await db
    .select(totals)
    .from(episodes)
    .innerJoin(trainingRuns, eq(episodes.runId, trainingRuns.id))
    .where(eq(trainingRuns.experimentId, experimentId));
  return row ?? { tokens: 0, costUsd: 0 };
}

const memo = new WeakMap<object, Map<string, Promise<UsageTotals>>>();

/**
 * `load()` once per (`scope`, `key`): the GraphQL context is the scope, so `tokens` and `costUsd` of one run share
 * one query within a request and nothing outlives it.
 * @public
 */
export function memoizedTotals(scope: object, key: string, load: () => Promise<UsageTotals>): Promise<UsageTotals> {
  let byKey = memo.get(scope);
  if (!byKey) {
    byKey = new Map();
    memo.set(scope, byKey);
  }
  let pending = byKey.get(key);
  if (!pending) {
    pending = load();
    byKey.set(key, pending);
  }
  return pending;
}
