import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { AppDb } from '../../src/db/client.ts';
import {
  commitIteration,
  getCheckpoint,
  getEpisodeSteps,
  getMetrics,
  getResumeCheckpoint,
  getRun,
  insertKeptCheckpoint,
  listCheckpoints,
  listRunEpisodes,
  saveResumeCheckpoint,
  type CommitIterationInput,
} from '../../src/db/repositories/index.ts';
import { checkpoints, episodeSteps, episodes, runMetrics } from '../../src/db/schema.ts';
import { forEachDatabase } from './databases.ts';
import { episodeWriteFixture, resumeFixture, seedRun, stepFixture } from './fixtures.ts';

async function rowCounts(db: AppDb, runId: string) {
  const [e] = await db.select({ n: count() }).from(episodes).where(eq(episodes.runId, runId));
  const [s] = await db.select({ n: count() }).from(episodeSteps);
  const [m] = await db.select({ n: count() }).from(runMetrics).where(eq(runMetrics.runId, runId));
  const [c] = await db.select({ n: count() }).from(checkpoints).where(eq(checkpoints.runId, runId));
  return { episodes: e!.n, steps: s!.n, metrics: m!.n, checkpoints: c!.n };
}

function iterationInput(runId: string, iteration: number, episodeCount = 3): CommitIterationInput {
  return {
    runId,
    iteration,
    metrics: { 'loss/policy': iteration * 0.1, 'reward/mean': iteration },
    episodes: Array.from({ length: episodeCount }, (_, i) => episodeWriteFixture(i, 4)),
    resumeCheckpoint: resumeFixture(iteration),
  };
}

forEachDatabase('training runs', (ctx) => {
  describe('commitIteration', () => {
    it('writes metrics, episodes with steps, the resume checkpoint and the counter together', async () => {
      const { run } = await seedRun(ctx.db);
      const { episodeIds } = await commitIteration(ctx.db, iterationInput(run.id, 1));
      expect(episodeIds).toHaveLength(3);
      expect(await rowCounts(ctx.db, run.id)).toEqual({ episodes: 3, steps: 12, metrics: 1, checkpoints: 1 });
      expect((await getRun(ctx.db, run.id))?.iteration).toBe(1);

      const stored = await listRunEpisodes(ctx.db, run.id);
      expect(stored.map((e) => e.id)).toEqual(episodeIds);
      expect(stored[0]).toMatchObject({ kind: 'training', status: 'finished', iteration: 1, indexInIteration: 0, reward: 0.8 });
      expect(stored[0]!.rewardComponents).toEqual({ answer: 1, cost: -0.2, valid: true });
      expect(stored[0]!.finishedAt).toBeInstanceOf(Date);
      const steps = await getEpisodeSteps(ctx.db, episodeIds[2]!);
      expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
      expect(steps[3]!.canvas).toEqual(stepFixture(4).canvas);

      const resume = await getResumeCheckpoint(ctx.db, run.id);
      expect(resume).toMatchObject({ kind: 'resume', iteration: 1, state: { rng: 1, step: 10 }, optimizer: null });
      expect(resume!.policy).toBeInstanceOf(Uint8Array);
      expect([...resume!.policy]).toEqual([1, 2, 3, 255]);
      expect([...resume!.reference!]).toEqual([9, 9]);
    });

    it('replaces the resume checkpoint each iteration, keeping one row per run', async () => {
      const { run } = await seedRun(ctx.db);
      await commitIteration(ctx.db, iterationInput(run.id, 1));
      await commitIteration(ctx.db, iterationInput(run.id, 2));
      expect(await rowCounts(ctx.db, run.id)).toMatchObject({ episodes: 6, metrics: 2, checkpoints: 1 });
      const resume = await getResumeCheckpoint(ctx.db, run.id);
      expect(resume).toMatchObject({ iteration: 2, state: { rng: 2 } });
      expect((await listRunEpisodes(ctx.db, run.id, { sinceIteration: 1 })).map((e) => e.iteration)).toEqual([2, 2, 2]);
    });

    it('rejects a second commit of the same iteration with CONFLICT and writes nothing', async () => {
      const { run } = await seedRun(ctx.db);
      await commitIteration(ctx.db, iterationInput(run.id, 1));
      const before = await rowCounts(ctx.db, run.id);
      const again = { ...iterationInput(run.id, 1, 5), resumeCheckpoint: resumeFixture(99) };
      await expect(commitIteration(ctx.db, again)).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await rowCounts(ctx.db, run.id)).toEqual(before);
      expect((await getResumeCheckpoint(ctx.db, run.id))?.state).toEqual({ rng: 1, step: 10 });
    });

    it('leaves no episode, step, metric or checkpoint behind when a write inside fails', async () => {
      const { run } = await seedRun(ctx.db);
      const input = iterationInput(run.id, 1);
      // The last episode repeats step 2: its step insert fails after the metrics, the episodes and the first
      // episodes' steps were already written in the transaction.
      const broken = episodeWriteFixture(2, 0, { steps: [stepFixture(1), stepFixture(2), stepFixture(2)] });
      await expect(commitIteration(ctx.db, { ...input, episodes: [...input.episodes.slice(0, 2), broken] })).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      expect(await rowCounts(ctx.db, run.id)).toEqual({ episodes: 0, steps: 0, metrics: 0, checkpoints: 0 });
      expect((await getRun(ctx.db, run.id))?.iteration).toBe(0);
      // The run is still usable: the same iteration commits cleanly afterwards.
      await commitIteration(ctx.db, input);
      expect(await rowCounts(ctx.db, run.id)).toMatchObject({ episodes: 3, metrics: 1 });
    });

    it('rolls back on a missing referenced checkpoint (NOT_FOUND) and on an unknown run', async () => {
      const { run } = await seedRun(ctx.db);
      const input = iterationInput(run.id, 1);
      const dangling = episodeWriteFixture(3, 2, { checkpointId: '00000000-0000-4000-8000-000000000000' });
      await expect(commitIteration(ctx.db, { ...input, episodes: [...input.episodes, dangling] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await rowCounts(ctx.db, run.id)).toEqual({ episodes: 0, steps: 0, metrics: 0, checkpoints: 0 });
      await expect(commitIteration(ctx.db, iterationInput('00000000-0000-4000-8000-000000000000', 1))).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });

    it('writes large iterations in chunks (over a thousand step rows)', async () => {
      const { run } = await seedRun(ctx.db);
      const input = { ...iterationInput(run.id, 1, 0), episodes: Array.from({ length: 60 }, (_, i) => episodeWriteFixture(i, 20)) };
      await commitIteration(ctx.db, input);
      expect(await rowCounts(ctx.db, run.id)).toMatchObject({ episodes: 60, steps: 1200 });
    });
  });

  describe('metrics', () => {
    it('reads metrics by name and since an iteration', async () => {
      const { run } = await seedRun(ctx.db);
      for (let i = 1; i <= 4; i++) await commitIteration(ctx.db, { ...iterationInput(run.id, i, 0) });
      const all = await getMetrics(ctx.db, run.id);
      expect(all.map((p) => p.iteration)).toEqual([1, 2, 3, 4]);
      expect(all[1]).toEqual({ iteration: 2, values: { 'loss/policy': 0.2, 'reward/mean': 2 }, count: 1 });
      const since = await getMetrics(ctx.db, run.id, { names: ['reward/mean'], sinceIteration: 2 });
      expect(since).toEqual([
        { iteration: 3, values: { 'reward/mean': 3 }, count: 1 },
        { iteration: 4, values: { 'reward/mean': 4 }, count: 1 },
      ]);
    });

    it('downsamples long runs to bucket means, keeping the first and last iteration', async () => {
      const { run } = await seedRun(ctx.db, 100);
      for (let i = 1; i <= 10; i++) await commitIteration(ctx.db, { ...iterationInput(run.id, i, 0), metrics: { x: i } });
      const points = await getMetrics(ctx.db, run.id, { maxPoints: 6 });
      // Interior iterations 2..9 in 4 buckets of 2.
      expect(points).toEqual([
        { iteration: 1, values: { x: 1 }, count: 1 },
        { iteration: 3, values: { x: 2.5 }, count: 2 },
        { iteration: 5, values: { x: 4.5 }, count: 2 },
        { iteration: 7, values: { x: 6.5 }, count: 2 },
        { iteration: 9, values: { x: 8.5 }, count: 2 },
        { iteration: 10, values: { x: 10 }, count: 1 },
      ]);
      await expect(getMetrics(ctx.db, run.id, { maxPoints: 1 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    });
  });

  describe('checkpoints', () => {
    it('stores kept checkpoints and lists summaries without the weights, newest first', async () => {
      const { run } = await seedRun(ctx.db);
      const weights = new Uint8Array(4096).map((_, i) => i % 251);
      const first = await insertKeptCheckpoint(ctx.db, { runId: run.id, iteration: 5, policy: weights, state: { it: 5 } });
      const second = await insertKeptCheckpoint(ctx.db, { runId: run.id, iteration: 10, policy: weights.slice(0, 10), state: { it: 10 } });
      await saveResumeCheckpoint(ctx.db, run.id, { iteration: 10, ...resumeFixture(3) });
      expect(first).toMatchObject({ kind: 'kept', iteration: 5, policyBytes: 4096 });
      expect(first).not.toHaveProperty('policy');

      const page = await listCheckpoints(ctx.db, { runId: run.id, first: 1 });
      expect(page.items.map((c) => c.id)).toEqual([second.id]);
      const rest = await listCheckpoints(ctx.db, { runId: run.id, after: page.endCursor });
      expect(rest).toMatchObject({ items: [{ id: first.id }], hasNextPage: false });
      expect((await listCheckpoints(ctx.db)).items).toHaveLength(2);

      const full = await getCheckpoint(ctx.db, first.id);
      expect(full!.policy).toEqual(weights);
      expect(await getCheckpoint(ctx.db, 'nope')).toBeUndefined();
    });
  });
});
