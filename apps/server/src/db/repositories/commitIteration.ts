/**
 * The training loop's one write per iteration. Metrics, every episode with its steps, the run's resume
 * checkpoint and the run's iteration counter are written in ONE transaction: after a crash the database holds
 * either the whole iteration or none of it, so a resumed run re-runs exactly the iterations that never
 * committed, and no episode is lost or doubled.
 * @public
 */
import { and, eq, lt, sql } from 'drizzle-orm';
import { AppError } from '../../errors.ts';
import type { AppDb } from '../client.ts';
import { newId } from '../ids.ts';
import { episodeSteps, episodes, runMetrics, trainingRuns } from '../schema.ts';
import { saveResumeCheckpoint, type CheckpointWrite } from './checkpoints.ts';
import { assertUuid, assertUuids, mapConstraintErrors } from './dbErrors.ts';
import { insertChunked, resultColumns, stepRows, type EpisodeResult, type NewEpisode, type StepWrite } from './episodes.ts';

/** A finished training episode of the iteration, with all its steps. @public */
export type EpisodeWrite = Omit<NewEpisode, 'kind' | 'runId' | 'iteration' | 'indexInIteration'> &
  EpisodeResult & {
    /** Position within the iteration (0-based); (run, iteration, index) is unique. */
    indexInIteration: number;
    steps: readonly StepWrite[];
  };

/** Input of {@link commitIteration}. @public */
export interface CommitIterationInput {
  runId: string;
  /** 1-based number of the iteration being committed; must exceed the run's committed `iteration`. */
  iteration: number;
  /** The trainer's metrics record (stable names from core). */
  metrics: Record<string, number>;
  episodes: readonly EpisodeWrite[];
  /** The state to resume from after this iteration; `iteration` defaults to the committed one. */
  resumeCheckpoint: Omit<CheckpointWrite, 'iteration'> & { iteration?: number };
}

/** Ids of the written episodes, in the order given. @public */
export interface CommitIterationResult {
  episodeIds: string[];
}

/**
 * Commits one iteration atomically. NOT_FOUND for an unknown run; CONFLICT (and nothing written) when this
 * iteration, or a later one, is already committed, or when two episodes share a slot. Any other failure
 * also rolls back everything.
 * @public
 */
export async function commitIteration(db: AppDb, input: CommitIterationInput): Promise<CommitIterationResult> {
  const { runId, iteration } = input;
  assertUuid(runId, 'training run');
  if (!Number.isInteger(iteration) || iteration < 1) {
    throw new AppError('BAD_USER_INPUT', `expected a positive integer iteration, got ${iteration}`);
  }
  for (const episode of input.episodes) assertUuids({ checkpoint: episode.checkpointId, user: episode.createdBy });
  return mapConstraintErrors(
    () =>
      db.transaction(async (tx) => {
        // First, and conditional: it locks the run row, so two commits of one run serialise here, and the
        // loser sees the new counter and stops before writing anything.
        const [advanced] = await tx
          .update(trainingRuns)
          .set({ iteration, updatedAt: sql`now()` })
          .where(and(eq(trainingRuns.id, runId), lt(trainingRuns.iteration, iteration)))
          .returning({ id: trainingRuns.id });
        if (!advanced) {
          const [run] = await tx.select({ iteration: trainingRuns.iteration }).from(trainingRuns).where(eq(trainingRuns.id, runId));
          if (!run) throw new AppError('NOT_FOUND', `expected an existing training run, got id ${runId}`);
          throw new AppError(
            'CONFLICT',
            `expected iteration ${iteration} of run ${runId} to be uncommitted, got ${run.iteration} already committed`,
          );
        }
        await tx.insert(runMetrics).values({ runId, iteration, values: input.metrics });

        // Ids made here rather than by the database: the steps need them, and RETURNING order is not a contract.
        const episodeIds = input.episodes.map(() => newId());
        const episodeRows = input.episodes.map((episode, i) => {
          const { steps: _steps, indexInIteration, ...fields } = episode;
          return {
            id: episodeIds[i]!,
            kind: 'training' as const,
            runId,
            iteration,
            indexInIteration,
            policy: fields.policy,
            taskId: fields.taskId,
            dataset: fields.dataset,
            question: fields.question,
            backend: fields.backend,
            checkpointId: fields.checkpointId ?? null,
            createdBy: fields.createdBy ?? null,
            ...resultColumns(fields),
            finishedAt: sql`now()`,
          };
        });
        await insertChunked(episodeRows, (chunk) => tx.insert(episodes).values(chunk));
        const allSteps = input.episodes.flatMap((episode, i) => stepRows(episodeIds[i]!, episode.steps));
        await insertChunked(allSteps, (chunk) => tx.insert(episodeSteps).values(chunk));

        await saveResumeCheckpoint(tx, runId, { ...input.resumeCheckpoint, iteration: input.resumeCheckpoint.iteration ?? iteration });
        return { episodeIds };
      }),
    {
      conflict: `expected iteration ${iteration} of run ${runId} to write new rows, got a duplicate (episode slot or step number)`,
      notFound: `expected the checkpoints and users referenced by iteration ${iteration} of run ${runId} to exist, got a missing one`,
    },
  );
}
