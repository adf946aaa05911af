import { loadDataset, type Task } from '@flowsteer/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, errorCode, type TestServer } from './testServer.ts';

let t: TestServer;
beforeAll(async () => {
  t = await createTestServer();
});
afterAll(async () => t.close());

const TASK_FIELDS = 'id dataset kind problem choices entryPoint publicTests';

describe('catalogue', () => {
  it('lists the 12 operators with their specs', async () => {
    const response = await t.gql('{ operators { name category description inputs outputs consumesCandidates forbiddenInParallel } }');
    const operators = response.body.data?.['operators'] as { name: string; consumesCandidates: boolean }[];
    expect(operators).toHaveLength(12);
    expect(operators.find((o) => o.name === 'ScEnsemble')).toMatchObject({ consumesCandidates: true, forbiddenInParallel: true });
  });

  it('lists datasets with availability and counts, and says why unavailable ones are', async () => {
    const response = await t.gql('{ datasets { name kind metric split available count origin unavailableReason } }');
    const datasets = response.body.data?.['datasets'] as { name: string; available: boolean; count: number | null; unavailableReason: string | null }[];
    expect(datasets).toHaveLength(12);
    expect(datasets.find((d) => d.name === 'gsm8k')).toMatchObject({ kind: 'MATH', metric: 'accuracy', available: true, origin: 'bundled' });
    expect(datasets.find((d) => d.name === 'aime2025')).toMatchObject({ available: false, count: null });
    expect(datasets.find((d) => d.name === 'aime2025')?.unavailableReason).toMatch(/redistribution/);
  });

  it('pages through tasks with cursors and rejects an unknown dataset', async () => {
    const first = await t.gql('{ tasks(dataset: "gsm8k", first: 2) { nodes { id } pageInfo { hasNextPage endCursor } } }');
    const page = first.body.data?.['tasks'] as { nodes: { id: string }[]; pageInfo: { endCursor: string; hasNextPage: boolean } };
    expect(page.nodes).toHaveLength(2);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const second = await t.gql('query ($after: String) { tasks(dataset: "gsm8k", first: 2, after: $after) { nodes { id } } }', { after: page.pageInfo.endCursor });
    const ids = (second.body.data?.['tasks'] as { nodes: { id: string }[] }).nodes.map((n) => n.id);
    expect(ids).toHaveLength(2);
    expect(ids).not.toContain(page.nodes[0]?.id);
    expect(errorCode(await t.gql('{ tasks(dataset: "nope") { nodes { id } } }'))).toBe('BAD_USER_INPUT');
    const foreign = await t.gql('query ($after: String) { tasks(dataset: "math", after: $after) { nodes { id } } }', { after: page.pageInfo.endCursor });
    expect(errorCode(foreign)).toBe('BAD_USER_INPUT');
  });

  it('never returns a reference solution, hidden tests or gold answers of any task', async () => {
    for (const dataset of ['mbpp', 'humaneval', 'gsm8k', 'hotpotqa']) {
      const { tasks } = await loadDataset(dataset, { env: {}, sharedDir: null });
      const secrets = tasks.flatMap((task: Task) => {
        const reference = task.meta['reference_solution'];
        const tests = task.kind === 'code' ? task.tests.trim() : '';
        const visible = task.kind === 'code' ? `${task.problem}\n${task.publicTests}` : '';
        const hidden = tests.length > 40 && !visible.includes(tests) ? [tests] : [];
        const gold = task.kind === 'qa' && task.answer.length > 12 && !task.problem.includes(task.answer) ? [task.answer] : [];
        return [...(typeof reference === 'string' && reference.trim().length > 20 ? [reference.trim()] : []), ...hidden, ...gold];
      });
      if (dataset === 'mbpp' || dataset === 'humaneval') expect(secrets.length).toBeGreaterThan(0);
      let after: string | null = null;
      const bodies: unknown[] = [];
      do {
        const response = await t.gql(`query ($d: String!, $after: String) { tasks(dataset: $d, first: 100, after: $after) { nodes { ${TASK_FIELDS} } pageInfo { hasNextPage endCursor } } }`, { d: dataset, after });
        expect(response.body.errors).toBeUndefined();
        bodies.push(response.body);
        const info = (response.body.data?.['tasks'] as { pageInfo: { hasNextPage: boolean; endCursor: string } }).pageInfo;
        after = info.hasNextPage ? info.endCursor : null;
      } while (after);
      const all = JSON.stringify(bodies);
      for (const secret of secrets) expect(all.includes(JSON.stringify(secret).slice(1, -1))).toBe(false);
      expect(all).not.toMatch(/reference_solution/);
    }
  });
});
