/**
 * Training runs and their status. Every status change also refreshes the experiment's denormalised status
 * when the run is the experiment's latest, in the same transaction, so the two never disagree.
 * @public
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { AppError } from '../../errors.ts';
import type { AppDb } from '../client.ts';
import { experiments, trainingRuns, type RunStatus } from '../schema.ts';
import { assertUuid, isUuid, mapConstraintErrors } from './dbErrors.ts';
import { afterKey, decodeCursor, encodeCursor, pageSize, timestampKey, toPage, type Page, type PageArgs } from './pagination.ts';

/** A training run row. @public */
export type Run = typeof trainingRuns.$inferSelect;

/** Statuses after which a run never runs again; entering one sets `finished_at`. @public */
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['stopped', 'finished', 'failed'];

/** Fields of a new run. @public */
export interface NewRun {
  experimentId: string;
  totalIterations: number;
  /** @default 'queued' */
  status?: RunStatus;
}

/** Options of {@link updateRunStatus}. @public */
export interface UpdateRunStatusOptions {
  /** Stored as the run's error; a status change without one clears the previous error. */
  error?: string | null;
  /** Compare-and-set: CONFLICT unless the current status is one of these (guards pause/resume races). */
  from?: readonly RunStatus[];
}

/** Creates a run and marks the experiment with the run's status; NOT_FOUND when the experiment does not exist. @public */
export async function createRun(db: AppDb, input: NewRun): Promise<Run> {
  assertUuid(input.experimentId, 'experiment');
  if (!Number.isInteger(input.totalIterations) || input.totalIterations < 1) {
    throw new AppError('BAD_USER_INPUT', `expected totalIterations to be a positive integer, got ${input.totalIterations}`);
  }
  return mapConstraintErrors(
    () =>
      db.transaction(async (tx) => {
        const [run] = await tx.insert(trainingRuns).values(input).returning();
        await tx
          .update(experiments)
          .set({ status: run!.status, updatedAt: sql`now()` })
          .where(eq(experiments.id, input.experimentId));
        return run!;
      }),
    { notFound: `expected an existing experiment, got id ${input.experimentId}` },
  );
}

/** @public */
export async function getRun(db: AppDb, id: string): Promise<Run | undefined> {
  if (!isUuid(id)) return undefined;
  const [run] = await db.select().from(trainingRuns).where(eq(trainingRuns.id, id));
  return run;
}

/** An experiment's runs, newest first. @public */
export async function listRuns(db: AppDb, experimentId: string, args: PageArgs = {}): Promise<Page<Run>> {
  const size = pageSize(args.first);
  const tag = `runs:${experimentId}`;
  if (!isUuid(experimentId)) return { items: [], cursors: [], hasNextPage: false, endCursor: null };
  const conditions = [eq(trainingRuns.experimentId, experimentId)];
  if (args.after) {
    const [createdAt, id] = decodeCursor(tag, args.after, ['timestamp', 'uuid'] as const);
    conditions.push(afterKey('desc', [trainingRuns.createdAt, trainingRuns.id], [sql`${createdAt}::timestamptz`, sql`${id}::uuid`]));
  }
  const rows = await db
    .select({ run: trainingRuns, key: timestampKey(trainingRuns.createdAt) })
    .from(trainingRuns)
    .where(and(...conditions))
    .orderBy(desc(trainingRuns.createdAt), desc(trainingRuns.id))
    .limit(size + 1);
  return toPage(
    rows,
    size,
    (row) => encodeCursor(tag, [row.key, row.run.id]),
    (row) => row.run,
  );
}

/** Runs in any of `statuses`, oldest first (at start the server resumes those that were running). @public */
export async function listRunsByStatus(db: AppDb, statuses: readonly RunStatus[]): Promise<Run[]> {
  if (statuses.length === 0) return [];
  return db
    .select()
    .from(trainingRuns)
    .where(inArray(trainingRuns.status, [...statuses]))
    .orderBy(asc(trainingRuns.createdAt), asc(trainingRuns.id));
}

/**
 * Sets a run's status: `started_at` on the first `running`, `finished_at` on a terminal status, `error` as
 * given (cleared when omitted), and the experiment's status when this is its latest run, in one transaction.
 * NOT_FOUND for an unknown run; CONFLICT when `from` is given and the current status is not in it.
 * @public
 */
export async function updateRunStatus(
  db: AppDb,
  id: string,
  status: RunStatus,
  options: UpdateRunStatusOptions = {},
): Promise<Run> {
  assertUuid(id, 'training run');
  const terminal = TERMINAL_RUN_STATUSES.includes(status);
  return db.transaction(async (tx) => {
    const conditions = [eq(trainingRuns.id, id)];
    if (options.from) conditions.push(inArray(trainingRuns.status, [...options.from]));
    const [run] = await tx
      .update(trainingRuns)
      .set({
        status,
        error: options.error ?? null,
        updatedAt: sql`now()`,
        startedAt: status === 'running' ? sql`coalesce(${trainingRuns.startedAt}, now())` : undefined,
        finishedAt: terminal ? sql`now()` : undefined,
      })
      .where(and(...conditions))
      .returning();
    if (!run) {
      const current = await tx.select({ status: trainingRuns.status }).from(trainingRuns).where(eq(trainingRuns.id, id));
      if (current.length === 0) throw new AppError('NOT_FOUND', `expected an existing training run, got id ${id}`);
      throw new AppError(
        'CONFLICT',
        `expected run ${id} to be ${options.from?.join(' or ')} to become ${status}, got ${current[0]!.status}`,
      );
    }
    await tx
      .update(experiments)
      .set({ status, updatedAt: sql`now()` })
      .where(
        and(
          eq(experiments.id, run.experimentId),
          sql`${run.id}::uuid = (select r.id from ${trainingRuns} r where r.experiment_id = ${run.experimentId}
            order by r.created_at desc, r.id desc limit 1)`,
        ),
      );
    return run;
  });
}
