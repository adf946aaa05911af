import { describe, expect, it } from 'vitest';
import { noSandbox } from '../../test/fakes.ts';
import { trainerRegistry } from '../../test/trainerFakes.ts';
import { WorkflowEnv, type Observation } from '../env/workflowEnv.ts';
import type { LlmBackend, LlmRequest, LlmResponse } from '../llm/types.ts';
import type { MathTask } from '../tasks/types.ts';
import { ACTION_REPLIES, PROMPT_REPLIES } from './llmDirector.fixtures.ts';
import { createLlmDirector, FALLBACK_ACTION, stripThinking, type LlmDecision, type LlmDirectorOptions } from './llmDirector.ts';
import { ACTION_REPAIR_INSTRUCTION, directorOperators } from './llmDirectorPrompt.ts';

/** A backend that plays recorded replies to the director and answers every executor call with "42". */
function scriptedBackend(replies: readonly string[] | ((request: LlmRequest) => string), model = 'scripted-1'): LlmBackend & { requests: LlmRequest[] } {
  const queue = Array.isArray(replies) ? [...replies] : [];
  const requests: LlmRequest[] = [];
  return {
    name: 'scripted',
    model,
    simulated: false,
    requests,
    async complete(request): Promise<LlmResponse> {
      let text = '42';
      if (request.metadata?.operator === 'FlowDirector') {
        requests.push(request);
        if (typeof replies === 'function') text = replies(request);
        else {
          const next = queue.shift();
          if (next === undefined) throw new Error(`expected a scripted reply for director call ${requests.length}, got none left`);
          text = next;
        }
      }
      return { text, usage: { promptTokens: 100, completionTokens: 20 }, latencyMs: 50, costUsd: 0.0001, model, simulated: false };
    },
  };
}

const GOLD = 'GOLD-7f3a';
const task: MathTask = { id: 'gsm8k/9', dataset: 'gsm8k', kind: 'math', problem: 'What is 6 * 7?', answer: GOLD, meta: { rationale: `so ${GOLD}` } };
const operators = directorOperators(trainerRegistry);
const makeEnv = (backend: LlmBackend) => new WorkflowEnv({ registry: trainerRegistry, backend, sandbox: noSandbox });

function director(backend: LlmBackend, extra: Partial<LlmDirectorOptions> = {}) {
  return createLlmDirector({ backend, operators, ...extra });
}

/** First decision on a fresh episode (an editing turn). */
async function decideFirst(replies: readonly string[], extra: Partial<LlmDirectorOptions> = {}) {
  const backend = scriptedBackend(replies);
  const env = makeEnv(backend);
  const [decision] = await director(backend, extra).act([env.reset(task)]);
  return { decision: decision as LlmDecision, backend, env };
}

/** An observation awaiting the prompt of Plan. */
async function promptTurn(env: WorkflowEnv): Promise<Observation> {
  env.reset(task);
  return (await env.step({ type: 'add', operator: 'Plan' })).observation;
}

const lastUser = (request: LlmRequest | undefined) => request?.messages.at(-1)?.content ?? '';

describe('createLlmDirector: reading replies', () => {
  it('takes a clean action in one call, with log-prob 0 and no head data', async () => {
    const { decision, backend } = await decideFirst([ACTION_REPLIES.clean]);
    expect(decision.action).toEqual({ type: 'add', operator: 'Plan' });
    expect(decision).toMatchObject({ logProb: 0, entropy: 0, calls: 1, repaired: false, lenient: false, promptTokens: 100, completionTokens: 20 });
    expect(decision.fallbackReason).toBeUndefined();
    expect(Object.values(decision.masks).every((mask) => mask === null)).toBe(true);
    expect(backend.requests[0]).toMatchObject({ maxTokens: 512, temperature: 0.6, metadata: { taskId: task.id, purpose: 'director-action' } });
  });

  it('ignores think blocks, including an action inside one and an orphan </think>', async () => {
    expect((await decideFirst([ACTION_REPLIES.think])).decision.action).toEqual({ type: 'add', operator: 'Plan' });
    expect((await decideFirst([ACTION_REPLIES.orphanThink])).decision.action).toEqual({ type: 'add_conditional', condition: 'Verify', onFail: 'Revise', onPass: null });
    expect(stripThinking('<think>a</think> b <think>cut off')).toBe('b');
  });

  it('reads actions in code fences, square brackets and any case', async () => {
    expect((await decideFirst([ACTION_REPLIES.fenced])).decision.action).toEqual({ type: 'finish' });
    expect((await decideFirst([ACTION_REPLIES.squareTags])).decision.action).toEqual({ type: 'add', operator: 'Format' });
    expect((await decideFirst([ACTION_REPLIES.lowercaseOperator])).decision.action).toEqual({ type: 'add', operator: 'AnswerGenerate' });
  });

  it('takes the first of two actions', async () => {
    const { decision } = await decideFirst([ACTION_REPLIES.twoActions]);
    expect(decision.action).toEqual({ type: 'add_parallel', operators: ['AnswerGenerate', 'Programmer', 'AnswerGenerate'] });
    expect(decision.calls).toBe(1);
  });

  it('makes one repair call when a reply has no action, and uses its action', async () => {
    const { decision, backend } = await decideFirst([ACTION_REPLIES.none, ACTION_REPLIES.clean]);
    expect(decision.action).toEqual({ type: 'add', operator: 'Plan' });
    expect(decision).toMatchObject({ repaired: true, calls: 2, replies: [ACTION_REPLIES.none, ACTION_REPLIES.clean], promptTokens: 200 });
    const repair = backend.requests[1];
    expect(repair).toMatchObject({ maxTokens: 128, metadata: { purpose: 'director-repair', attempt: 1 } });
    // Same messages, then the invalid reply, then the instruction.
    expect(repair?.messages.slice(0, -2)).toEqual(backend.requests[0]?.messages);
    expect(repair?.messages.at(-2)).toEqual({ role: 'assistant', content: ACTION_REPLIES.none });
    expect(lastUser(repair)).toBe(ACTION_REPAIR_INSTRUCTION);
  });

  it('says "only reasoning" when the reply was cut off inside its think block', async () => {
    const { decision, backend } = await decideFirst([ACTION_REPLIES.truncatedThink, ACTION_REPLIES.clean]);
    expect(decision.repaired).toBe(true);
    expect(lastUser(backend.requests[1])).toMatch(/^Your reply held only reasoning\./);
    expect(backend.requests[1]?.messages.some((m) => m.role === 'assistant')).toBe(false);
  });

  it('falls back after a failed repair, records why, and the env refuses the fallback as an ordinary invalid action', async () => {
    const { decision, env } = await decideFirst([ACTION_REPLIES.none, ACTION_REPLIES.noneAgain]);
    expect(decision.action).toEqual(FALLBACK_ACTION);
    expect(decision.fallbackReason).toMatch(/no <action> tag in the reply \(also after 1 repair call\)/);
    expect(decision.calls).toBe(2);
    const stepped = await env.step(decision.action);
    expect(stepped.info.valid).toBe(false);
    expect(stepped.observation.round).toBe(1);
    expect(stepped.done).toBe(false);
  });

  it('does not repair a tagged action with a made-up operator: falls back with the parser reason', async () => {
    const first = await decideFirst([ACTION_REPLIES.garbageOperator]);
    expect(first.decision.action).toEqual(FALLBACK_ACTION);
    expect(first.decision.fallbackReason).toMatch(/unknown operator 'SuperSolver9000'/);
    expect(first.decision.calls).toBe(1);
    const second = await decideFirst([ACTION_REPLIES.garbageInParallel]);
    expect(second.decision.fallbackReason).toMatch(/MagicOracle/);
  });

  it('uses the lenient fallback (one operator named) when the repair also has no tag', async () => {
    const { decision } = await decideFirst([ACTION_REPLIES.proseOneOperator, ACTION_REPLIES.noneAgain]);
    expect(decision.action).toEqual({ type: 'add', operator: 'Verify' });
    expect(decision).toMatchObject({ lenient: true, repaired: false, calls: 2 });
  });

  it('with maxRepairs 0 never repairs', async () => {
    const { decision, backend } = await decideFirst([ACTION_REPLIES.noneAgain], { maxRepairs: 0 });
    expect(decision.action).toEqual(FALLBACK_ACTION);
    expect(backend.requests).toHaveLength(1);
  });
});

describe('createLlmDirector: prompt turns (two-step protocol)', () => {
  it.each([
    ['plain text', PROMPT_REPLIES.plain, 'List the quantities in the problem and the operation that connects them, step by step.'],
    ['a <prompt> tag', PROMPT_REPLIES.tagged, 'Compute the product directly and state only the number.'],
    ['a set_prompt action', PROMPT_REPLIES.asSetPrompt, 'Check each arithmetic step and report any mistake.'],
    ['think then text', PROMPT_REPLIES.thinkThenPrompt, 'Outline the two or three steps needed before any calculation.'],
  ])('answers with a prompt action from %s', async (_label, reply, prompt) => {
    const backend = scriptedBackend([reply]);
    const env = makeEnv(backend);
    const [decision] = await director(backend).act([await promptTurn(env)]);
    expect(decision?.action).toEqual({ type: 'prompt', prompt });
    expect(backend.requests[0]).toMatchObject({ maxTokens: 256, metadata: { purpose: 'director-prompt' } });
    expect(lastUser(backend.requests[0])).toMatch(/## Write the prompt for Plan \(node_1, new operator\)/);
    const stepped = await env.step(decision!.action);
    expect(stepped.observation.canvas.stages[0]).toMatchObject({ operator: 'Plan', prompt });
  });

  it('repairs an editing action sent where a prompt was awaited', async () => {
    const backend = scriptedBackend([PROMPT_REPLIES.wrongTurn, PROMPT_REPLIES.plain]);
    const [decision] = await director(backend).act([await promptTurn(makeEnv(backend))]);
    expect(decision).toMatchObject({ action: { type: 'prompt', prompt: PROMPT_REPLIES.plain }, repaired: true });
    expect(lastUser(backend.requests[1])).toMatch(/usable prompt\. Write only the instruction for Plan/);
  });

  it('falls back on two think-only replies and the env keeps awaiting the prompt', async () => {
    const backend = scriptedBackend([PROMPT_REPLIES.thinkOnly, PROMPT_REPLIES.thinkOnly]);
    const env = makeEnv(backend);
    const [decision] = await director(backend).act([await promptTurn(env)]);
    expect(decision?.action).toEqual(FALLBACK_ACTION);
    expect(decision?.fallbackReason).toMatch(/think block/);
    const stepped = await env.step(decision!.action);
    expect(stepped.info.valid).toBe(false);
    expect(stepped.observation.awaiting?.operator).toBe('Plan');
  });
});

describe('createLlmDirector: requests', () => {
  it('sends the task view only, never gold data', async () => {
    const { backend } = await decideFirst([ACTION_REPLIES.clean]);
    const text = JSON.stringify(backend.requests);
    expect(text).toContain('What is 6 * 7?');
    expect(text).not.toContain(GOLD);
  });

  it('lists the operators and the action syntax in the system message', async () => {
    const { backend } = await decideFirst([ACTION_REPLIES.clean]);
    const system = backend.requests[0]?.messages[0];
    expect(system?.role).toBe('system');
    for (const op of ['Plan', 'ScEnsemble', 'Format']) expect(system?.content).toContain(`- ${op}: `);
    expect(system?.content).toContain('<action>add</action><structure>conditional</structure>');
  });

  it('samples at the configured temperature and acts greedily at 0', async () => {
    const backend = scriptedBackend([ACTION_REPLIES.clean, ACTION_REPLIES.clean]);
    const policy = director(backend, { temperature: 0.3 });
    await policy.act([makeEnv(backend).reset(task)]);
    await policy.act([makeEnv(backend).reset(task)], { greedy: true });
    expect(backend.requests.map((r) => r.temperature)).toEqual([0.3, 0]);
  });

  it('adds Qwen3 thinking switches for FlowSteer / Qwen3 models only', async () => {
    const qwen = scriptedBackend([ACTION_REPLIES.think, PROMPT_REPLIES.plain], 'beita6969/FlowSteer-8b');
    const env = makeEnv(qwen);
    const policy = director(qwen);
    const [add] = await policy.act([env.reset(task)]);
    const awaiting = (await env.step(add!.action)).observation;
    await policy.act([awaiting]);
    expect(lastUser(qwen.requests[0])).toMatch(/\n\/think$/);
    expect(lastUser(qwen.requests[1])).toMatch(/\n\/no_think$/);
    const { backend: gpt } = await decideFirst([ACTION_REPLIES.clean]);
    expect(lastUser(gpt.requests[0])).not.toMatch(/think$/);
  });

  it('rejects act with BACKEND_FAILED when the backend throws', async () => {
    const backend: LlmBackend = { name: 'down', model: 'm', simulated: false, complete: () => Promise.reject(new Error('ECONNREFUSED')) };
    await expect(director(backend).act([makeEnv(backend).reset(task)])).rejects.toMatchObject({ code: 'BACKEND_FAILED', message: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('refuses bad options', () => {
    const backend = scriptedBackend([]);
    expect(() => director(backend, { maxRepairs: -1 })).toThrow(/maxRepairs/);
    expect(() => createLlmDirector({ backend, operators: [] })).toThrow(/at least one operator/);
  });
});
