/**
 * Per-iteration metrics of a run, read back for curves and for late `runProgress` subscribers.
 *
 * Downsampling (when a run has more rows than `maxPoints`): the first and the last iteration are kept as
 * they are, and the iterations between them are split into `maxPoints - 2` contiguous buckets of (nearly)
 * equal size; each bucket becomes one point whose `iteration` is the bucket's last iteration and whose
 * values are the bucket's means (per metric, over the iterations that recorded a finite value). Means
 * rather than a stride, so a spike or a noisy stretch moves the curve instead of vanishing between samples;
 * `count` says how many iterations a point stands for.
 * @public
 */
import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import { AppError } from '../../errors.ts';
import type { AppDb } from '../client.ts';
import { runMetrics } from '../schema.ts';
import { isUuid } from './dbErrors.ts';

/** One point of a run's metrics; `count` > 1 when it is a bucket mean of that many iterations. @public */
export interface MetricPoint {
  iteration: number;
  values: Record<string, number>;
  count: number;
}

/** Options of {@link getMetrics}. @public */
export interface MetricsQuery {
  /** Only these metric names (others are dropped from `values`). */
  names?: readonly string[] | null;
  /** Only iterations strictly after this one. */
  sinceIteration?: number | null;
  /** Downsample to at most this many points (at least 2). */
  maxPoints?: number | null;
}

/** A run's metrics in iteration order, filtered and downsampled as asked. @public */
export async function getMetrics(db: AppDb, runId: string, query: MetricsQuery = {}): Promise<MetricPoint[]> {
  const maxPoints = query.maxPoints ?? undefined;
  if (maxPoints !== undefined && (!Number.isInteger(maxPoints) || maxPoints < 2)) {
    throw new AppError('BAD_USER_INPUT', `expected maxPoints to be an integer of at least 2, got ${maxPoints}`);
  }
  if (!isUuid(runId)) return [];
  const conditions: SQL[] = [eq(runMetrics.runId, runId)];
  if (query.sinceIteration !== undefined && query.sinceIteration !== null) {
    conditions.push(gt(runMetrics.iteration, query.sinceIteration));
  }
  // Rows are small (one JSON object of ~20 numbers); even 10k iterations is a cheap read, so the bucketing
  // stays in TypeScript where it is easy to read and identical on both databases.
  const rows = await db
    .select({ iteration: runMetrics.iteration, values: runMetrics.values })
    .from(runMetrics)
    .where(and(...conditions))
    .orderBy(asc(runMetrics.iteration));
  const names = query.names ? new Set(query.names) : undefined;
  const points = rows.map((row) => ({ iteration: row.iteration, values: pick(row.values, names), count: 1 }));
  return maxPoints === undefined ? points : downsampleMetrics(points, maxPoints);
}

/** Bucket-mean downsampling that keeps the first and last point; see the module comment. @public */
export function downsampleMetrics(points: readonly MetricPoint[], maxPoints: number): MetricPoint[] {
  if (points.length <= maxPoints) return [...points];
  const first = points[0]!;
  const last = points.at(-1)!;
  const interior = points.slice(1, -1);
  const buckets = maxPoints - 2;
  const result: MetricPoint[] = [first];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * interior.length) / buckets);
    const end = Math.floor(((b + 1) * interior.length) / buckets);
    if (end > start) result.push(meanOf(interior.slice(start, end)));
  }
  result.push(last);
  return result;
}

function meanOf(bucket: readonly MetricPoint[]): MetricPoint {
  const sums = new Map<string, { sum: number; n: number }>();
  let count = 0;
  for (const point of bucket) {
    count += point.count;
    for (const [name, value] of Object.entries(point.values)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      const entry = sums.get(name) ?? { sum: 0, n: 0 };
      entry.sum += value;
      entry.n += 1;
      sums.set(name, entry);
    }
  }
  const values: Record<string, number> = {};
  for (const [name, { sum, n }] of sums) values[name] = sum / n;
  return { iteration: bucket.at(-1)!.iteration, values, count };
}

function pick(values: Record<string, number>, names: ReadonlySet<string> | undefined): Record<string, number> {
  if (!names) return values;
  const picked: Record<string, number> = {};
  for (const [name, value] of Object.entries(values)) if (names.has(name)) picked[name] = value;
  return picked;
}
