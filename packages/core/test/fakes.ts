/**
 * Test doubles for core: core may not import `@flowsteer/operators`, so executor and env tests run on
 * tiny scripted operators and a counting backend.
 */
import type { LlmBackend, LlmRequest, LlmResponse } from '../src/llm/types.ts';
import type { Operator, OperatorContext, OperatorRegistry, OperatorResult } from '../src/operators/types.ts';
import type { CodeSandbox, SandboxResult } from '../src/sandbox/types.ts';
import type { TaskView } from '../src/tasks/types.ts';

export const mathView: TaskView = { id: 'unit/1', dataset: 'unit', kind: 'math', problem: 'What is 6 * 7?' };

/** Backend that answers `reply(request)` and records every request. */
export function fakeBackend(reply: (request: LlmRequest) => string = () => 'ok'): LlmBackend & { requests: LlmRequest[] } {
  const requests: LlmRequest[] = [];
  return {
    name: 'fake',
    model: 'fake-1',
    simulated: true,
    requests,
    async complete(request: LlmRequest): Promise<LlmResponse> {
      requests.push(request);
      const text = reply(request);
      return { text, usage: { promptTokens: 10, completionTokens: 5 }, latencyMs: 100, costUsd: 0.001, model: 'fake-1', simulated: true };
    },
  };
}

export const noSandbox: CodeSandbox = {
  async runPython(): Promise<SandboxResult> {
    throw new Error('no sandbox in this test');
  },
};

/** Operator whose behaviour is a function of its context; makes one LLM call first. */
export function scriptedOperator(
  name: string,
  behave: (ctx: OperatorContext, llmText: string) => Partial<OperatorResult> & { output: string },
  extra: Partial<Operator> = {},
): Operator {
  return {
    name,
    category: 'solving',
    description: `${name} (test double)`,
    inputs: ['problem'],
    outputs: ['response'],
    defaultPrompt: '',
    async run(ctx) {
      const response = await ctx.llm({ messages: [{ role: 'user', content: `${name}:${ctx.input.prev}` }], purpose: 'solve' });
      const partial = behave(ctx, response.text);
      return { fields: {}, role: 'solution', ...partial };
    },
    ...extra,
  };
}

export function registryOf(operators: readonly Operator[]): OperatorRegistry {
  const byName = new Map(operators.map((operator) => [operator.name, operator]));
  return { get: (name) => byName.get(name), has: (name) => byName.has(name), names: () => [...byName.keys()] };
}
