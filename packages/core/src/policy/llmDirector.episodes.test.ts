import { describe, expect, it } from 'vitest';
import { noSandbox } from '../../test/fakes.ts';
import { trainerRegistry } from '../../test/trainerFakes.ts';
import { WorkflowEnv } from '../env/workflowEnv.ts';
import type { LlmBackend, LlmMessage, LlmRequest, LlmResponse } from '../llm/types.ts';
import type { MathTask } from '../tasks/types.ts';
import { runRollouts } from '../trainer/rollout.ts';
import { ACTION_REPLIES, PROMPT_REPLIES } from './llmDirector.fixtures.ts';
import { createLlmDirector, type LlmDecision } from './llmDirector.ts';
import { EpisodeTracker } from './llmDirectorEpisodes.ts';
import { ACTION_REPAIR_INSTRUCTION, directorOperators } from './llmDirectorPrompt.ts';

const task: MathTask = { id: 'gsm8k/1', dataset: 'gsm8k', kind: 'math', problem: 'What is 6 * 7?', answer: '42', meta: {} };
const operators = directorOperators(trainerRegistry);

/** Director calls answered by `reply`; executor calls (the scripted operators) by "42". */
function backendOf(reply: (request: LlmRequest) => string): LlmBackend & { requests: LlmRequest[] } {
  const requests: LlmRequest[] = [];
  return {
    name: 'scripted',
    model: 'scripted-1',
    simulated: false,
    requests,
    async complete(request): Promise<LlmResponse> {
      const director = request.metadata?.operator === 'FlowDirector';
      if (director) requests.push(request);
      return { text: director ? reply(request) : '42', usage: { promptTokens: 10, completionTokens: 5 }, latencyMs: 1, costUsd: 0, model: 'scripted-1', simulated: false };
    },
  };
}

function queue(replies: readonly string[]) {
  const left = [...replies];
  return () => {
    const next = left.shift();
    if (next === undefined) throw new Error('expected another scripted reply, got none left');
    return next;
  };
}

const assistantTexts = (request: LlmRequest | undefined) => (request?.messages ?? []).filter((m) => m.role === 'assistant').map((m) => m.content);

describe('createLlmDirector: conversation history', () => {
  it('keeps the last historyTurns turns of the episode, canonical actions only', async () => {
    const backend = backendOf(queue([ACTION_REPLIES.think, PROMPT_REPLIES.plain, ACTION_REPLIES.squareTags, PROMPT_REPLIES.tagged, ACTION_REPLIES.clean]));
    const env = new WorkflowEnv({ registry: trainerRegistry, backend, sandbox: noSandbox });
    const director = createLlmDirector({ backend, operators, historyTurns: 2 });
    let observation = env.reset(task);
    for (let turn = 0; turn < 5; turn += 1) {
      const [decision] = await director.act([observation]);
      observation = (await env.step(decision!.action)).observation;
    }
    const [first, , third, , fifth] = backend.requests;
    expect(first?.messages).toHaveLength(2);
    expect(assistantTexts(third)).toEqual(['<action>add</action><operator>Plan</operator>', `<prompt>${PROMPT_REPLIES.plain}</prompt>`]);
    // Capped at two turns: the oldest kept one is turn 3.
    expect(fifth?.messages).toHaveLength(6);
    expect(assistantTexts(fifth)).toEqual(['<action>add</action><operator>Format</operator>', '<prompt>Compute the product directly and state only the number.</prompt>']);
    expect(JSON.stringify(backend.requests)).not.toContain('a plan is cheaper');
    expect((fifth?.messages[1] as LlmMessage).content).toMatch(/^Round 2\/20 \(edit\)\. DSL: Plan\n/);
  });

  it('sends single-message turns with historyTurns 0 (the reference code)', async () => {
    const backend = backendOf(queue([ACTION_REPLIES.clean, PROMPT_REPLIES.plain, ACTION_REPLIES.clean]));
    const env = new WorkflowEnv({ registry: trainerRegistry, backend, sandbox: noSandbox });
    const director = createLlmDirector({ backend, operators, historyTurns: 0 });
    let observation = env.reset(task);
    for (let turn = 0; turn < 3; turn += 1) observation = (await env.step((await director.act([observation]))[0]!.action)).observation;
    expect(backend.requests.map((r) => r.messages.length)).toEqual([2, 2, 2]);
  });

  it('tells the model in the next turn why its previous reply was dropped', async () => {
    const backend = backendOf(queue([ACTION_REPLIES.garbageOperator, ACTION_REPLIES.clean]));
    const env = new WorkflowEnv({ registry: trainerRegistry, backend, sandbox: noSandbox });
    const director = createLlmDirector({ backend, operators });
    const [bad] = await director.act([env.reset(task)]);
    await director.act([(await env.step(bad!.action)).observation]);
    const turn = backend.requests[1]?.messages.at(-1)?.content ?? '';
    expect(turn).toMatch(/## Note\nYour previous reply was not usable \(unknown operator 'SuperSolver9000'/);
    expect(assistantTexts(backend.requests[1])).toEqual([ACTION_REPLIES.garbageOperator]);
  });

  it('keeps concurrent episodes of one task apart (matched by round and order)', async () => {
    const backend = backendOf(queue([ACTION_REPLIES.clean, ACTION_REPLIES.squareTags, PROMPT_REPLIES.plain, PROMPT_REPLIES.tagged]));
    const envs = [0, 1].map(() => new WorkflowEnv({ registry: trainerRegistry, backend, sandbox: noSandbox }));
    const director = createLlmDirector({ backend, operators });
    const firsts = await director.act(envs.map((env) => env.reset(task)));
    const next = await Promise.all(envs.map(async (env, i) => (await env.step(firsts[i]!.action)).observation));
    expect(next.map((o) => o.awaiting?.operator)).toEqual(['Plan', 'Format']);
    await director.act(next);
    expect(assistantTexts(backend.requests[2])).toEqual(['<action>add</action><operator>Plan</operator>']);
    expect(assistantTexts(backend.requests[3])).toEqual(['<action>add</action><operator>Format</operator>']);
  });
});

describe('EpisodeTracker', () => {
  const obs = (round: number, id = 't') => ({ task: { id }, round, maxRounds: 20 });

  it('starts a conversation at round 0, continues it at round 1 and forgets the least recently used', () => {
    const tracker = new EpisodeTracker(2);
    const [a, b] = tracker.assign([obs(0), obs(0)]);
    expect(a).not.toBe(b);
    tracker.settle([obs(0), obs(0)], [a!, b!]);
    expect(tracker.assign([obs(1), obs(1)])).toEqual([a, b]);
    const [c] = tracker.assign([obs(0, 'other')]);
    tracker.settle([obs(0, 'other')], [c!]);
    expect(tracker.size).toBe(2);
  });

  it('drops a conversation whose next step ends the episode', () => {
    const tracker = new EpisodeTracker(10);
    const [a] = tracker.assign([obs(19)]);
    tracker.settle([obs(19)], [a!]);
    expect(tracker.size).toBe(0);
  });
});

/** A director that builds `[AnswerGenerate, Programmer, AnswerGenerate] -> ScEnsemble -> Verify ? Revise : done -> Format`. */
function workflowBuilder(request: LlmRequest): string {
  const turn = [...request.messages].reverse().find((m) => m.role === 'user' && m.content.includes('## Your Turn'))?.content ?? '';
  const prompted = /## Write the prompt for (\w+)/.exec(turn);
  if (prompted) return `Do the ${prompted[1]} step carefully and keep the result short.`;
  const dsl = /^DSL: (.*)$/m.exec(turn)?.[1] ?? '';
  const repair = request.messages.at(-1)?.content === ACTION_REPAIR_INSTRUCTION;
  if (dsl === '' || dsl === '(empty)') return `<think>Start with diverse candidates.</think>\n<action>add</action><structure>parallel</structure><operators>AnswerGenerate, Programmer, AnswerGenerate</operators>`;
  if (dsl.endsWith(']')) return repair ? '<action>add</action><operator>ScEnsemble</operator>' : ACTION_REPLIES.none;
  if (dsl.endsWith('ScEnsemble')) return '```\n<action>add</action><structure>conditional</structure><condition>Verify</condition><true>Revise</true><false>done</false>\n```';
  if (dsl.endsWith('done')) return '[action]add[/action][operator]Format[/operator]';
  return 'The workflow is complete.\n<action>finish</action>';
}

describe('createLlmDirector: end to end', () => {
  it('builds a feasible workflow in WorkflowEnv through runRollouts and finishes (two episodes of one task)', async () => {
    const backend = backendOf(workflowBuilder);
    const director = createLlmDirector({ backend, operators });
    const { trajectories } = await runRollouts<LlmDecision>({
      policy: director,
      tasks: [task, task],
      makeEnv: () => new WorkflowEnv({ registry: trainerRegistry, backend, sandbox: noSandbox }),
      recordSteps: true,
    });
    for (const trajectory of trajectories) {
      expect(trajectory.outcome).toMatchObject({
        reason: 'finish',
        correct: true,
        operators: 7,
        dsl: '[AnswerGenerate, Programmer, AnswerGenerate] -> ScEnsemble -> Verify ? Revise : done -> Format',
      });
      expect(trajectory.shortcut).toBe(false);
      expect(trajectory.steps?.every((step) => step.valid)).toBe(true);
      expect(trajectory.decisions.filter((d) => d.repaired)).toHaveLength(1);
      expect(trajectory.choices.some(Boolean)).toBe(false);
    }
    expect(director.stats()).toMatchObject({ fallbacks: 0, repairs: 2, repaired: 2, decisions: 2 * (trajectories[0]?.decisions.length ?? 0) });
  });
});
