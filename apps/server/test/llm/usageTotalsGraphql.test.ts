import { afterAll, beforeAll, expect, it } from 'vitest';
import { commitIteration, type EpisodeWrite } from '../../src/db/repositories/index.ts';
import { createTestServer, type TestServer } from '../graphql/testServer.ts';

let t: TestServer;
let editor: string;
let experimentId: string;
let runId: string;

function episode(index: number, tokens: number, costUsd: number): EpisodeWrite {
  return { indexInIteration: index, policy: 'training', taskId: 'gsm8k/1', dataset: 'gsm8k', question: 'q', backend: 'openai', tokens, costUsd, steps: [] };
}

beforeAll(async () => {
  t = await createTestServer();
  editor = await t.tokenFor('editor');
  const created = await t.gql('mutation { createExperiment(input: { name: "cost", datasets: ["gsm8k"], trainer: { iterations: 5 } }) { id } }', undefined, editor);
  experimentId = (created.body.data?.['createExperiment'] as { id: string }).id;
  const started = await t.gql(`mutation { startRun(experimentId: "${experimentId}") { id } }`, undefined, editor);
  runId = (started.body.data?.['startRun'] as { id: string }).id;
  await commitIteration(t.database.db, {
    runId,
    iteration: 1,
    metrics: {},
    episodes: [episode(0, 1_000, 0.25), episode(1, 500, 0.125)],
    resumeCheckpoint: { policy: new Uint8Array([1]), state: {} },
  });
});
afterAll(async () => t.close());

it('reports token and cost totals of a run and of its experiment', async () => {
  const response = await t.gql(
    `{ run(id: "${runId}") { tokens costUsd } experiment(id: "${experimentId}") { tokens costUsd runs { nodes { tokens } } } }`,
    undefined,
    editor,
  );
  expect(response.body.errors).toBeUndefined();
  expect(response.body.data).toEqual({
    run: { tokens: 1_500, costUsd: 0.375 },
    experiment: { tokens: 1_500, costUsd: 0.375, runs: { nodes: [{ tokens: 1_500 }] } },
  });
});
