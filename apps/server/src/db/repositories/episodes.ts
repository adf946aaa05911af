/**
 * Episodes and their steps. Streamed episodes (runAgent, evaluation) are created `running`, get steps one by
 * one, and are finished in one transaction together with any steps not yet written; training episodes are
 * written whole by `commitIteration`. Either way a reader never sees a finished episode with missing steps.
 * @public
 */
import { and, asc, desc, eq, gt, sql, type SQL } from 'drizzle-orm';
import { AppError } from '../../errors.ts';
import type { AppDb } from '../client.ts';
import { episodeSteps, episodes, type EpisodeKind, type EpisodeStatus } from '../schema.ts';
import { assertUuid, assertUuids, isUuid, mapConstraintErrors } from './dbErrors.ts';
import { afterKey, decodeCursor, encodeCursor, pageSize, timestampKey, toPage, type Page, type PageArgs } from './pagination.ts';

/** An episode row. @public */
export type Episode = typeof episodes.$inferSelect;
/** An episode step row. @public */
export type EpisodeStep = typeof episodeSteps.$inferSelect;

/** What an episode is about, known when it starts. @public */
export interface NewEpisode {
  kind: EpisodeKind;
  policy: string;
  taskId: string;
  dataset: string;
  question: string;
  backend: string;
  runId?: string | null;
  iteration?: number | null;
  indexInIteration?: number | null;
  checkpointId?: string | null;
  createdBy?: string | null;
}

/** How an episode ended. `status` defaults to `failed` when `error` is set, else `finished`. @public */
export interface EpisodeResult {
  status?: Exclude<EpisodeStatus, 'running'>;
  finalDsl?: string | null;
  finalCanvas?: unknown;
  answer?: string | null;
  answerScore?: number | null;
  reward?: number | null;
  rewardComponents?: Record<string, number | boolean> | null;
  tokens?: number | null;
  costUsd?: number | null;
  rounds?: number | null;
  error?: string | null;
}

/** One environment step: `step` is 1-based and is the episode stream's seq. @public */
export type StepWrite = Omit<typeof episodeSteps.$inferInsert, 'episodeId' | 'createdAt'>;

/** Filters and page of {@link listEpisodes}. @public */
export interface ListEpisodesArgs extends PageArgs {
  runId?: string | null;
  kind?: EpisodeKind | null;
  dataset?: string | null;
  status?: EpisodeStatus | null;
}

// A bound parameter per column per row: stay far below PostgreSQL's 65,535-parameter limit per statement.
const INSERT_CHUNK_ROWS = 1_000;

/** Inserts rows in chunks of {@link INSERT_CHUNK_ROWS}. @internal */
export async function insertChunked<T>(rows: readonly T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < rows.length; start += INSERT_CHUNK_ROWS) {
    await insert(rows.slice(start, start + INSERT_CHUNK_ROWS));
  }
}

/** Step rows of an episode, ready to insert. @internal */
export function stepRows(episodeId: string, steps: readonly StepWrite[]): (typeof episodeSteps.$inferInsert)[] {
  return steps.map((step) => ({ ...step, episodeId }));
}

/** The episode columns an {@link EpisodeResult} sets. @internal */
export function resultColumns(result: EpisodeResult) {
  return {
    status: result.status ?? (result.error ? 'failed' : 'finished'),
    finalDsl: result.finalDsl ?? null,
    finalCanvas: result.finalCanvas ?? null,
    answer: result.answer ?? null,
    answerScore: result.answerScore ?? null,
    reward: result.reward ?? null,
    rewardComponents: result.rewardComponents ?? null,
    tokens: result.tokens ?? null,
    costUsd: result.costUsd ?? null,
    rounds: result.rounds ?? null,
    error: result.error ?? null,
  } satisfies Partial<typeof episodes.$inferInsert>;
}

/** Starts an episode (status `running`); NOT_FOUND when a referenced run/checkpoint/user does not exist. @public */
export async function createEpisode(db: AppDb, input: NewEpisode): Promise<Episode> {
  assertUuids({ 'training run': input.runId, checkpoint: input.checkpointId, user: input.createdBy });
  const [episode] = await mapConstraintErrors(() => db.insert(episodes).values({ ...input, status: 'running' }).returning(), {
    notFound: 'expected the run, checkpoint and user referenced by the episode to exist, got a missing one',
    conflict: `expected a free slot (run ${input.runId}, iteration ${input.iteration}, index ${input.indexInIteration}), got one already used`,
  });
  return episode!;
}

/**
 * Appends one step to a running episode. NOT_FOUND for an unknown episode, CONFLICT when it is no longer
 * running or the step number is already written.
 * @public
 */
export async function appendEpisodeStep(db: AppDb, episodeId: string, step: StepWrite): Promise<EpisodeStep> {
  assertUuid(episodeId, 'episode');
  return mapConstraintErrors(
    () =>
      db.transaction(async (tx) => {
        // FOR SHARE: a concurrent finishEpisode (which updates the row) waits, so no step lands after the end.
        const [episode] = await tx.select({ status: episodes.status }).from(episodes).where(eq(episodes.id, episodeId)).for('share');
        assertRunning(episodeId, episode?.status);
        const [row] = await tx.insert(episodeSteps).values({ ...step, episodeId }).returning();
        return row!;
      }),
    { conflict: `expected step ${step.step} of episode ${episodeId} to be new, got it already written` },
  );
}

/**
 * Finishes a running episode: writes the remaining `steps` and the result in one transaction.
 * NOT_FOUND for an unknown episode, CONFLICT when it already ended or a step number repeats.
 * @public
 */
export async function finishEpisode(
  db: AppDb,
  id: string,
  result: EpisodeResult & { steps?: readonly StepWrite[] },
): Promise<Episode> {
  assertUuid(id, 'episode');
  return mapConstraintErrors(
    () =>
      db.transaction(async (tx) => {
        const [episode] = await tx
          .update(episodes)
          .set({ ...resultColumns(result), finishedAt: sql`now()` })
          .where(and(eq(episodes.id, id), eq(episodes.status, 'running')))
          .returning();
        if (!episode) {
          const [current] = await tx.select({ status: episodes.status }).from(episodes).where(eq(episodes.id, id));
          assertRunning(id, current?.status);
        }
        await insertChunked(stepRows(id, result.steps ?? []), (chunk) => tx.insert(episodeSteps).values(chunk));
        return episode!;
      }),
    { conflict: `expected the steps of episode ${id} to be new, got a step number already written` },
  );
}

function assertRunning(id: string, status: EpisodeStatus | undefined): void {
  if (status === undefined) throw new AppError('NOT_FOUND', `expected an existing episode, got id ${id}`);
  if (status !== 'running') throw new AppError('CONFLICT', `expected episode ${id} to be running, got ${status}`);
}

/** @public */
export async function getEpisode(db: AppDb, id: string): Promise<Episode | undefined> {
  if (!isUuid(id)) return undefined;
  const [episode] = await db.select().from(episodes).where(eq(episodes.id, id));
  return episode;
}

/** Steps in order; with `sinceStep`, only those after it (a late subscriber's catch-up). @public */
export async function getEpisodeSteps(
  db: AppDb,
  episodeId: string,
  options: { sinceStep?: number | null } = {},
): Promise<EpisodeStep[]> {
  if (!isUuid(episodeId)) return [];
  const conditions: SQL[] = [eq(episodeSteps.episodeId, episodeId)];
  if (options.sinceStep !== undefined && options.sinceStep !== null) conditions.push(gt(episodeSteps.step, options.sinceStep));
  return db.select().from(episodeSteps).where(and(...conditions)).orderBy(asc(episodeSteps.step));
}

/** Episodes newest first, keyset-paged on (created_at, id); filters combine with AND. @public */
export async function listEpisodes(db: AppDb, args: ListEpisodesArgs = {}): Promise<Page<Episode>> {
  const size = pageSize(args.first);
  // Filters are part of the tag: a cursor is a position in one filtered list, not in another.
  const tag = `episodes:${args.runId ?? ''}:${args.kind ?? ''}:${args.dataset ?? ''}:${args.status ?? ''}`;
  if (args.runId && !isUuid(args.runId)) return { items: [], cursors: [], hasNextPage: false, endCursor: null };
  const conditions: SQL[] = [];
  if (args.runId) conditions.push(eq(episodes.runId, args.runId));
  if (args.kind) conditions.push(eq(episodes.kind, args.kind));
  if (args.dataset) conditions.push(eq(episodes.dataset, args.dataset));
  if (args.status) conditions.push(eq(episodes.status, args.status));
  if (args.after) {
    const [createdAt, id] = decodeCursor(tag, args.after, ['timestamp', 'uuid'] as const);
    conditions.push(afterKey('desc', [episodes.createdAt, episodes.id], [sql`${createdAt}::timestamptz`, sql`${id}::uuid`]));
  }
  const rows = await db
    .select({ episode: episodes, key: timestampKey(episodes.createdAt) })
    .from(episodes)
    .where(and(...conditions))
    .orderBy(desc(episodes.createdAt), desc(episodes.id))
    .limit(size + 1);
  return toPage(
    rows,
    size,
    (row) => encodeCursor(tag, [row.key, row.episode.id]),
    (row) => row.episode,
  );
}

/**
 * A run's training episodes in iteration order, only iterations after `sinceIteration` when given: what a
 * late `runProgress` subscriber replays. `limit` caps the rows (default 1,000).
 * @public
 */
export async function listRunEpisodes(
  db: AppDb,
  runId: string,
  options: { sinceIteration?: number | null; limit?: number } = {},
): Promise<Episode[]> {
  if (!isUuid(runId)) return [];
  const conditions: SQL[] = [eq(episodes.runId, runId)];
  if (options.sinceIteration !== undefined && options.sinceIteration !== null) {
    conditions.push(gt(episodes.iteration, options.sinceIteration));
  }
  return db
    .select()
    .from(episodes)
    .where(and(...conditions))
    .orderBy(asc(episodes.iteration), asc(episodes.indexInIteration))
    .limit(options.limit ?? 1_000);
}
