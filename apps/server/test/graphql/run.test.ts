import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitIteration, insertKeptCheckpoint, type EpisodeWrite } from '../../src/db/repositories/index.ts';
import { runTopic } from '../../src/events/pubSub.ts';
import type { RunProgressEvent } from '../../src/events/streamEvents.ts';
import { createTestServer, errorCode, subscribe, type TestServer } from './testServer.ts';

let t: TestServer;
let editor: string;
let runId: string;
const episodeIdsByIteration = new Map<number, string[]>();

function episode(index: number): EpisodeWrite {
  const step = (n: number) => ({ step: n, action: { name: 'finish' }, actionText: 'finish', valid: true, feedback: 'ok', canvas: {}, dsl: 'Plan', reward: null });
  return { indexInIteration: index, policy: 'training', taskId: 'gsm8k/1', dataset: 'gsm8k', question: 'q', backend: 'sim', reward: 0.5, steps: [step(1), step(2)] };
}

async function commit(iteration: number): Promise<void> {
  const { episodeIds } = await commitIteration(t.database.db, {
    runId,
    iteration,
    metrics: { 'reward/mean': iteration / 10, 'loss/policy': -iteration },
    episodes: [episode(0), episode(1)],
    resumeCheckpoint: { policy: new Uint8Array([1, 2, 3]), state: { iteration } },
  });
  episodeIdsByIteration.set(iteration, episodeIds);
}

beforeAll(async () => {
  t = await createTestServer();
  editor = await t.tokenFor('editor');
  const created = await t.gql('mutation { createExperiment(input: { name: "r", datasets: ["gsm8k"], trainer: { iterations: 5 } }) { id } }', undefined, editor);
  const experimentId = (created.body.data?.['createExperiment'] as { id: string }).id;
  const started = await t.gql(`mutation { startRun(experimentId: "${experimentId}") { id } }`, undefined, editor);
  runId = (started.body.data?.['startRun'] as { id: string }).id;
  for (const iteration of [1, 2, 3, 4]) await commit(iteration);
  await insertKeptCheckpoint(t.database.db, { runId, iteration: 4, policy: new Uint8Array(16), state: { note: 'kept' } });
});
afterAll(async () => t.close());

describe('training runs', () => {
  it('reads a run with metrics (filtered, downsampled), checkpoints and episodes', async () => {
    const response = await t.gql(
      `{ run(id: "${runId}") {
          status iteration totalIterations
          metrics(names: ["reward/mean"], maxPoints: 3) { iteration count values }
          checkpoints { nodes { iteration policyBytes } }
          episodes(first: 3) { nodes { iteration simulated steps { step } } pageInfo { hasNextPage } }
        }
        runMetrics(runId: "${runId}", sinceIteration: 3) { iteration values } }`,
      undefined,
      editor,
    );
    expect(response.body.errors).toBeUndefined();
    const run = response.body.data?.['run'] as Record<string, unknown>;
    expect(run).toMatchObject({ status: 'RUNNING', iteration: 4, totalIterations: 5 });
    expect(run['metrics']).toEqual([
      { iteration: 1, count: 1, values: { 'reward/mean': 0.1 } },
      { iteration: 3, count: 2, values: { 'reward/mean': 0.25 } },
      { iteration: 4, count: 1, values: { 'reward/mean': 0.4 } },
    ]);
    expect(run['checkpoints']).toEqual({ nodes: [{ iteration: 4, policyBytes: 16 }] });
    expect(run['episodes']).toMatchObject({ nodes: [{ simulated: true, steps: [{ step: 1 }, { step: 2 }] }, {}, {}], pageInfo: { hasNextPage: true } });
    expect(response.body.data?.['runMetrics']).toEqual([{ iteration: 4, values: { 'reward/mean': 0.4, 'loss/policy': -4 } }]);
  });

  it('pauses, resumes and stops through the jobs layer; a wrong transition is a CONFLICT', async () => {
    const resume = await t.gql(`mutation { resumeRun(runId: "${runId}") { status } }`, undefined, editor);
    expect(errorCode(resume)).toBe('CONFLICT');
    expect(resume.body.errors?.[0]?.message).toMatch(/expected status paused, got running/);
    const paused = await t.gql(`mutation { pauseRun(runId: "${runId}") { status } }`, undefined, editor);
    expect(paused.body.data).toEqual({ pauseRun: { status: 'PAUSED' } });
    const resumed = await t.gql(`mutation { resumeRun(runId: "${runId}") { status } }`, undefined, editor);
    expect(resumed.body.data).toEqual({ resumeRun: { status: 'RUNNING' } });
    const missing = await t.gql('mutation { stopRun(runId: "00000000-0000-4000-8000-000000000000") { status } }', undefined, editor);
    expect(errorCode(missing)).toBe('NOT_FOUND');
  });

  it('replays runProgress after sinceIteration, then live iterations without gap or duplicate, ending on a terminal status', async () => {
    const subscription = subscribe(
      t.wsClient(editor),
      `subscription { runProgress(runId: "${runId}", sinceIteration: 2) {
          __typename
          ... on RunIterationEvent { seq iteration metrics episodeIds episodes { indexInIteration } }
          ... on RunStatusEvent { status }
        } }`,
    );
    await subscription.waitFor(3); // current status, then iterations 3 and 4 from the database
    await commit(5);
    const live = (iteration: number): RunProgressEvent => ({
      kind: 'iteration',
      seq: iteration,
      runId,
      iteration,
      metrics: {},
      episodeIds: episodeIdsByIteration.get(iteration) ?? [],
    });
    await t.pubSub.publish(runTopic(runId), live(4)); // duplicate of a replayed one: skipped
    await t.pubSub.publish(runTopic(runId), live(5));
    await t.pubSub.publish(runTopic(runId), { kind: 'status', runId, status: 'finished', iteration: 5, error: null } satisfies RunProgressEvent);
    await subscription.done;
    const events = subscription.results.map((r) => r.data?.['runProgress'] as Record<string, unknown>);
    expect(events.map((e) => (e['__typename'] === 'RunStatusEvent' ? e['status'] : e['iteration']))).toEqual(['RUNNING', 3, 4, 5, 'FINISHED']);
    expect(events[1]).toMatchObject({ seq: 3, episodeIds: episodeIdsByIteration.get(3), episodes: [{ indexInIteration: 0 }, { indexInIteration: 1 }] });
  });

  it('completes at once for a late subscriber of a finished run, after replaying what it lacks', async () => {
    await t.gql(`mutation { stopRun(runId: "${runId}") { status } }`, undefined, editor).catch(() => undefined);
    const subscription = subscribe(
      t.wsClient(editor),
      `subscription { runProgress(runId: "${runId}", sinceIteration: 4) { __typename ... on RunIterationEvent { iteration } ... on RunStatusEvent { status } } }`,
    );
    await subscription.done;
    expect(subscription.results.map((r) => r.data?.['runProgress'])).toEqual([
      { __typename: 'RunIterationEvent', iteration: 5 },
      { __typename: 'RunStatusEvent', status: 'STOPPED' },
    ]);
  });
});
