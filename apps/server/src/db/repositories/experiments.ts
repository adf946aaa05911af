/**
 * Experiments: what to train (backend, datasets, trainer settings). `status` mirrors the latest run's status
 * (kept up to date by the run repository), so lists can filter on it without a join.
 * @public
 */
import { and, asc, desc, eq, ilike, sql, type SQL } from 'drizzle-orm';
import { AppError } from '../../errors.ts';
import type { AppDb } from '../client.ts';
import { experiments, type RunStatus } from '../schema.ts';
import { assertUuids, isUuid, mapConstraintErrors } from './dbErrors.ts';
import { afterKey, decodeCursor, encodeCursor, pageSize, timestampKey, toPage, type Page, type PageArgs } from './pagination.ts';

/** An experiment row. @public */
export type Experiment = typeof experiments.$inferSelect;

/** `idle` before the first run, then the status of the latest run. @public */
export type ExperimentStatus = 'idle' | RunStatus;

/** Sort orders of {@link listExperiments}. @public */
export const EXPERIMENT_SORTS = ['CREATED_DESC', 'CREATED_ASC', 'NAME_ASC'] as const;
/** @public */
export type ExperimentSort = (typeof EXPERIMENT_SORTS)[number];

/** Fields of a new experiment. `config` must already be validated by core. @public */
export interface NewExperiment {
  name: string;
  description?: string;
  backend: string;
  datasets: string[];
  config: Record<string, unknown>;
  createdBy?: string | null;
}

/** Filters and page of {@link listExperiments}. @public */
export interface ListExperimentsArgs extends PageArgs {
  status?: ExperimentStatus | null;
  /** Case-insensitive substring of the name (`%` and `_` match themselves). */
  nameContains?: string | null;
  backend?: string | null;
  /** @default 'CREATED_DESC' */
  sort?: ExperimentSort | null;
}

/** @public */
export async function createExperiment(db: AppDb, input: NewExperiment): Promise<Experiment> {
  assertUuids({ user: input.createdBy });
  const [experiment] = await mapConstraintErrors(() => db.insert(experiments).values(input).returning(), {
    notFound: `expected an existing user as createdBy, got id ${input.createdBy}`,
  });
  return experiment!;
}

/** @public */
export async function getExperiment(db: AppDb, id: string): Promise<Experiment | undefined> {
  if (!isUuid(id)) return undefined;
  const [experiment] = await db.select().from(experiments).where(eq(experiments.id, id));
  return experiment;
}

/** Sets the denormalised status (and `updated_at`); NOT_FOUND when the experiment does not exist. @public */
export async function updateExperimentStatus(db: AppDb, id: string, status: ExperimentStatus): Promise<Experiment> {
  const [experiment] = isUuid(id)
    ? await db.update(experiments).set({ status, updatedAt: sql`now()` }).where(eq(experiments.id, id)).returning()
    : [];
  if (!experiment) throw new AppError('NOT_FOUND', `expected an existing experiment, got id ${id}`);
  return experiment;
}

/** A filtered, sorted page of experiments; the cursor is bound to the sort order. @public */
export async function listExperiments(db: AppDb, args: ListExperimentsArgs = {}): Promise<Page<Experiment>> {
  const size = pageSize(args.first);
  const sort = args.sort ?? 'CREATED_DESC';
  const tag = `experiments:${sort}`;
  const byName = sort === 'NAME_ASC';
  const direction = sort === 'CREATED_DESC' ? 'desc' : 'asc';
  const sortColumn = byName ? experiments.name : experiments.createdAt;
  const sortKey = byName ? sql<string>`${experiments.name}` : timestampKey(experiments.createdAt);

  const conditions: SQL[] = [];
  if (args.status) conditions.push(eq(experiments.status, args.status));
  if (args.backend) conditions.push(eq(experiments.backend, args.backend));
  if (args.nameContains) conditions.push(ilike(experiments.name, `%${escapeLike(args.nameContains)}%`));
  if (args.after) {
    const [key, id] = decodeCursor(tag, args.after, [byName ? 'text' : 'timestamp', 'uuid'] as const);
    const keyValue = byName ? sql`${key}::text` : sql`${key}::timestamptz`;
    conditions.push(afterKey(direction, [sortColumn, experiments.id], [keyValue, sql`${id}::uuid`]));
  }
  const order = direction === 'desc' ? desc : asc;
  const rows = await db
    .select({ experiment: experiments, key: sortKey })
    .from(experiments)
    .where(and(...conditions))
    .orderBy(order(sortColumn), order(experiments.id))
    .limit(size + 1);
  return toPage(
    rows,
    size,
    (row) => encodeCursor(tag, [row.key, row.experiment.id]),
    (row) => row.experiment,
  );
}

/** Escapes LIKE wildcards so user text matches literally (backslash is PostgreSQL's default escape). @internal */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
