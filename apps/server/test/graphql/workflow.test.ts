import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listWorkflows } from '../../src/db/repositories/index.ts';
import { createTestServer, errorCode, type TestServer } from './testServer.ts';

let t: TestServer;
let editor: string;
beforeAll(async () => {
  t = await createTestServer();
  editor = await t.tokenFor('editor');
});
afterAll(async () => t.close());

const CREATE = 'mutation ($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id name taskKind latestVersion latest { version dsl canvas authorKind } } }';
const SAVE = 'mutation ($input: SaveWorkflowVersionInput!) { saveWorkflowVersion(input: $input) { version dsl message } }';

describe('workflows', () => {
  it('creates a workflow whose version 1 holds the canonical DSL and its canvas', async () => {
    const response = await t.gql(CREATE, { input: { name: 'solver', dsl: 'Plan  ->   [Programmer, AnswerGenerate] -> ScEnsemble', taskKind: 'MATH' } }, editor);
    expect(response.body.errors).toBeUndefined();
    const workflow = response.body.data?.['createWorkflow'] as { latest: { dsl: string; canvas: unknown } };
    expect(workflow).toMatchObject({ name: 'solver', taskKind: 'MATH', latestVersion: 1, latest: { version: 1, authorKind: 'HUMAN' } });
    expect(workflow.latest.dsl).toBe('Plan -> [Programmer, AnswerGenerate] -> ScEnsemble');
    expect(workflow.latest.canvas).toBeTypeOf('object');
  });

  it('rejects invalid DSL with BAD_USER_INPUT carrying the located message, and writes nothing', async () => {
    const before = (await listWorkflows(t.database.db, { first: 100 })).items.length;
    const response = await t.gql(CREATE, { input: { name: 'broken', dsl: 'Plan -> [Programmer, ' } }, editor);
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.body.errors?.[0]?.message).toMatch(/dsl: DSL error at 1:22: expected an operator name, got end of input/);
    expect(response.body.errors?.[0]?.message).toContain('^');
    expect((await listWorkflows(t.database.db, { first: 100 })).items.length).toBe(before);
  });

  it('saves versions on top of the expected one and answers a stale save with CONFLICT', async () => {
    const created = await t.gql(CREATE, { input: { name: 'versioned', dsl: 'Plan -> Format' } }, editor);
    const id = (created.body.data?.['createWorkflow'] as { id: string }).id;
    const v2 = await t.gql(SAVE, { input: { workflowId: id, dsl: 'Plan -> Programmer -> Format', expectedVersion: 1, message: 'add code' } }, editor);
    expect(v2.body.data).toEqual({ saveWorkflowVersion: { version: 2, dsl: 'Plan -> Programmer -> Format', message: 'add code' } });
    const stale = await t.gql(SAVE, { input: { workflowId: id, dsl: 'Plan', expectedVersion: 1 } }, editor);
    expect(errorCode(stale)).toBe('CONFLICT');
    expect(stale.body.errors?.[0]?.message).toMatch(/expected workflow .* to be at version 1, got version 2/);
    const invalid = await t.gql(SAVE, { input: { workflowId: id, dsl: 'Nope', expectedVersion: 2 } }, editor);
    expect(errorCode(invalid)).toBe('BAD_USER_INPUT');
    const read = await t.gql(`{ workflow(id: "${id}") { latestVersion version(version: 1) { dsl } versions(first: 1) { nodes { version } pageInfo { hasNextPage endCursor } } } }`, undefined, editor);
    expect(read.body.data).toMatchObject({
      workflow: { latestVersion: 2, version: { dsl: 'Plan -> Format' }, versions: { nodes: [{ version: 2 }], pageInfo: { hasNextPage: true } } },
    });
    const cursor = (read.body.data?.['workflow'] as { versions: { pageInfo: { endCursor: string } } }).versions.pageInfo.endCursor;
    const next = await t.gql(`query ($after: String) { workflow(id: "${id}") { versions(after: $after) { nodes { version } } } }`, { after: cursor }, editor);
    expect(next.body.data).toEqual({ workflow: { versions: { nodes: [{ version: 1 }] } } });
  });

  it('answers NOT_FOUND when saving on an unknown workflow', async () => {
    const response = await t.gql(SAVE, { input: { workflowId: '00000000-0000-4000-8000-000000000000', dsl: 'Plan', expectedVersion: 1 } }, editor);
    expect(errorCode(response)).toBe('NOT_FOUND');
  });
});
