import { describe, expect, it } from 'vitest';
import {
  createCorrection,
  createEpisode,
  createReview,
  createUser,
  createWorkflow,
  getCached,
  getWorkflow,
  getWorkflowVersion,
  listCorrections,
  listReviews,
  listWorkflowVersions,
  listWorkflows,
  putCached,
  saveWorkflowVersion,
  type VersionWrite,
} from '../../src/db/repositories/index.ts';
import { forEachDatabase } from './databases.ts';
import { episodeFixture } from './fixtures.ts';

function version(dsl: string, overrides: Partial<VersionWrite> = {}): VersionWrite {
  return { dsl, canvas: { stages: dsl.split(' -> ') }, authorKind: 'human', ...overrides };
}

forEachDatabase('workflows, reviews and the llm cache', (ctx) => {
  describe('workflows', () => {
    it('creates a workflow with version 1 and saves versions on top of the expected one', async () => {
      const user = await createUser(ctx.db, { name: 'ada', role: 'editor' });
      const { workflow, version: v1 } = await createWorkflow(ctx.db, {
        name: 'math solver',
        taskKind: 'math',
        createdBy: user.id,
        version: version('Programmer -> Format', { authorUserId: user.id, message: 'first' }),
      });
      expect(workflow).toMatchObject({ latestVersion: 1, taskKind: 'math', description: '' });
      expect(v1).toMatchObject({ workflowId: workflow.id, version: 1, authorKind: 'human', message: 'first', canvas: { stages: ['Programmer', 'Format'] } });

      const v2 = await saveWorkflowVersion(ctx.db, { workflowId: workflow.id, expectedVersion: 1, ...version('Plan -> Programmer -> Format', { authorKind: 'agent' }) });
      expect(v2).toMatchObject({ version: 2, authorKind: 'agent' });
      expect((await getWorkflow(ctx.db, workflow.id))?.latestVersion).toBe(2);
      expect((await getWorkflowVersion(ctx.db, workflow.id))?.dsl).toBe('Plan -> Programmer -> Format');
      expect((await getWorkflowVersion(ctx.db, workflow.id, 1))?.dsl).toBe('Programmer -> Format');
      expect(await getWorkflowVersion(ctx.db, workflow.id, 3)).toBeUndefined();
    });

    it('rejects a save based on a stale version with CONFLICT and keeps the other edit', async () => {
      const { workflow } = await createWorkflow(ctx.db, { name: 'w', version: version('A -> B') });
      await saveWorkflowVersion(ctx.db, { workflowId: workflow.id, expectedVersion: 1, ...version('mine') });
      await expect(saveWorkflowVersion(ctx.db, { workflowId: workflow.id, expectedVersion: 1, ...version('theirs') })).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      expect((await getWorkflowVersion(ctx.db, workflow.id))?.dsl).toBe('mine');
      await expect(
        saveWorkflowVersion(ctx.db, { workflowId: '00000000-0000-4000-8000-000000000000', expectedVersion: 1, ...version('x') }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('lets exactly one of two concurrent saves of the same version win', async () => {
      const { workflow } = await createWorkflow(ctx.db, { name: 'w', version: version('A') });
      const results = await Promise.allSettled(
        ['left', 'right'].map((dsl) => saveWorkflowVersion(ctx.db, { workflowId: workflow.id, expectedVersion: 1, ...version(dsl) })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT' } });
      expect((await listWorkflowVersions(ctx.db, workflow.id)).items.map((v) => v.version)).toEqual([2, 1]);
    });

    it('refuses a version that references a missing episode with NOT_FOUND, writing no workflow', async () => {
      const missing = '00000000-0000-4000-8000-000000000000';
      await expect(createWorkflow(ctx.db, { name: 'w', version: version('A', { episodeId: missing }) })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect((await listWorkflows(ctx.db)).items).toEqual([]);
    });

    it('pages versions newest first and workflows newest first', async () => {
      const { workflow } = await createWorkflow(ctx.db, { name: 'w1', version: version('v1') });
      for (let v = 1; v < 5; v++) await saveWorkflowVersion(ctx.db, { workflowId: workflow.id, expectedVersion: v, ...version(`v${v + 1}`) });
      const first = await listWorkflowVersions(ctx.db, workflow.id, { first: 2 });
      const second = await listWorkflowVersions(ctx.db, workflow.id, { first: 2, after: first.endCursor });
      const third = await listWorkflowVersions(ctx.db, workflow.id, { first: 2, after: second.endCursor });
      expect([first, second, third].flatMap((p) => p.items.map((v) => v.version))).toEqual([5, 4, 3, 2, 1]);
      expect(third.hasNextPage).toBe(false);

      const { workflow: w2 } = await createWorkflow(ctx.db, { name: 'w2', version: version('x') });
      const page = await listWorkflows(ctx.db, { first: 1 });
      expect(page.items.map((w) => w.id)).toEqual([w2.id]);
      expect((await listWorkflows(ctx.db, { after: page.endCursor })).items.map((w) => w.id)).toEqual([workflow.id]);
    });
  });

  describe('reviews and corrections', () => {
    it('records reviews and corrections and lists unused corrections by dataset', async () => {
      const reviewer = await createUser(ctx.db, { name: 'rev', role: 'editor' });
      const episode = await createEpisode(ctx.db, episodeFixture());
      const review = await createReview(ctx.db, { episodeId: episode.id, reviewerId: reviewer.id, verdict: 'corrected', comment: 'needs a verifier' });
      expect(review).toMatchObject({ verdict: 'corrected', comment: 'needs a verifier' });
      expect(await listReviews(ctx.db, episode.id)).toEqual([review]);

      const base = { episodeId: episode.id, reviewId: review.id, taskId: 'gsm8k/1', authorId: reviewer.id };
      const a = await createCorrection(ctx.db, { ...base, dataset: 'gsm8k', correctedDsl: 'Programmer -> Verify -> Format' });
      const b = await createCorrection(ctx.db, { ...base, dataset: 'math', correctedDsl: 'Plan -> Programmer -> Format' });
      expect(a.usedInRunId).toBeNull();
      expect((await listCorrections(ctx.db, { unusedOnly: true })).items.map((c) => c.id)).toEqual([b.id, a.id]);
      expect((await listCorrections(ctx.db, { dataset: 'gsm8k' })).items.map((c) => c.id)).toEqual([a.id]);
      const page = await listCorrections(ctx.db, { first: 1 });
      expect((await listCorrections(ctx.db, { after: page.endCursor })).items.map((c) => c.id)).toEqual([a.id]);
    });

    it('refuses a review of a missing or malformed episode id with NOT_FOUND', async () => {
      for (const episodeId of ['00000000-0000-4000-8000-000000000000', 'bogus']) {
        await expect(createReview(ctx.db, { episodeId, verdict: 'approved' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      }
    });
  });

  describe('llm cache', () => {
    it('stores the first response per key and counts hits', async () => {
      expect(await getCached(ctx.db, 'k1')).toBeUndefined();
      const entry = { key: 'k1', model: 'gpt-4o-mini', request: { messages: [{ role: 'user', content: 'hi' }] }, response: { text: 'hello' } };
      expect(await putCached(ctx.db, entry)).toBe(true);
      expect(await putCached(ctx.db, { ...entry, response: { text: 'other' } })).toBe(false);
      expect(await getCached(ctx.db, 'k1')).toMatchObject({ response: { text: 'hello' }, hits: 1, request: entry.request });
      expect((await getCached(ctx.db, 'k1'))?.hits).toBe(2);
    });
  });
});
