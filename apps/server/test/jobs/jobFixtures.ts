/**
 * Fixtures of the jobs tests (also imported by the restart test's child process): a tiny experiment that
 * trains in about a second per iteration on the pure-JS tf backend, and helpers to create runs and follow
 * their event streams.
 */
import { validateConfig, type CwrpoConfigInput } from '@flowsteer/core';
import type { AppDb } from '../../src/db/client.ts';
import { createExperiment, createRun, getRun, type Run } from '../../src/db/repositories/index.ts';
import type { RunStatus } from '../../src/db/schema.ts';
import { runTopic, type PubSub } from '../../src/events/pubSub.ts';
import type { RunProgressEvent } from '../../src/events/streamEvents.ts';
import type { ExperimentConfig } from '../../src/graphql/context.ts';
import { createJobRuntime, type JobRuntime } from '../../src/jobs/jobRuntime.ts';

/** 2 tasks × group 2 per iteration, short episodes, one epoch: every iteration is cheap. */
export const TINY_TRAINER: CwrpoConfigInput = {
  groupSize: 2,
  tasksPerIteration: 2,
  miniBatchSize: 4,
  epochs: 1,
  maxRounds: 6,
  learningRate: 3e-3,
  seed: 17,
  checkpointEvery: 2,
};

export const TINY_EXPERIMENT: ExperimentConfig = {
  trainer: validateConfig(TINY_TRAINER),
  network: 'tiny',
  limit: 4,
  testFraction: 0.2,
  splitSeed: 'jobs-test',
};

/** Iterations of the run the restart test trains (its child process imports this too). */
export const RESTART_ITERATIONS = 3;

/** Bundled samples only (no shared datasets folder) and the pure-JS tf backend: the same everywhere. */
export function testRuntime(): JobRuntime {
  return createJobRuntime({ sharedDir: null, tfBackend: 'cpu' });
}

/** An experiment on gsm8k + squad_v2 and a queued run of it. */
export async function createTestRun(db: AppDb, totalIterations: number, config: ExperimentConfig = TINY_EXPERIMENT): Promise<Run> {
  const experiment = await createExperiment(db, {
    name: `tiny ${totalIterations}`,
    backend: 'sim',
    datasets: ['gsm8k', 'squad_v2'],
    config: config as unknown as Record<string, unknown>,
  });
  return createRun(db, { experimentId: experiment.id, totalIterations });
}

/** Collects a run's events from now on; `until` resolves when one matches. */
export function followRun(pubSub: PubSub, runId: string) {
  const controller = new AbortController();
  const events: RunProgressEvent[] = [];
  const waiters: { match: (event: RunProgressEvent) => boolean; resolve: (event: RunProgressEvent) => void }[] = [];
  const iterator = pubSub.subscribe<RunProgressEvent>(runTopic(runId), controller.signal);
  void (async () => {
    for await (const event of iterator) {
      events.push(event);
      for (const waiter of waiters.filter((candidate) => candidate.match(event))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  })();
  return {
    events,
    until(match: (event: RunProgressEvent) => boolean): Promise<RunProgressEvent> {
      const seen = events.find(match);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ match, resolve }));
    },
    untilStatus(status: RunStatus) {
      return this.until((event) => event.kind === 'status' && event.status === status);
    },
    stop: () => controller.abort(),
  };
}

/** The run row, which must exist. */
export async function runRow(db: AppDb, runId: string): Promise<Run> {
  const run = await getRun(db, runId);
  if (!run) throw new Error(`run ${runId} vanished`);
  return run;
}
