import { METRICS, type LlmBackend } from '@flowsteer/core';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { createEpisode, getEpisode, getEpisodeSteps, listCheckpoints, listRunEpisodes, updateRunStatus } from '../../src/db/repositories/index.ts';
import { runMetrics } from '../../src/db/schema.ts';
import { createMemoryPubSub } from '../../src/events/memoryPubSub.ts';
import type { PubSub } from '../../src/events/pubSub.ts';
import type { RunIterationEvent } from '../../src/events/streamEvents.ts';
import type { JobRuntime } from '../../src/jobs/jobRuntime.ts';
import { createRunManager, type RunManager } from '../../src/jobs/runManager.ts';
import { createTestRun, followRun, runRow, testRuntime, TINY_EXPERIMENT } from './jobFixtures.ts';

/** Wall-clock metrics differ between any two runs; everything else must match exactly. */
const TIMING: readonly string[] = [METRICS.timeRolloutS, METRICS.timeUpdateS, METRICS.throughputStepsPerS];
const withoutTiming = (values: Record<string, number>) => Object.fromEntries(Object.entries(values).filter(([key]) => !TIMING.includes(key)));

let database: Database;
let pubSub: PubSub;
let runtime: JobRuntime;
let manager: RunManager;
/** Set by a test to run code before every executor call (the rollouts are the only callers). */
let onExecutorCall: ((request: Parameters<LlmBackend['complete']>[0]) => Promise<void>) | undefined;

beforeAll(async () => {
  database = await openDatabase({ dataDir: 'memory://' });
  pubSub = createMemoryPubSub();
  const base = testRuntime();
  // The same runtime with a hook in front of every executor call, to interrupt a run mid-rollout on cue.
  runtime = {
    ...base,
    backendFor(options) {
      const backend = base.backendFor(options);
      return {
        ...backend,
        async complete(request) {
          await onExecutorCall?.(request);
          return backend.complete(request);
        },
      };
    },
  };
  manager = createRunManager({ database, pubSub, runtime, concurrency: 1 });
});

afterAll(async () => {
  await manager.close();
  await pubSub.close();
  await database.close();
});

/** Metrics rows of a run in iteration order. */
const metricsOf = (runId: string) => database.db.select().from(runMetrics).where(eq(runMetrics.runId, runId)).orderBy(asc(runMetrics.iteration));

/** What identifies an episode's content: its slot, task and outcome. */
const episodeKeys = async (runId: string) =>
  (await listRunEpisodes(database.db, runId)).map((e) => ({ iteration: e.iteration, index: e.indexInIteration, taskId: e.taskId, reward: e.reward, finalDsl: e.finalDsl, answer: e.answer }));

let straightRunId = '';

describe('run manager', () => {
  it('trains a tiny run to the end: metrics, episodes with steps, kept checkpoints and progress events', async () => {
    const run = await createTestRun(database.db, 3);
    straightRunId = run.id;
    const follow = followRun(pubSub, run.id);
    await manager.startRun(run.id);
    await follow.untilStatus('finished');
    follow.stop();

    const finished = await runRow(database.db, run.id);
    expect(finished).toMatchObject({ status: 'finished', iteration: 3, error: null });
    expect((await metricsOf(run.id)).map((row) => row.iteration)).toEqual([1, 2, 3]);
    const episodes = await listRunEpisodes(database.db, run.id);
    expect(episodes).toHaveLength(3 * 2 * 2);
    expect(new Set(episodes.map((e) => `${e.iteration}/${e.indexInIteration}`)).size).toBe(12);
    for (const episode of episodes) {
      expect(episode).toMatchObject({ kind: 'training', status: 'finished', backend: 'sim', policy: 'training' });
      expect(episode.question.length).toBeGreaterThan(0);
      const steps = await getEpisodeSteps(database.db, episode.id);
      expect(steps.map((step) => step.step)).toEqual(steps.map((_, i) => i + 1));
      expect(steps.length).toBe(episode.rounds);
      const last = steps[steps.length - 1];
      expect(last?.reward).toBe(episode.reward);
      expect(last?.dsl).toBe(episode.finalDsl);
      expect(steps.slice(0, -1).every((step) => step.reward === null)).toBe(true);
    }
    // Kept every 2 iterations, and at the end.
    expect((await listCheckpoints(database.db, { runId: run.id })).items.map((c) => c.iteration).sort()).toEqual([2, 3]);

    const iterations = follow.events.filter((event): event is RunIterationEvent => event.kind === 'iteration');
    expect(iterations.map((event) => event.seq)).toEqual([1, 2, 3]);
    expect(iterations.every((event) => event.episodeIds.length === 4)).toBe(true);
    expect(iterations[0]?.metrics).toHaveProperty(METRICS.rewardMean);
    expect(follow.events.filter((event) => event.kind === 'status').map((event) => event.kind === 'status' && event.status)).toEqual(['running', 'finished']);
  });

  it('pauses mid-iteration without writing any of it, and the resumed run equals the uninterrupted one', async () => {
    const run = await createTestRun(database.db, 3);
    const follow = followRun(pubSub, run.id);
    let paused: Promise<void> | undefined;
    // At the first executor call after iteration 1 committed (iteration 2's rollouts), pause, and hold that
    // call until the iteration is aborted, so iteration 2 cannot finish first.
    onExecutorCall = async (request) => {
      if (paused) return;
      const { iteration } = await runRow(database.db, run.id);
      if (paused || iteration !== 1) return; // calls run concurrently: only one may pause
      paused = manager.pauseRun(run.id);
      await new Promise<void>((resolve) => (request.signal?.aborted ? resolve() : request.signal?.addEventListener('abort', () => resolve(), { once: true })));
    };
    await manager.startRun(run.id);
    await follow.untilStatus('paused');
    onExecutorCall = undefined;
    await paused;
    expect(await runRow(database.db, run.id)).toMatchObject({ status: 'paused', iteration: 1 });
    expect((await metricsOf(run.id)).map((row) => row.iteration)).toEqual([1]);
    expect(await listRunEpisodes(database.db, run.id)).toHaveLength(4);

    await manager.resumeRun(run.id);
    await follow.untilStatus('finished');
    follow.stop();
    const [resumed, straight] = [await metricsOf(run.id), await metricsOf(straightRunId)];
    expect(resumed.map((row) => withoutTiming(row.values))).toEqual(straight.map((row) => withoutTiming(row.values)));
    expect(await episodeKeys(run.id)).toEqual(await episodeKeys(straightRunId));
  });

  it('queues runs beyond its concurrency, pauses a queued run, stops a running one with a kept checkpoint', async () => {
    const long = await createTestRun(database.db, 50);
    const waiting = await createTestRun(database.db, 2);
    const follow = followRun(pubSub, long.id);
    await manager.startRun(long.id);
    await manager.startRun(waiting.id);
    await follow.until((event) => event.kind === 'iteration' && event.seq === 1);
    expect(manager.activeRuns()).toEqual({ running: [long.id], queued: [waiting.id] });

    await manager.pauseRun(waiting.id);
    expect(await runRow(database.db, waiting.id)).toMatchObject({ status: 'paused', iteration: 0, startedAt: null });

    await manager.stopRun(long.id);
    follow.stop();
    const stopped = await runRow(database.db, long.id);
    expect(stopped.status).toBe('stopped');
    expect(stopped.iteration).toBeGreaterThanOrEqual(1);
    expect(stopped.iteration).toBeLessThan(50);
    const kept = (await listCheckpoints(database.db, { runId: long.id })).items.map((c) => c.iteration);
    expect(Math.max(...kept)).toBe(stopped.iteration);
    expect((await metricsOf(long.id)).map((row) => row.iteration)).toEqual(Array.from({ length: stopped.iteration }, (_, i) => i + 1));
    expect(manager.activeRuns()).toEqual({ running: [], queued: [] });
  });

  it('refuses transitions that do not apply: CONFLICT for the wrong status, NOT_FOUND for an unknown run', async () => {
    const finished = await runRow(database.db, straightRunId);
    await expect(manager.pauseRun(finished.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(manager.resumeRun(finished.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(manager.stopRun(finished.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(manager.startRun(finished.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    const paused = await createTestRun(database.db, 2);
    await manager.pauseRun(paused.id);
    await expect(manager.pauseRun(paused.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await manager.stopRun(paused.id);
    await expect(manager.resumeRun(paused.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(manager.pauseRun('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await runRow(database.db, straightRunId)).toMatchObject({ status: 'finished', iteration: 3 });
  });

  it('recovers runs left running or queued, from scratch when they never committed, and fails orphaned agent episodes', async () => {
    const orphan = await createTestRun(database.db, 1);
    await updateRunStatus(database.db, orphan.id, 'running'); // as a killed server leaves it
    const agent = await createEpisode(database.db, { kind: 'agent', policy: 'cot', taskId: 'gsm8k/test/0', dataset: 'gsm8k', question: 'q', backend: 'sim' });
    const follow = followRun(pubSub, orphan.id);
    expect(await manager.recoverRuns()).toEqual([orphan.id]);
    await follow.untilStatus('finished');
    follow.stop();
    expect(await runRow(database.db, orphan.id)).toMatchObject({ status: 'finished', iteration: 1 });
    expect(await listRunEpisodes(database.db, orphan.id)).toHaveLength(4);
    expect(await getEpisode(database.db, agent.id)).toMatchObject({ status: 'failed', error: expect.stringContaining('server stopped') });
  });

  it('marks a run failed with a message when its experiment cannot train', async () => {
    const run = await createTestRun(database.db, 1, { ...TINY_EXPERIMENT, network: 'huge' as never });
    const follow = followRun(pubSub, run.id);
    await manager.startRun(run.id);
    await follow.untilStatus('failed');
    follow.stop();
    expect((await runRow(database.db, run.id)).error).toMatch(/expected experiment config network/);
  });
});
