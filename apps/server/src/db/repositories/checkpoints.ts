/**
 * Checkpoints. A run has one rolling `resume` checkpoint (replaced inside every iteration's commit, see
 * `commitIteration`) and any number of `kept` checkpoints that users list and evaluate. Lists return
 * summaries without the binary columns, which can be megabytes each.
 * @public
 */
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { AppDb } from '../client.ts';
import { checkpoints } from '../schema.ts';
import { assertUuid, isUuid, mapConstraintErrors } from './dbErrors.ts';
import { afterKey, decodeCursor, encodeCursor, pageSize, timestampKey, toPage, type Page, type PageArgs } from './pagination.ts';

/** A checkpoint row, weights included. @public */
export type Checkpoint = typeof checkpoints.$inferSelect;

/** A checkpoint without its binary columns, plus the policy's size in bytes. @public */
export type CheckpointSummary = Omit<Checkpoint, 'policy' | 'reference' | 'optimizer'> & { policyBytes: number };

/** What a trainer writes: weights and optimizer moments as bytes, its own state as JSON. @public */
export interface CheckpointWrite {
  iteration: number;
  policy: Uint8Array;
  reference?: Uint8Array | null;
  optimizer?: Uint8Array | null;
  state: Record<string, unknown>;
}

const summaryColumns = {
  id: checkpoints.id,
  runId: checkpoints.runId,
  kind: checkpoints.kind,
  iteration: checkpoints.iteration,
  state: checkpoints.state,
  createdAt: checkpoints.createdAt,
  policyBytes: sql<number>`octet_length(${checkpoints.policy})::int`,
};

/** Stores a kept checkpoint of a run; NOT_FOUND when the run does not exist. @public */
export async function insertKeptCheckpoint(
  db: AppDb,
  input: CheckpointWrite & { runId: string },
): Promise<CheckpointSummary> {
  assertUuid(input.runId, 'training run');
  const [row] = await mapConstraintErrors(
    () =>
      db
        .insert(checkpoints)
        .values({ ...input, kind: 'kept' })
        .returning(summaryColumns),
    { notFound: `expected an existing training run, got id ${input.runId}` },
  );
  return row!;
}

/**
 * Replaces the run's resume checkpoint (an upsert on the one-resume-per-run index). `commitIteration` calls it
 * inside the iteration's transaction; call it directly only for state outside an iteration (before the first).
 * @public
 */
export async function saveResumeCheckpoint(db: AppDb, runId: string, write: CheckpointWrite): Promise<void> {
  assertUuid(runId, 'training run');
  const values = {
    iteration: write.iteration,
    policy: write.policy,
    reference: write.reference ?? null,
    optimizer: write.optimizer ?? null,
    state: write.state,
  };
  await mapConstraintErrors(
    () =>
      db
        .insert(checkpoints)
        .values({ ...values, runId, kind: 'resume' })
        .onConflictDoUpdate({
          target: checkpoints.runId,
          targetWhere: sql`kind = 'resume'`,
          set: { ...values, createdAt: sql`now()` },
        }),
    { notFound: `expected an existing training run, got id ${runId}` },
  );
}

/** The run's resume checkpoint (weights included), or undefined before its first commit. @public */
export async function getResumeCheckpoint(db: AppDb, runId: string): Promise<Checkpoint | undefined> {
  if (!isUuid(runId)) return undefined;
  const [row] = await db
    .select()
    .from(checkpoints)
    .where(and(eq(checkpoints.runId, runId), eq(checkpoints.kind, 'resume')));
  return row;
}

/** One checkpoint with its weights (either kind). @public */
export async function getCheckpoint(db: AppDb, id: string): Promise<Checkpoint | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(checkpoints).where(eq(checkpoints.id, id));
  return row;
}

/** Kept checkpoints, of one run or all, newest first. @public */
export async function listCheckpoints(
  db: AppDb,
  args: PageArgs & { runId?: string | null } = {},
): Promise<Page<CheckpointSummary>> {
  const size = pageSize(args.first);
  const tag = `checkpoints:${args.runId ?? '*'}`;
  if (args.runId && !isUuid(args.runId)) return { items: [], cursors: [], hasNextPage: false, endCursor: null };
  const conditions: SQL[] = [eq(checkpoints.kind, 'kept')];
  if (args.runId) conditions.push(eq(checkpoints.runId, args.runId));
  if (args.after) {
    const [createdAt, id] = decodeCursor(tag, args.after, ['timestamp', 'uuid'] as const);
    conditions.push(afterKey('desc', [checkpoints.createdAt, checkpoints.id], [sql`${createdAt}::timestamptz`, sql`${id}::uuid`]));
  }
  const rows = await db
    .select({ ...summaryColumns, key: timestampKey(checkpoints.createdAt) })
    .from(checkpoints)
    .where(and(...conditions))
    .orderBy(desc(checkpoints.createdAt), desc(checkpoints.id))
    .limit(size + 1);
  return toPage(
    rows,
    size,
    (row) => encodeCursor(tag, [row.key, row.id]),
    ({ key: _key, ...summary }) => summary,
  );
}
