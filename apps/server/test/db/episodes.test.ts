import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { AppDb } from '../../src/db/client.ts';
import {
  appendEpisodeStep,
  createEpisode,
  finishEpisode,
  getEpisode,
  getEpisodeSteps,
  listEpisodes,
  type ListEpisodesArgs,
} from '../../src/db/repositories/index.ts';
import { episodes } from '../../src/db/schema.ts';
import { forEachDatabase } from './databases.ts';
import { episodeFixture, seedRun, stepFixture, stepsFixture } from './fixtures.ts';

/** Follows endCursor to the end; returns the ids page by page. */
async function pageIds(db: AppDb, args: ListEpisodesArgs): Promise<string[][]> {
  const pages: string[][] = [];
  let after: string | null = null;
  for (;;) {
    const page = await listEpisodes(db, { ...args, after });
    pages.push(page.items.map((e) => e.id));
    if (!page.hasNextPage) return pages;
    after = page.endCursor;
  }
}

/** Inserts episodes at explicit timestamps (several sharing one, others a microsecond apart). */
async function insertAt(db: AppDb, timestamps: string[], kind: 'agent' | 'evaluation' = 'agent'): Promise<void> {
  await db.insert(episodes).values(
    timestamps.map((at, i) => ({ ...episodeFixture({ kind, taskId: `t/${i}` }), createdAt: sql`${at}::timestamptz` })),
  );
}

/** Ids ordered as the list must order them: created_at desc, then id desc. */
async function expectedOrder(db: AppDb, where = sql`true`): Promise<string[]> {
  const rows = await db.execute<{ id: string }>(sql`select id from episodes where ${where} order by created_at desc, id desc`);
  return (Array.isArray(rows) ? rows : (rows as unknown as { rows: { id: string }[] }).rows).map((r) => r.id);
}

forEachDatabase('episodes', (ctx) => {
  describe('streamed episodes', () => {
    it('creates a running episode, appends steps and finishes it with the remaining steps', async () => {
      const episode = await createEpisode(ctx.db, episodeFixture());
      expect(episode).toMatchObject({ status: 'running', kind: 'agent', finishedAt: null, reward: null });
      await appendEpisodeStep(ctx.db, episode.id, stepFixture(1));
      const second = await appendEpisodeStep(ctx.db, episode.id, stepFixture(2, { valid: false, feedback: 'cycle', reward: -0.1 }));
      expect(second).toMatchObject({ episodeId: episode.id, step: 2, valid: false, reward: -0.1 });

      const finished = await finishEpisode(ctx.db, episode.id, {
        steps: [stepFixture(3), stepFixture(4)],
        finalDsl: 'AnswerGenerate -> Format',
        answer: '391',
        answerScore: 1,
        reward: 0.9,
        tokens: 50,
      });
      expect(finished).toMatchObject({ status: 'finished', reward: 0.9, answer: '391', error: null });
      expect(finished.finishedAt).toBeInstanceOf(Date);
      expect(await getEpisode(ctx.db, episode.id)).toEqual(finished);
      expect((await getEpisodeSteps(ctx.db, episode.id)).map((s) => s.step)).toEqual([1, 2, 3, 4]);
      expect((await getEpisodeSteps(ctx.db, episode.id, { sinceStep: 2 })).map((s) => s.step)).toEqual([3, 4]);
    });

    it('marks an episode with an error as failed', async () => {
      const episode = await createEpisode(ctx.db, episodeFixture({ kind: 'evaluation' }));
      expect(await finishEpisode(ctx.db, episode.id, { error: 'sandbox timed out' })).toMatchObject({ status: 'failed', error: 'sandbox timed out' });
    });

    it('finishes all or nothing: a repeated step number leaves the episode running with its earlier steps', async () => {
      const episode = await createEpisode(ctx.db, episodeFixture());
      await appendEpisodeStep(ctx.db, episode.id, stepFixture(1));
      await expect(finishEpisode(ctx.db, episode.id, { steps: [stepFixture(2), stepFixture(1)], reward: 1 })).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      expect(await getEpisode(ctx.db, episode.id)).toMatchObject({ status: 'running', reward: null });
      expect((await getEpisodeSteps(ctx.db, episode.id)).map((s) => s.step)).toEqual([1]);
    });

    it('refuses steps and a second finish once the episode ended, and unknown episodes', async () => {
      const episode = await createEpisode(ctx.db, episodeFixture());
      await finishEpisode(ctx.db, episode.id, { steps: stepsFixture(2) });
      await expect(appendEpisodeStep(ctx.db, episode.id, stepFixture(3))).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(finishEpisode(ctx.db, episode.id, {})).rejects.toMatchObject({ code: 'CONFLICT' });
      const missing = '00000000-0000-4000-8000-000000000000';
      await expect(appendEpisodeStep(ctx.db, missing, stepFixture(1))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(finishEpisode(ctx.db, 'bogus', {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await getEpisode(ctx.db, missing)).toBeUndefined();
      expect(await getEpisodeSteps(ctx.db, 'bogus')).toEqual([]);
    });

    it('refuses a missing or malformed checkpoint reference with NOT_FOUND', async () => {
      for (const checkpointId of ['00000000-0000-4000-8000-000000000000', 'checkpoint-7']) {
        await expect(createEpisode(ctx.db, episodeFixture({ policy: 'checkpoint', checkpointId }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      }
    });

    it('refuses a duplicate step with CONFLICT', async () => {
      const episode = await createEpisode(ctx.db, episodeFixture());
      await appendEpisodeStep(ctx.db, episode.id, stepFixture(1));
      await expect(appendEpisodeStep(ctx.db, episode.id, stepFixture(1))).rejects.toMatchObject({ code: 'CONFLICT' });
    });
  });

  describe('listEpisodes', () => {
    it('pages newest first without gaps or duplicates across equal and microsecond-apart timestamps', async () => {
      // Same-microsecond ties (as a commitIteration transaction produces) and rows 1 µs apart, which a
      // millisecond (JS Date) cursor could not tell apart.
      const tied = Array.from({ length: 9 }, () => '2026-01-01T00:00:00.000500Z');
      const apart = Array.from({ length: 9 }, (_, i) => `2026-01-01T00:00:00.00050${i}Z`);
      await insertAt(ctx.db, [...tied, ...apart, '2026-01-02T00:00:00Z', '2025-12-31T00:00:00Z']);
      const expected = await expectedOrder(ctx.db);
      expect(expected).toHaveLength(20);

      for (const first of [1, 3, 7, 20]) {
        const pages = await pageIds(ctx.db, { first });
        expect(pages.flat()).toEqual(expected);
        expect(pages.every((page) => page.length <= first)).toBe(true);
        expect(pages).toHaveLength(Math.ceil(20 / first));
      }
    });

    it('filters by run, kind, dataset and status, and binds cursors to the filters', async () => {
      const { run } = await seedRun(ctx.db);
      const inRun = await createEpisode(ctx.db, episodeFixture({ kind: 'training', runId: run.id, iteration: 1, indexInIteration: 0 }));
      const math = await createEpisode(ctx.db, episodeFixture({ dataset: 'math' }));
      await createEpisode(ctx.db, episodeFixture({ kind: 'evaluation' }));
      await finishEpisode(ctx.db, math.id, {});

      const ids = async (args: ListEpisodesArgs) => (await listEpisodes(ctx.db, args)).items.map((e) => e.id);
      expect(await ids({ runId: run.id })).toEqual([inRun.id]);
      expect(await ids({ kind: 'training' })).toEqual([inRun.id]);
      expect(await ids({ dataset: 'math' })).toEqual([math.id]);
      expect(await ids({ status: 'finished' })).toEqual([math.id]);
      expect(await ids({ kind: 'agent', dataset: 'gsm8k' })).toEqual([]);
      expect(await ids({ runId: 'not-a-uuid' })).toEqual([]);

      const page = await listEpisodes(ctx.db, { first: 1 });
      await expect(listEpisodes(ctx.db, { first: 1, kind: 'agent', after: page.endCursor })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    });

    it('pages within one kind using the kind index order', async () => {
      await insertAt(ctx.db, Array.from({ length: 5 }, (_, i) => `2026-02-0${i + 1}T00:00:00Z`), 'evaluation');
      await insertAt(ctx.db, Array.from({ length: 4 }, (_, i) => `2026-02-0${i + 1}T12:00:00Z`), 'agent');
      const expected = await expectedOrder(ctx.db, sql`kind = 'evaluation'`);
      expect((await pageIds(ctx.db, { kind: 'evaluation', first: 2 })).flat()).toEqual(expected);
    });

    it('refuses a duplicate training slot with CONFLICT', async () => {
      const { run } = await seedRun(ctx.db);
      const slot = { kind: 'training' as const, runId: run.id, iteration: 1, indexInIteration: 0 };
      await createEpisode(ctx.db, episodeFixture(slot));
      await expect(createEpisode(ctx.db, episodeFixture(slot))).rejects.toMatchObject({ code: 'CONFLICT' });
    });
  });
});
