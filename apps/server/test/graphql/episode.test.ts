import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEpisodeStep, createEpisode, finishEpisode, type StepWrite } from '../../src/db/repositories/index.ts';
import { episodeTopic } from '../../src/events/pubSub.ts';
import type { EpisodeEvent } from '../../src/events/streamEvents.ts';
import { resultEvent, stepEvent } from '../../src/graphql/episode.ts';
import { createTestServer, errorCode, subscribe, type TestServer } from './testServer.ts';

let t: TestServer;
let editor: string;

const step = (n: number): StepWrite => ({
  step: n,
  action: { name: 'addOperator', operator: 'Plan' },
  actionText: `add Plan #${n}`,
  valid: true,
  feedback: `feedback ${n}`,
  canvas: { nodes: n },
  dsl: 'Plan',
  reward: null,
});

async function newEpisode(): Promise<string> {
  const episode = await createEpisode(t.database.db, { kind: 'agent', policy: 'random', taskId: 'gsm8k/test/0', dataset: 'gsm8k', question: 'Janet…', backend: 'sim' });
  return episode.id;
}

const EVENTS = `subscription ($id: ID!, $since: Int) { episodeEvents(episodeId: $id, sinceStep: $since) {
  __typename
  ... on EpisodeStepEvent { seq step actionText feedback canvas }
  ... on EpisodeResultEvent { seq status reward finalDsl }
} }`;

beforeAll(async () => {
  t = await createTestServer();
  editor = await t.tokenFor('editor');
});
afterAll(async () => t.close());

describe('episodes', () => {
  it('streams stored steps after sinceStep, then live ones without duplicates, then the result, then completes', async () => {
    const id = await newEpisode();
    for (const n of [1, 2]) await appendEpisodeStep(t.database.db, id, step(n));
    const subscription = subscribe(t.wsClient(editor), EVENTS, { id, since: 1 });
    await subscription.waitFor(1);
    const row3 = await appendEpisodeStep(t.database.db, id, step(3));
    const publish = (event: EpisodeEvent) => t.pubSub.publish(episodeTopic(id), event);
    await publish({ ...stepEvent({ ...row3, step: 2, action: step(2).action }), seq: 2, step: 2 }); // duplicate of stored step 2
    await publish(stepEvent(row3));
    const finished = await finishEpisode(t.database.db, id, { finalDsl: 'Plan -> Format', reward: 0.75 });
    await publish(resultEvent(finished, 4));
    await subscription.done;
    const events = subscription.results.map((r) => r.data?.['episodeEvents'] as Record<string, unknown>);
    expect(events.map((e) => e['seq'])).toEqual([2, 3, 4]);
    expect(events[0]).toEqual({ __typename: 'EpisodeStepEvent', seq: 2, step: 2, actionText: 'add Plan #2', feedback: 'feedback 2', canvas: { nodes: 2 } });
    expect(events[2]).toEqual({ __typename: 'EpisodeResultEvent', seq: 4, status: 'FINISHED', reward: 0.75, finalDsl: 'Plan -> Format' });
  });

  it('replays a finished episode to a late subscriber and completes; one that has everything completes at once', async () => {
    const id = await newEpisode();
    await finishEpisode(t.database.db, id, { steps: [step(1), step(2)], error: 'budget exceeded' });
    const all = subscribe(t.wsClient(editor), EVENTS, { id });
    await all.done;
    expect(all.results.map((r) => (r.data?.['episodeEvents'] as { seq: number }).seq)).toEqual([1, 2, 3]);
    expect(all.results[2]?.data?.['episodeEvents']).toMatchObject({ status: 'FAILED' });
    const none = subscribe(t.wsClient(editor), EVENTS, { id, since: 3 });
    await none.done;
    expect(none.results).toEqual([]);
  });

  it('reads an episode with its steps and lists episodes by kind', async () => {
    const id = await newEpisode();
    await finishEpisode(t.database.db, id, { steps: [step(1), step(2), step(3)], answerScore: 1, reward: 0.9 });
    const response = await t.gql(
      `{ episode(id: "${id}") { status simulated backend answerScore steps(sinceStep: 1) { step valid canvas } }
         episodes(kind: AGENT, first: 2) { nodes { id } pageInfo { hasNextPage } } }`,
      undefined,
      editor,
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.['episode']).toEqual({
      status: 'FINISHED',
      simulated: true,
      backend: 'sim',
      answerScore: 1,
      steps: [{ step: 2, valid: true, canvas: { nodes: 2 } }, { step: 3, valid: true, canvas: { nodes: 3 } }],
    });
    expect(response.body.data?.['episodes']).toMatchObject({ pageInfo: { hasNextPage: true } });
  });

  it('answers NOT_FOUND when subscribing to an unknown episode', async () => {
    const subscription = subscribe(t.wsClient(editor), EVENTS, { id: '00000000-0000-4000-8000-000000000000' });
    await subscription.done;
    expect(subscription.results[0]?.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });
});

describe('runAgent and evaluate', () => {
  it('starts an agent episode and returns it at once', async () => {
    const response = await t.gql('mutation { runAgent(input: { policy: "random", taskId: "gsm8k/test/0" }) { id status kind simulated taskId } }', undefined, editor);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.['runAgent']).toMatchObject({ status: 'RUNNING', kind: 'AGENT', simulated: true, taskId: 'gsm8k/test/0' });
    expect(t.jobs.calls.at(-1)).toMatchObject({ method: 'runAgent', arg: { policy: 'random', taskId: 'gsm8k/test/0', backend: 'sim' } });
  });

  it('validates runAgent input before calling the jobs layer', async () => {
    const calls = t.jobs.calls.length;
    const both = await t.gql('mutation { runAgent(input: { policy: "random", checkpointId: "x", question: "2+2?" }) { id } }', undefined, editor);
    expect(both.body.errors?.[0]?.message).toMatch(/expected exactly one of policy, checkpointId, got policy and checkpointId/);
    const policy = await t.gql('mutation { runAgent(input: { policy: "genius", question: "2+2?" }) { id } }', undefined, editor);
    expect(errorCode(policy)).toBe('BAD_USER_INPUT');
    const task = await t.gql('mutation { runAgent(input: { policy: "random", taskId: "gsm8k/none" }) { id } }', undefined, editor);
    expect(errorCode(task)).toBe('NOT_FOUND');
    expect(t.jobs.calls.length).toBe(calls);
  });

  it('evaluates DSL on datasets and rejects invalid DSL with the located parse error', async () => {
    const ok = await t.gql('mutation { evaluate(input: { dsl: "Plan -> Format", datasets: ["gsm8k"], limit: 3 }) { simulated label datasets { dataset count score } } }', undefined, editor);
    expect(ok.body.data?.['evaluate']).toMatchObject({ simulated: true, datasets: [{ dataset: 'gsm8k', count: 3, score: 0.5 }] });
    const bad = await t.gql('mutation { evaluate(input: { dsl: "Plan -> Progammer", datasets: ["gsm8k"] }) { label } }', undefined, editor);
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(bad.body.errors?.[0]?.message).toMatch(/DSL error at 1:9: unknown operator 'Progammer' \(did you mean 'Programmer'\?\)/);
  });

  it('masks an internal failure as "Internal server error" and logs the original', async () => {
    t.jobs.evaluateImpl = async () => {
      throw new Error('connection to secret-host:5432 refused');
    };
    const response = await t.gql('mutation { evaluate(input: { dsl: "Plan", datasets: ["gsm8k"] }) { label } }', undefined, editor);
    expect(response.body.errors?.[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(response.text).not.toMatch(/secret-host/);
    expect(String(t.logged.at(-1))).toMatch(/secret-host/);
  });
});
