import { describe, expect, it } from 'vitest';
import { isCoreError, type LlmRequest, type Task } from '@flowsteer/core';
import { choiceTask, fixturesById, mathTask, qaTask, unanswerableTask } from '../../testing/fixtures.ts';
import { makeTestContext } from '../../testing/testContext.ts';
import { answerGenerate } from '../../operators/answerGenerate.ts';
import { format } from '../../operators/format.ts';
import { verify } from '../../operators/verify.ts';
import { SIM_PROFILES } from './profiles.ts';
import { createSimBackend } from './simBackend.ts';

const oracle = (id: string) => fixturesById.get(id);

function request(task: Task, nodeId: string, operator = 'AnswerGenerate', context: Record<string, unknown> = { instruction: '' }): LlmRequest {
  return {
    messages: [{ role: 'user', content: `Problem: ${task.problem}` }],
    metadata: { taskId: task.id, operator, nodeId, purpose: 'solve', attempt: 0, context },
  };
}

async function answersOver(task: Task, seed: number, profile: string, n: number): Promise<string[]> {
  const backend = createSimBackend({ seed, profile, oracle });
  const out: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const { ctx } = makeTestContext({ task, backend, operator: 'AnswerGenerate', nodeId: `node_${i}` });
    out.push((await answerGenerate.run(ctx)).output);
  }
  return out;
}

describe('sim backend', () => {
  it('replies identically to identical requests under the same seed', async () => {
    const a = createSimBackend({ seed: 11, oracle });
    const b = createSimBackend({ seed: 11, oracle });
    for (const task of [mathTask, qaTask, choiceTask]) {
      const first = await a.complete(request(task, 'node_1'));
      const second = await b.complete(request(task, 'node_1'));
      expect(second).toEqual(first);
    }
  });

  it('replies differently under a different seed', async () => {
    const texts = async (seed: number) => {
      const backend = createSimBackend({ seed, oracle });
      const out: string[] = [];
      for (let i = 0; i < 10; i += 1) out.push((await backend.complete(request(mathTask, `node_${i}`))).text);
      return out;
    };
    expect(await texts(1)).not.toEqual(await texts(2));
  });

  it('marks every reply as simulated with a sim- model, usage, latency and the profile’s cost', async () => {
    const backend = createSimBackend({ oracle });
    const response = await backend.complete(request(mathTask, 'node_1'));
    const profile = SIM_PROFILES['sim-4o-mini'];
    expect(response.simulated).toBe(true);
    expect(backend.simulated).toBe(true);
    expect(response.model).toBe('sim-4o-mini');
    expect(response.usage.promptTokens).toBeGreaterThan(20);
    expect(response.usage.completionTokens).toBeGreaterThan(20);
    expect(response.latencyMs).toBeGreaterThan(100);
    const expected = (response.usage.promptTokens * (profile?.inputPricePerMTok ?? 0) + response.usage.completionTokens * (profile?.outputPricePerMTok ?? 0)) / 1e6;
    expect(response.costUsd).toBeCloseTo(expected, 12);
  });

  it('rejects requests without metadata or for unknown tasks, and unknown profiles', async () => {
    const backend = createSimBackend({ oracle });
    await expect(backend.complete({ messages: [] })).rejects.toSatisfy((e: unknown) => isCoreError(e, 'BACKEND_FAILED'));
    await expect(backend.complete({ ...request(mathTask, 'n'), metadata: { taskId: 'nope', operator: 'Custom', nodeId: 'n', purpose: 'x' } })).rejects.toSatisfy((e: unknown) => isCoreError(e, 'TASK_NOT_FOUND'));
    expect(() => createSimBackend({ profile: 'gpt-4', oracle })).toThrow(/sim profile/);
  });

  it('never puts gold data into the request it receives', async () => {
    const { ctx, requests } = makeTestContext({ task: mathTask, backend: createSimBackend({ oracle }), operator: 'AnswerGenerate' });
    await answerGenerate.run(ctx);
    expect(JSON.stringify(requests)).not.toMatch(/\b18\b/);
  });

  it('solves more often with a stronger profile', async () => {
    const count = async (profile: string) => (await answersOver(mathTask, 5, profile, 60)).filter((a) => a === '18').length;
    const weak = await count('sim-weak');
    const strong = await count('sim-strong');
    expect(strong).toBeGreaterThan(weak);
  });

  it('answers from scratch in Verify (no solution to check) less often right than a solver does', async () => {
    // A checker-only workflow must not match a real one: the diversity reward would then pay a shortcut.
    const backend = createSimBackend({ seed: 3, oracle });
    let solver = 0;
    let checker = 0;
    for (let i = 0; i < 150; i += 1) {
      if ((await answerGenerate.run(makeTestContext({ task: mathTask, backend, operator: 'AnswerGenerate', nodeId: `node_a${i}` }).ctx)).output.includes('18')) solver += 1;
      const empty = makeTestContext({ task: mathTask, backend, operator: 'Verify', nodeId: `node_v${i}`, input: { solution: '', prev: '' } });
      if ((await verify.run(empty.ctx)).output === '18') checker += 1;
    }
    expect(solver).toBeGreaterThan(60);
    expect(checker).toBeLessThan(solver - 10);
  });

  it('draws wrong answers from a correlated pool, so wrong answers repeat', async () => {
    const wrong = (await answersOver({ ...mathTask, id: 'gsm8k/hard', meta: { level: 5 } }, 9, 'sim-weak', 80)).filter((a) => a !== '18');
    const counts = new Map<string, number>();
    for (const answer of wrong) counts.set(answer, (counts.get(answer) ?? 0) + 1);
    expect(wrong.length).toBeGreaterThan(5);
    expect(Math.max(...counts.values())).toBeGreaterThanOrEqual(3);
  });

  it('sometimes answers verbosely, and Format recovers the span', async () => {
    const backend = createSimBackend({ seed: 2, profile: 'sim-weak', oracle });
    let verbose = 0;
    for (let i = 0; i < 80 && verbose < 3; i += 1) {
      const { ctx } = makeTestContext({ task: qaTask, backend, operator: 'AnswerGenerate', nodeId: `node_${i}` });
      const answer = (await answerGenerate.run(ctx)).output;
      if (answer.includes('Rollo') && answer !== 'Rollo') {
        verbose += 1;
        const formatted = makeTestContext({ task: qaTask, backend, operator: 'Format', nodeId: `node_f${i}`, input: { solution: answer, prev: answer } });
        expect((await format.run(formatted.ctx)).output).toBe('Rollo');
      }
    }
    expect(verbose).toBeGreaterThan(0);
  });

  it('abstains on unanswerable items some of the time', async () => {
    const answers = await answersOver(unanswerableTask, 4, 'sim-4o-mini', 40);
    expect(answers).toContain('unanswerable');
    expect(answers.some((a) => a !== 'unanswerable')).toBe(true);
  });
});

describe('sim backend realtime mode', () => {
  it('sleeps for the scaled simulated latency only when asked to', async () => {
    const fast = createSimBackend({ oracle });
    const slow = createSimBackend({ oracle, realtime: 0.2 });
    const t0 = performance.now();
    const reply = await fast.complete(request(mathTask, 'node_1'));
    const fastMs = performance.now() - t0;
    const t1 = performance.now();
    await slow.complete(request(mathTask, 'node_1'));
    const slowMs = performance.now() - t1;
    expect(fastMs).toBeLessThan(reply.latencyMs * 0.2);
    expect(slowMs).toBeGreaterThanOrEqual(reply.latencyMs * 0.2 - 5);
  });
});
