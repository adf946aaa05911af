/**
 * One training run executing in this process. Each iteration is `trainer.iterate({ signal })` and then ONE
 * transaction (`commitIteration`: metrics row, the iteration's episodes with their steps, the run's resume
 * snapshot and its iteration counter), and only then the `run:<id>` event. So the database always holds whole
 * iterations, and the resume snapshot is always the state right after the last committed one:
 * - an interrupt (pause, stop, shutdown) aborts the iteration in flight before its update, nothing of it is
 *   written, and the trainer is dropped; the next start restores the committed snapshot and redoes that
 *   iteration exactly (same tasks, executor seeds and sampling draws);
 * - a process killed at any point restarts the same way, because the snapshot and the iteration's rows commit
 *   together.
 * The job never writes `paused`/`stopped`: whoever interrupted it does, after the job has ended.
 * @public
 */
import { setMaxListeners } from 'node:events';
import { isCoreError, type MetricsRow } from '@flowsteer/core';
import type { AppDb } from '../db/client.ts';
import {
  commitIteration,
  getExperiment,
  getResumeCheckpoint,
  getRun,
  insertKeptCheckpoint,
  listCheckpoints,
  updateRunStatus,
  type EpisodeWrite,
  type Run,
} from '../db/repositories/index.ts';
import type { RunStatus } from '../db/schema.ts';
import { AppError, isAppError } from '../errors.ts';
import { EXPERIMENTS_TOPIC, runTopic, type ExperimentUpdatedEvent, type PubSub } from '../events/pubSub.ts';
import type { RunIterationEvent, RunStatusEvent } from '../events/streamEvents.ts';
import { finalCanvasOf, finiteMetrics, stepWrite, trajectoryResult } from './episodeRecords.ts';
import type { JobRuntime } from './jobRuntime.ts';
import { decodeTrainerSnapshot, encodeTrainerSnapshot } from './snapshotCodec.ts';
import { prepareTrainer, type OwnedTrainer, type TrainerSetup } from './trainerSetup.ts';

/** What a training job needs. @public */
export interface TrainingJobDeps {
  readonly db: AppDb;
  readonly pubSub: PubSub;
  readonly runtime: JobRuntime;
  /** Called with failures that are recorded on the run but worth a log line. */
  readonly onError?: (message: string, error: unknown) => void;
}

/** How a job ended: all iterations done, interrupted (state as of the last commit), or failed (run marked `failed`). @public */
export type TrainingJobEnd = 'finished' | 'interrupted' | 'failed';

/** A running training job. @public */
export interface TrainingJob {
  readonly runId: string;
  /** Settles when the job has stopped touching the run (never rejects). */
  readonly done: Promise<TrainingJobEnd>;
  /** Aborts the iteration in flight (nothing of it is committed) and ends the job. */
  interrupt(): void;
}

/** Starts the job of a run whose status is already `running`. @public */
export function startTrainingJob(runId: string, deps: TrainingJobDeps): TrainingJob {
  const controller = new AbortController();
  // Every concurrent episode (and its executor) listens on this one signal: far more than Node's default of 10.
  setMaxListeners(0, controller.signal);
  return { runId, done: runTraining(runId, controller.signal, deps), interrupt: () => controller.abort() };
}

/** Sets a run's status (compare-and-set on `from`) and publishes it on the run's and the experiments' topics. @public */
export async function setRunStatus(
  deps: Pick<TrainingJobDeps, 'db' | 'pubSub'>,
  runId: string,
  status: RunStatus,
  options: { from: readonly RunStatus[]; error?: string },
): Promise<Run> {
  const run = await updateRunStatus(deps.db, runId, status, { from: options.from, ...(options.error === undefined ? {} : { error: options.error }) });
  const event: RunStatusEvent = { kind: 'status', runId, status, iteration: run.iteration, error: run.error };
  await deps.pubSub.publish(runTopic(runId), event);
  const changed: ExperimentUpdatedEvent = { experimentId: run.experimentId, change: 'status' };
  await deps.pubSub.publish(EXPERIMENTS_TOPIC, changed);
  return run;
}

/** Copies the run's resume state to a kept checkpoint unless one at that iteration exists (final and stop checkpoints). @public */
export async function keepLatestCheckpoint(db: AppDb, runId: string): Promise<void> {
  const resume = await getResumeCheckpoint(db, runId);
  if (!resume) return;
  const [newest] = (await listCheckpoints(db, { runId, first: 1 })).items;
  if (newest && newest.iteration >= resume.iteration) return;
  await insertKeptCheckpoint(db, { runId, iteration: resume.iteration, policy: resume.policy, reference: resume.reference, optimizer: resume.optimizer, state: resume.state });
}

async function runTraining(runId: string, signal: AbortSignal, deps: TrainingJobDeps): Promise<TrainingJobEnd> {
  let owned: OwnedTrainer | undefined;
  try {
    const run = await getRun(deps.db, runId);
    if (!run) throw new AppError('NOT_FOUND', `expected an existing training run, got id ${runId}`);
    const experiment = await getExperiment(deps.db, run.experimentId);
    if (!experiment) throw new AppError('NOT_FOUND', `expected the experiment of run ${runId}, got none`);
    const setup = await prepareTrainer(experiment, deps.runtime);
    const resume = await getResumeCheckpoint(deps.db, runId);
    owned = await setup.createTrainer(resume ? decodeTrainerSnapshot(resume) : undefined);
    if (owned.trainer.iteration !== run.iteration) {
      throw new AppError('INTERNAL', `expected the resume state of run ${runId} at iteration ${run.iteration}, got ${owned.trainer.iteration}`);
    }
    const trainer = owned.trainer;
    while (trainer.iteration < run.totalIterations) {
      if (signal.aborted) return 'interrupted';
      let row: MetricsRow;
      try {
        row = await trainer.iterate({ signal });
      } catch (error) {
        if (signal.aborted && isCoreError(error, 'ABORTED')) return 'interrupted';
        throw error;
      }
      await commit(deps, setup, runId, row, owned);
      if (signal.aborted) return 'interrupted';
    }
    await keepLatestCheckpoint(deps.db, runId);
    await setRunStatus(deps, runId, 'finished', { from: ['running'] });
    return 'finished';
  } catch (error) {
    // Interrupted while failing (shutdown closes the database under us): the run stays `running` and resumes.
    if (signal.aborted) return 'interrupted';
    deps.onError?.(`[server] training run ${runId} failed`, error);
    try {
      await setRunStatus(deps, runId, 'failed', { from: ['running'], error: error instanceof Error ? error.message : String(error) });
    } catch (statusError) {
      // CONFLICT: someone else already moved the run on (stopped, paused); their status stands.
      if (!isAppError(statusError, 'CONFLICT')) deps.onError?.(`[server] could not mark run ${runId} failed`, statusError);
    }
    return 'failed';
  } finally {
    owned?.dispose();
  }
}

/** Writes one finished iteration, then announces it. @internal */
async function commit(deps: TrainingJobDeps, setup: TrainerSetup, runId: string, row: MetricsRow, owned: OwnedTrainer): Promise<void> {
  const { trainer } = owned;
  const snapshot = await trainer.snapshot();
  const checkpoint = encodeTrainerSnapshot(snapshot);
  const episodes = trainer.lastBatch.map((trajectory): EpisodeWrite => ({
    indexInIteration: trajectory.episode,
    policy: 'training',
    taskId: trajectory.taskId,
    dataset: setup.byId.get(trajectory.taskId)?.dataset ?? trajectory.source,
    question: trajectory.question,
    backend: setup.backend,
    ...trajectoryResult(trajectory.outcome, finalCanvasOf(trajectory)),
    steps: (trajectory.steps ?? []).map(stepWrite),
  }));
  const metrics = finiteMetrics(row);
  const { episodeIds } = await commitIteration(deps.db, { runId, iteration: row.iteration, metrics, episodes, resumeCheckpoint: checkpoint });
  const every = setup.config.trainer.checkpointEvery;
  // Outside the iteration's transaction: a crash in between loses this kept copy, never training state.
  if (every > 0 && row.iteration % every === 0) await insertKeptCheckpoint(deps.db, { runId, ...checkpoint });
  const event: RunIterationEvent = { kind: 'iteration', seq: row.iteration, runId, iteration: row.iteration, metrics, episodeIds };
  await deps.pubSub.publish(runTopic(runId), event);
}
