import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listExperiments } from '../../src/db/repositories/index.ts';
import { createTestServer, errorCode, subscribe, type TestServer } from './testServer.ts';

let t: TestServer;
let editor: string;
beforeAll(async () => {
  t = await createTestServer();
  editor = await t.tokenFor('editor');
});
afterAll(async () => t.close());

const CREATE = `mutation ($input: CreateExperimentInput!) {
  createExperiment(input: $input) { id name backend simulated datasets status config }
}`;

async function create(input: Record<string, unknown>) {
  return t.gql(CREATE, { input: { datasets: ['gsm8k'], ...input } }, editor);
}

describe('experiments', () => {
  it('creates an experiment with core-validated config and announces it on experimentUpdated', async () => {
    const subscription = subscribe(t.wsClient(editor), 'subscription { experimentUpdated { change experiment { name } } }');
    await expect.poll(async () => {
      await t.pubSub.publish('experiments', { experimentId: '00000000-0000-4000-8000-000000000000', change: 'updated' });
      return subscription.results.length;
    }).toBeGreaterThan(0);
    const response = await create({ name: 'alpha', datasets: ['gsm8k', 'squad'], trainer: { iterations: 3, groupSize: 2 } });
    expect(response.body.errors).toBeUndefined();
    const experiment = response.body.data?.['createExperiment'] as Record<string, unknown>;
    expect(experiment).toMatchObject({ name: 'alpha', backend: 'sim', simulated: true, datasets: ['gsm8k', 'squad_v2'], status: 'IDLE' });
    expect(experiment['config']).toMatchObject({ trainer: { iterations: 3, groupSize: 2, algorithm: 'cwrpo' }, network: 'small' });
    await expect.poll(() => subscription.results.some((r) => JSON.stringify(r.data).includes('"created"'))).toBe(true);
    const created = subscription.results.find((r) => JSON.stringify(r.data).includes('"created"'));
    expect(created?.data).toEqual({ experimentUpdated: { change: 'created', experiment: { name: 'alpha' } } });
    subscription.unsubscribe();
  });

  it('rejects invalid input with BAD_USER_INPUT listing every problem, and writes nothing', async () => {
    const before = (await listExperiments(t.database.db, { first: 100 })).items.length;
    const response = await create({ name: 'bad', datasets: ['nope', 'aime2025'], backend: 'gpt-9', trainer: { groupSize: 1, lernRate: 1 } });
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    const message = response.body.errors?.[0]?.message ?? '';
    expect(message).toMatch(/backend: expected one of sim, got "gpt-9"/);
    expect(message).toMatch(/datasets: expected catalogue names, got unknown "nope"/);
    expect(message).toMatch(/aime2025 cannot be loaded/);
    expect(message).toMatch(/got unknown lernRate/);
    const invalidValue = await create({ name: 'bad2', trainer: { clipEpsilon: 2 } });
    expect(invalidValue.body.errors?.[0]?.message).toMatch(/clipEpsilon: expected a number in \(0, 1\), got 2/);
    expect((await listExperiments(t.database.db, { first: 100 })).items.length).toBe(before);
  });

  it('lists with filter, sort and cursor pagination', async () => {
    for (const name of ['beta', 'gamma', 'delta']) await create({ name, trainer: { iterations: 2 } });
    const page1 = await t.gql('{ experiments(sort: NAME_ASC, first: 2) { nodes { name } pageInfo { hasNextPage endCursor } } }', undefined, editor);
    const connection = page1.body.data?.['experiments'] as { nodes: { name: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    expect(connection.nodes.map((n) => n.name)).toEqual(['alpha', 'beta']);
    expect(connection.pageInfo.hasNextPage).toBe(true);
    const page2 = await t.gql(
      'query ($after: String) { experiments(sort: NAME_ASC, first: 2, after: $after) { nodes { name } } }',
      { after: connection.pageInfo.endCursor },
      editor,
    );
    expect(page2.body.data).toEqual({ experiments: { nodes: [{ name: 'delta' }, { name: 'gamma' }] } });
    // Every edge's cursor resumes right behind its own row, not only pageInfo.endCursor.
    const edges = await t.gql('{ experiments(sort: NAME_ASC, first: 3) { edges { cursor node { name } } } }', undefined, editor);
    const first = (edges.body.data?.['experiments'] as { edges: { cursor: string }[] }).edges[0]?.cursor;
    const afterFirst = await t.gql(
      'query ($after: String) { experiments(sort: NAME_ASC, first: 1, after: $after) { nodes { name } } }',
      { after: first },
      editor,
    );
    expect(afterFirst.body.data).toEqual({ experiments: { nodes: [{ name: 'beta' }] } });
    const filtered = await t.gql('{ experiments(filter: { nameContains: "AMM", status: IDLE, backend: "sim" }) { nodes { name } } }', undefined, editor);
    expect(filtered.body.data).toEqual({ experiments: { nodes: [{ name: 'gamma' }] } });
    const badCursor = await t.gql('{ experiments(after: "garbage") { nodes { name } } }', undefined, editor);
    expect(errorCode(badCursor)).toBe('BAD_USER_INPUT');
  });

  it('starts a run through the jobs layer and refuses a second active run with CONFLICT', async () => {
    const created = await create({ name: 'runner', trainer: { iterations: 4 } });
    const id = (created.body.data?.['createExperiment'] as { id: string }).id;
    const started = await t.gql(`mutation { startRun(experimentId: "${id}") { status totalIterations experiment { status } } }`, undefined, editor);
    expect(started.body.data).toEqual({ startRun: { status: 'RUNNING', totalIterations: 4, experiment: { status: 'RUNNING' } } });
    expect(t.jobs.calls.some((call) => call.method === 'startRun')).toBe(true);
    const again = await t.gql(`mutation { startRun(experimentId: "${id}") { id } }`, undefined, editor);
    expect(errorCode(again)).toBe('CONFLICT');
    const latest = await t.gql(`{ experiment(id: "${id}") { latestRun { status } runs { nodes { id } } } }`, undefined, editor);
    expect(latest.body.data).toMatchObject({ experiment: { latestRun: { status: 'RUNNING' } } });
  });

  it('answers NOT_FOUND for a run of an unknown experiment and null for an unknown id', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(errorCode(await t.gql(`mutation { startRun(experimentId: "${missing}") { id } }`, undefined, editor))).toBe('NOT_FOUND');
    expect((await t.gql(`{ experiment(id: "${missing}") { id } }`, undefined, editor)).body.data).toEqual({ experiment: null });
  });
});
