import { describe, expect, it } from 'vitest';
import type { AppDb } from '../../src/db/client.ts';
import {
  createExperiment,
  createRun,
  getExperiment,
  getRun,
  listExperiments,
  listRuns,
  listRunsByStatus,
  updateExperimentStatus,
  updateRunStatus,
  type Experiment,
  type ListExperimentsArgs,
} from '../../src/db/repositories/index.ts';
import { forEachDatabase } from './databases.ts';

const MISSING_ID = '00000000-0000-4000-8000-000000000000';

async function makeExperiment(db: AppDb, name: string, backend = 'sim'): Promise<Experiment> {
  return createExperiment(db, { name, backend, datasets: ['gsm8k', 'math'], config: { algorithm: 'cwrpo', lr: 0.001 } });
}

/** Every page of a list, following endCursor until hasNextPage is false. */
async function allPages(db: AppDb, args: ListExperimentsArgs): Promise<string[][]> {
  const pages: string[][] = [];
  let after: string | null = null;
  for (;;) {
    const page = await listExperiments(db, { ...args, after });
    pages.push(page.items.map((e) => e.name));
    if (!page.hasNextPage) return pages;
    after = page.endCursor;
  }
}

forEachDatabase('experiments and runs', (ctx) => {
  describe('experiments', () => {
    it('round-trips an experiment with its JSON config', async () => {
      const experiment = await makeExperiment(ctx.db, 'first');
      expect(experiment).toMatchObject({ status: 'idle', description: '', datasets: ['gsm8k', 'math'], config: { lr: 0.001 } });
      expect(await getExperiment(ctx.db, experiment.id)).toEqual(experiment);
      expect(await getExperiment(ctx.db, MISSING_ID)).toBeUndefined();
      expect(await getExperiment(ctx.db, 'nonsense')).toBeUndefined();
    });

    it('filters by status, backend and a literal name substring', async () => {
      const a = await makeExperiment(ctx.db, 'gsm8k 100%');
      await makeExperiment(ctx.db, 'GSM8K small', 'openai');
      await makeExperiment(ctx.db, 'math_big');
      await updateExperimentStatus(ctx.db, a.id, 'running');
      const names = async (args: ListExperimentsArgs) => (await listExperiments(ctx.db, { ...args, sort: 'NAME_ASC' })).items.map((e) => e.name);
      expect(await names({ nameContains: 'gsm8k' })).toEqual(['GSM8K small', 'gsm8k 100%']);
      expect(await names({ nameContains: '%' })).toEqual(['gsm8k 100%']);
      expect(await names({ nameContains: 'h_' })).toEqual(['math_big']);
      expect(await names({ backend: 'openai' })).toEqual(['GSM8K small']);
      expect(await names({ status: 'running' })).toEqual(['gsm8k 100%']);
      expect(await names({ status: 'running', backend: 'openai' })).toEqual([]);
    });

    it('pages through every sort order without gaps or duplicates', async () => {
      const created: string[] = [];
      for (let i = 0; i < 7; i++) created.push((await makeExperiment(ctx.db, `exp ${'gfedcba'[i]}`)).name);
      const flat = async (args: ListExperimentsArgs) => (await allPages(ctx.db, args)).flat();
      expect(await allPages(ctx.db, { first: 3, sort: 'CREATED_ASC' })).toEqual([created.slice(0, 3), created.slice(3, 6), created.slice(6)]);
      expect(await flat({ first: 2, sort: 'CREATED_DESC' })).toEqual([...created].reverse());
      expect(await flat({ first: 3, sort: 'NAME_ASC' })).toEqual([...created].sort());
      expect(await flat({ first: 100 })).toEqual([...created].reverse());
    });

    it('lists rows that share created_at (one transaction, one now()) in the order they were written', async () => {
      const names = ['q', 'w', 'e', 'r', 't', 'y'];
      await ctx.db.transaction(async (tx) => {
        for (const name of names) await makeExperiment(tx as unknown as AppDb, name);
      });
      const page = await listExperiments(ctx.db, { first: 10, sort: 'CREATED_ASC' });
      expect(new Set(page.items.map((e) => e.createdAt.getTime())).size).toBe(1);
      expect(page.items.map((e) => e.name)).toEqual(names);
      expect((await listExperiments(ctx.db, { first: 10 })).items.map((e) => e.name)).toEqual([...names].reverse());
    });

    it('rejects a cursor of another sort, a forged cursor and an oversized page with BAD_USER_INPUT', async () => {
      await makeExperiment(ctx.db, 'a');
      await makeExperiment(ctx.db, 'b');
      const page = await listExperiments(ctx.db, { first: 1, sort: 'NAME_ASC' });
      expect(page.hasNextPage).toBe(true);
      await expect(listExperiments(ctx.db, { after: page.endCursor, sort: 'CREATED_DESC' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      await expect(listExperiments(ctx.db, { after: 'bm90IGEgY3Vyc29y' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      await expect(listExperiments(ctx.db, { first: 101 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(await listExperiments(ctx.db, { first: 0 })).toEqual({ items: [], cursors: [], hasNextPage: true, endCursor: null });
    });
  });

  describe('runs', () => {
    it('creates runs that mark the experiment, and lists them newest first', async () => {
      const experiment = await makeExperiment(ctx.db, 'e');
      const first = await createRun(ctx.db, { experimentId: experiment.id, totalIterations: 5 });
      const second = await createRun(ctx.db, { experimentId: experiment.id, totalIterations: 3, status: 'paused' });
      expect(first).toMatchObject({ status: 'queued', iteration: 0, totalIterations: 5, startedAt: null });
      expect((await getExperiment(ctx.db, experiment.id))?.status).toBe('paused');
      const page = await listRuns(ctx.db, experiment.id, { first: 1 });
      expect(page.items.map((r) => r.id)).toEqual([second.id]);
      const next = await listRuns(ctx.db, experiment.id, { first: 1, after: page.endCursor });
      expect(next).toMatchObject({ items: [{ id: first.id }], hasNextPage: false });
      expect(await getRun(ctx.db, first.id)).toEqual(first);
    });

    it('refuses a run of an unknown experiment with NOT_FOUND', async () => {
      await expect(createRun(ctx.db, { experimentId: MISSING_ID, totalIterations: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(createRun(ctx.db, { experimentId: 'x', totalIterations: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('stamps start and finish times, stores errors and mirrors the latest run on the experiment', async () => {
      const experiment = await makeExperiment(ctx.db, 'e');
      const old = await createRun(ctx.db, { experimentId: experiment.id, totalIterations: 2 });
      const latest = await createRun(ctx.db, { experimentId: experiment.id, totalIterations: 2 });

      const running = await updateRunStatus(ctx.db, latest.id, 'running');
      expect(running.startedAt).toBeInstanceOf(Date);
      expect(running.finishedAt).toBeNull();
      expect((await getExperiment(ctx.db, experiment.id))?.status).toBe('running');

      const paused = await updateRunStatus(ctx.db, latest.id, 'paused');
      const resumed = await updateRunStatus(ctx.db, latest.id, 'running');
      expect(resumed.startedAt).toEqual(running.startedAt);
      expect(paused.status).toBe('paused');

      // The older run changing does not overwrite the experiment's status.
      await updateRunStatus(ctx.db, old.id, 'stopped');
      expect((await getExperiment(ctx.db, experiment.id))?.status).toBe('running');

      const failed = await updateRunStatus(ctx.db, latest.id, 'failed', { error: 'executor crashed' });
      expect(failed).toMatchObject({ status: 'failed', error: 'executor crashed' });
      expect(failed.finishedAt).toBeInstanceOf(Date);
      expect((await getExperiment(ctx.db, experiment.id))?.status).toBe('failed');
    });

    it('compares and sets with `from`, and reports unknown runs', async () => {
      const experiment = await makeExperiment(ctx.db, 'e');
      const run = await createRun(ctx.db, { experimentId: experiment.id, totalIterations: 2 });
      await expect(updateRunStatus(ctx.db, run.id, 'running', { from: ['paused'] })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect((await getRun(ctx.db, run.id))?.status).toBe('queued');
      await expect(updateRunStatus(ctx.db, run.id, 'running', { from: ['queued', 'paused'] })).resolves.toMatchObject({ status: 'running' });
      await expect(updateRunStatus(ctx.db, MISSING_ID, 'running')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('lists runs by status, oldest first', async () => {
      const experiment = await makeExperiment(ctx.db, 'e');
      const a = await createRun(ctx.db, { experimentId: experiment.id, totalIterations: 2 });
      const b = await createRun(ctx.db, { experimentId: experiment.id, totalIterations: 2 });
      const c = await createRun(ctx.db, { experimentId: experiment.id, totalIterations: 2 });
      await updateRunStatus(ctx.db, a.id, 'running');
      await updateRunStatus(ctx.db, c.id, 'running');
      await updateRunStatus(ctx.db, b.id, 'finished');
      expect((await listRunsByStatus(ctx.db, ['running'])).map((r) => r.id)).toEqual([a.id, c.id]);
      expect((await listRunsByStatus(ctx.db, ['running', 'finished'])).map((r) => r.id)).toEqual([a.id, b.id, c.id]);
      expect(await listRunsByStatus(ctx.db, [])).toEqual([]);
    });
  });
});
