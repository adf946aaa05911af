/**
 * The jobs layer behind the GraphQL mutations ({@link Jobs}): training runs as in-process jobs with a
 * concurrency limit (runs beyond it wait `queued`, first come first served), streamed agent episodes and
 * evaluations.
 *
 * Status transitions (the database's compare-and-set in `updateRunStatus` is the arbiter, so a transition that
 * does not apply is a CONFLICT whoever races whom):
 * - queued → running when a slot frees; running → finished | failed by the job itself;
 * - pause: queued | running → paused; resume: paused → queued; stop: queued | running | paused → stopped.
 * Pausing or stopping a running run interrupts its job first and waits for it: the iteration in flight is
 * aborted and nothing of it is written, so the status change lands on a run whose database state is exactly
 * its last committed iteration. Control calls on one run are serialised (a per-run lock), so a pause and a
 * stop arriving together apply one after the other.
 *
 * `close()` (server shutdown) interrupts jobs WITHOUT changing their status: runs left `running` or `queued`
 * are picked up by `recoverRuns()` at the next start and continue from their resume snapshot.
 * @public
 */
import type { AppDb } from '../db/client.ts';
import { finishEpisode, getRun, listEpisodes, listRunsByStatus } from '../db/repositories/index.ts';
import { AppError } from '../errors.ts';
import type { PubSub } from '../events/pubSub.ts';
import type { EvaluateJobInput, Jobs } from '../graphql/context.ts';
import { createAgentRunner, type RunAgentInput } from './agentRunner.ts';
import { evaluate, type EvaluationResult } from './evaluator.ts';
import { createJobRuntime, type JobRuntime } from './jobRuntime.ts';
import { keepLatestCheckpoint, setRunStatus, startTrainingJob, type TrainingJob } from './trainingJob.ts';

/** Options of {@link createRunManager}. @public */
export interface RunManagerOptions {
  /** An open database (`openDatabase`); only its drizzle handle is used, and it is not closed here. */
  readonly database: { readonly db: AppDb };
  readonly pubSub: PubSub;
  /** Training runs executing at once; more wait `queued`. @default 1 */
  readonly concurrency?: number;
  /** Registry, sandbox, datasets and executor backends. @default createJobRuntime() */
  readonly runtime?: JobRuntime;
  /** Failures recorded on a run or episode that also deserve a log line. @default none */
  readonly onError?: (message: string, error: unknown) => void;
}

/** The jobs layer: {@link Jobs} plus start-up recovery and shutdown. @public */
export interface RunManager extends Jobs {
  runAgent(input: RunAgentInput): Promise<{ episodeId: string }>;
  evaluate(input: EvaluateJobInput): Promise<EvaluationResult>;
  /**
   * Call once at start, before serving: schedules every run left `running` or `queued` (by a crash or a
   * shutdown) and resolves with their ids; agent and evaluation episodes left `running` cannot continue (they
   * were not snapshotted), so they are stored as failed.
   */
  recoverRuns(): Promise<string[]>;
  /** Ids of the runs executing now and of those waiting for a slot. */
  activeRuns(): { readonly running: readonly string[]; readonly queued: readonly string[] };
  /** Resolves when no run is executing or waiting and no agent episode is running. */
  whenIdle(): Promise<void>;
  /** Interrupts every job (statuses untouched, see above), fails running agent episodes, refuses new work. */
  close(): Promise<void>;
}

/** Creates the jobs layer. Nothing runs until `startRun`, `resumeRun` or `recoverRuns`. @public */
export function createRunManager(options: RunManagerOptions): RunManager {
  const { db } = options.database;
  const { pubSub } = options;
  const runtime = options.runtime ?? createJobRuntime();
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const deps = { db, pubSub, runtime, ...(options.onError ? { onError: options.onError } : {}) };
  const agents = createAgentRunner(deps);
  const queue: string[] = [];
  const active = new Map<string, TrainingJob>();
  const locks = new Map<string, Promise<unknown>>();
  let launching = 0;
  let closed = false;

  /** Runs `fn` after every earlier control call on the same run has settled. */
  function withRunLock<T>(runId: string, fn: () => Promise<T>): Promise<T> {
    const previous = locks.get(runId) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.catch(() => undefined);
    locks.set(runId, settled);
    void settled.then(() => {
      if (locks.get(runId) === settled) locks.delete(runId);
    });
    return next;
  }

  function assertOpen(): void {
    if (closed) throw new AppError('INTERNAL', 'expected a running server, got one shutting down');
  }

  async function existingRun(runId: string) {
    const run = await getRun(db, runId);
    if (!run) throw new AppError('NOT_FOUND', `expected an existing training run, got id ${runId}`);
    return run;
  }

  function enqueue(runId: string): void {
    if (!queue.includes(runId) && !active.has(runId)) queue.push(runId);
    pump();
  }

  function pump(): void {
    while (!closed && active.size + launching < concurrency && queue.length > 0) {
      const runId = queue.shift() as string;
      launching += 1;
      void withRunLock(runId, () => launch(runId)).finally(() => {
        launching -= 1;
        pump();
      });
    }
  }

  async function launch(runId: string): Promise<void> {
    if (closed) return;
    try {
      // `running` too: a run recovered after a crash is still marked running.
      await setRunStatus(deps, runId, 'running', { from: ['queued', 'running'] });
    } catch (error) {
      // Paused or stopped while it waited: nothing to start.
      if (!(error instanceof AppError && error.code === 'CONFLICT')) options.onError?.(`[server] could not start run ${runId}`, error);
      return;
    }
    const job = startTrainingJob(runId, deps);
    active.set(runId, job);
    void job.done.then(() => {
      active.delete(runId);
      pump();
    });
  }

  /** Takes a run out of the scheduler: dequeued, or its job interrupted and awaited. */
  async function halt(runId: string): Promise<void> {
    const queued = queue.indexOf(runId);
    if (queued >= 0) queue.splice(queued, 1);
    const job = active.get(runId);
    if (job) {
      job.interrupt();
      await job.done;
    }
  }

  return {
    startRun: (runId) =>
      withRunLock(runId, async () => {
        assertOpen();
        const run = await existingRun(runId);
        if (run.status !== 'queued' || queue.includes(runId) || active.has(runId)) {
          throw new AppError('CONFLICT', `expected run ${runId} to be queued and not yet scheduled, got ${run.status}${active.has(runId) ? ' (executing)' : ''}`);
        }
        enqueue(runId);
      }),
    pauseRun: (runId) =>
      withRunLock(runId, async () => {
        assertOpen();
        await existingRun(runId);
        await halt(runId);
        await setRunStatus(deps, runId, 'paused', { from: ['queued', 'running'] });
      }),
    resumeRun: (runId) =>
      withRunLock(runId, async () => {
        assertOpen();
        await existingRun(runId);
        await setRunStatus(deps, runId, 'queued', { from: ['paused'] });
        enqueue(runId);
      }),
    stopRun: (runId) =>
      withRunLock(runId, async () => {
        assertOpen();
        const run = await existingRun(runId);
        if (!['queued', 'running', 'paused'].includes(run.status)) {
          throw new AppError('CONFLICT', `expected run ${runId} to be queued, running or paused to become stopped, got ${run.status}`);
        }
        await halt(runId);
        // The state of the last committed iteration becomes a kept checkpoint before the run reads as stopped.
        await keepLatestCheckpoint(db, runId);
        await setRunStatus(deps, runId, 'stopped', { from: ['queued', 'running', 'paused'] });
      }),
    runAgent: (input) => {
      assertOpen();
      return agents.runAgent(input);
    },
    evaluate: (input) => {
      assertOpen();
      return evaluate({ db, runtime }, input);
    },
    async recoverRuns() {
      assertOpen();
      const runs = await listRunsByStatus(db, ['running', 'queued']);
      for (const run of runs) enqueue(run.id);
      for (const kind of ['agent', 'evaluation'] as const) {
        for (;;) {
          const { items } = await listEpisodes(db, { kind, status: 'running', first: 100 });
          if (items.length === 0) break;
          for (const episode of items) await finishEpisode(db, episode.id, { status: 'failed', error: 'the server stopped while this episode ran' });
        }
      }
      return runs.map((run) => run.id);
    },
    activeRuns: () => ({ running: [...active.keys()], queued: [...queue] }),
    async whenIdle() {
      for (;;) {
        const pending = [...active.values()].map((job) => job.done);
        if (pending.length === 0 && queue.length === 0 && launching === 0 && locks.size === 0) break;
        await Promise.all([...pending, ...locks.values()]);
        // Let finished jobs hand their slot to the next queued run before looking again.
        await new Promise((resolve) => setImmediate(resolve));
      }
      await agents.whenIdle();
    },
    async close() {
      closed = true;
      queue.length = 0;
      for (const job of active.values()) job.interrupt();
      await Promise.all([...active.values()].map((job) => job.done));
      await Promise.all(locks.values());
      await agents.close();
    },
  };
}
