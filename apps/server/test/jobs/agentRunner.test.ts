import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { createUser, createWorkflow, getEpisode, getEpisodeSteps, listCheckpoints, listEpisodes } from '../../src/db/repositories/index.ts';
import { createMemoryPubSub } from '../../src/events/memoryPubSub.ts';
import { episodeTopic, type PubSub } from '../../src/events/pubSub.ts';
import type { EpisodeEvent } from '../../src/events/streamEvents.ts';
import { createRunManager, type RunManager } from '../../src/jobs/runManager.ts';
import { createTestRun, followRun, testRuntime } from './jobFixtures.ts';

let database: Database;
let pubSub: PubSub;
let manager: RunManager;
let userId = '';

beforeAll(async () => {
  database = await openDatabase({ dataDir: 'memory://' });
  pubSub = createMemoryPubSub();
  manager = createRunManager({ database, pubSub, runtime: testRuntime() });
  userId = (await createUser(database.db, { name: 'ada', role: 'editor' })).id;
});

afterAll(async () => {
  await manager.close();
  await pubSub.close();
  await database.close();
});

/** Every event of an episode until its final one. */
async function eventsOf(episodeId: string): Promise<EpisodeEvent[]> {
  const events: EpisodeEvent[] = [];
  for await (const event of pubSub.subscribe<EpisodeEvent>(episodeTopic(episodeId))) {
    events.push(event);
    if (event.kind === 'result') break;
  }
  return events;
}

describe('runAgent', () => {
  it('streams every step, stored before it is published, then the final result', async () => {
    const { episodeId } = await manager.runAgent({ policy: 'handDesigned', taskId: 'gsm8k/test/0', backend: 'sim', userId });
    expect((await getEpisode(database.db, episodeId))?.status).toBe('running');
    const events = await eventsOf(episodeId);
    const steps = events.filter((event) => event.kind === 'step');
    expect(steps.map((event) => event.seq)).toEqual(steps.map((_, i) => i + 1));
    const result = events[events.length - 1];
    expect(result).toMatchObject({ kind: 'result', seq: steps.length + 1, status: 'finished', error: null });
    expect(steps[0]).toMatchObject({ actionText: '<action>add</action><operator>Plan</operator>', valid: true, reward: null });

    const episode = await getEpisode(database.db, episodeId);
    expect(episode).toMatchObject({ kind: 'agent', status: 'finished', policy: 'handDesigned', taskId: 'gsm8k/test/0', dataset: 'gsm8k', backend: 'sim', createdBy: userId });
    expect(episode?.finalDsl).toContain('ScEnsemble');
    expect(episode?.answerScore).not.toBeNull();
    const stored = await getEpisodeSteps(database.db, episodeId);
    expect(stored.map((step) => step.actionText)).toEqual(steps.map((event) => event.kind === 'step' && event.actionText));
    expect(stored[stored.length - 1]?.reward).toBe(episode?.reward);
  });

  it('builds for a typed question: scored with a gold answer, unscored without', async () => {
    const withGold = await manager.runAgent({ policy: 'cot', question: 'What is 6 times 7?', gold: '42', backend: 'sim', userId });
    const withoutGold = await manager.runAgent({ policy: 'random', question: 'Name a prime number.', backend: 'sim', userId });
    await manager.whenIdle();
    const scored = await getEpisode(database.db, withGold.episodeId);
    expect(scored).toMatchObject({ status: 'finished', dataset: 'question', question: 'What is 6 times 7?' });
    expect(scored?.answerScore).not.toBeNull();
    const unscored = await getEpisode(database.db, withoutGold.episodeId);
    expect(unscored).toMatchObject({ status: 'finished', answerScore: null, reward: null });
  });

  it('rejects bad input before creating anything', async () => {
    const before = (await listEpisodes(database.db, { kind: 'agent', first: 100 })).items.length;
    const base = { backend: 'sim', userId };
    await expect(manager.runAgent({ ...base, policy: 'cot', checkpointId: '00000000-0000-4000-8000-000000000000', taskId: 'gsm8k/test/0' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(manager.runAgent({ ...base, policy: '../../etc', taskId: 'gsm8k/test/0' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(manager.runAgent({ ...base, policy: 'cot', taskId: 'gsm8k/test/0', question: 'both?' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(manager.runAgent({ ...base, policy: 'cot', taskId: 'gsm8k/no-such-task' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(manager.runAgent({ ...base, checkpointId: '00000000-0000-4000-8000-000000000000', taskId: 'gsm8k/test/0' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(manager.runAgent({ ...base, policy: 'cot', question: '   ' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(manager.runAgent({ policy: 'cot', taskId: 'gsm8k/test/0', backend: 'openai', userId })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    expect((await listEpisodes(database.db, { kind: 'agent', first: 100 })).items).toHaveLength(before);
  });
});

describe('checkpoints and evaluate', () => {
  let checkpointId = '';

  beforeAll(async () => {
    const run = await createTestRun(database.db, 1);
    const follow = followRun(pubSub, run.id);
    await manager.startRun(run.id);
    await follow.untilStatus('finished');
    follow.stop();
    const [kept] = (await listCheckpoints(database.db, { runId: run.id })).items;
    checkpointId = kept?.id ?? '';
  });

  it('runs a trained checkpoint as the agent', async () => {
    const { episodeId } = await manager.runAgent({ checkpointId, taskId: 'gsm8k/test/1', backend: 'sim', userId });
    const events = await eventsOf(episodeId);
    expect(events[events.length - 1]).toMatchObject({ kind: 'result', status: 'finished' });
    expect(await getEpisode(database.db, episodeId)).toMatchObject({ policy: 'checkpoint', checkpointId, status: 'finished' });
  });

  it('evaluates a DSL and a stored workflow per dataset, labelled simulated, storing one episode per task', async () => {
    const report = await manager.evaluate({ dsl: 'AnswerGenerate -> Verify ? Revise : done -> Format', datasets: ['gsm8k', 'squad_v2'], limit: 2, backend: 'sim', userId });
    expect(report).toMatchObject({ backend: 'sim', simulated: true, label: expect.stringContaining('SIMULATED') });
    expect(report.datasets.map((row) => [row.dataset, row.metric, row.count])).toEqual([
      ['gsm8k', 'accuracy', 2],
      ['squad_v2', 'em_f1', 2],
    ]);
    for (const value of report.datasets.flatMap((row) => [row.score, row.feasible])) expect(value >= 0 && value <= 1).toBe(true);
    expect(report.episodeIds).toHaveLength(4);
    const episode = await getEpisode(database.db, report.episodeIds[0] as string);
    expect(episode).toMatchObject({ kind: 'evaluation', policy: 'workflow', status: 'finished', finalDsl: 'AnswerGenerate -> Verify ? Revise : done -> Format' });

    const { workflow } = await createWorkflow(database.db, { name: 'cot', version: { dsl: 'AnswerGenerate', canvas: {}, authorKind: 'human' } });
    const stored = await manager.evaluate({ workflowId: workflow.id, datasets: ['gsm8k'], limit: 1, backend: 'sim', userId });
    expect(stored.datasets).toHaveLength(1);
  });

  it('evaluates a checkpoint on the test side of its split, with the episodes steps', async () => {
    const report = await manager.evaluate({ checkpointId, datasets: ['gsm8k'], limit: 3, backend: 'sim', userId });
    expect(report.datasets[0]).toMatchObject({ dataset: 'gsm8k', metric: 'accuracy' });
    const episode = await getEpisode(database.db, report.episodeIds[0] as string);
    expect(episode).toMatchObject({ kind: 'evaluation', policy: 'checkpoint', checkpointId });
    expect((await getEpisodeSteps(database.db, episode?.id as string)).length).toBe(episode?.rounds);
  });

  it('rejects an invalid DSL or limit with BAD_USER_INPUT and stores nothing', async () => {
    const before = (await listEpisodes(database.db, { kind: 'evaluation', first: 100 })).items.length;
    await expect(manager.evaluate({ dsl: 'AnswerGenerate ->', datasets: ['gsm8k'], limit: 1, backend: 'sim', userId })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(manager.evaluate({ dsl: 'NoSuchOperator', datasets: ['gsm8k'], limit: 1, backend: 'sim', userId })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(manager.evaluate({ dsl: 'AnswerGenerate', datasets: ['gsm8k'], limit: 500, backend: 'sim', userId })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(manager.evaluate({ dsl: 'AnswerGenerate', checkpointId, datasets: ['gsm8k'], limit: 1, backend: 'sim', userId })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    expect((await listEpisodes(database.db, { kind: 'evaluation', first: 100 })).items).toHaveLength(before);
  });
});
