/**
 * Test helpers: an `OperatorContext` built by hand (what the executor would build), a scripted LLM
 * backend that replays canned replies, and a stub sandbox. Used by this package's unit tests and by
 * anyone testing a plugin operator.
 * @public
 */
import { toTaskView } from '@flowsteer/core';
import type { CodeSandbox, LlmBackend, LlmRequest, LlmResponse, OperatorContext, OperatorInput, SandboxResult, Task } from '@flowsteer/core';

/** Options of `makeTestContext`. */
export interface TestContextOptions {
  readonly task: Task;
  readonly backend: LlmBackend;
  readonly sandbox?: CodeSandbox;
  /** Operator name sent as request metadata. @default 'Custom' */
  readonly operator?: string;
  readonly nodeId?: string;
  readonly instruction?: string;
  readonly input?: Partial<OperatorInput>;
}

/** A context plus the requests its `llm` made (for assertions). */
export interface TestContext {
  readonly ctx: OperatorContext;
  readonly requests: LlmRequest[];
}

/** Builds an operator context the way the executor does, with metadata for the backend. */
export function makeTestContext(options: TestContextOptions): TestContext {
  const requests: LlmRequest[] = [];
  const operator = options.operator ?? 'Custom';
  const nodeId = options.nodeId ?? 'node_1';
  const input: OperatorInput = { problem: options.task.problem, prev: '', solution: '', ...options.input };
  const ctx: OperatorContext = {
    task: toTaskView(options.task),
    nodeId,
    instruction: options.instruction ?? '',
    input,
    sandbox: options.sandbox ?? stubSandbox(),
    signal: new AbortController().signal,
    llm: async (call) => {
      const request: LlmRequest = {
        messages: call.messages,
        metadata: { taskId: options.task.id, operator, nodeId, purpose: call.purpose, attempt: call.attempt ?? 0, context: call.context },
      };
      requests.push(request);
      return options.backend.complete(request);
    },
  };
  return { ctx, requests };
}

/** A backend that answers with the given replies in order (the last one repeats), or via a function. */
export function scriptedBackend(replies: readonly string[] | ((request: LlmRequest) => string)): LlmBackend {
  let index = 0;
  return {
    name: 'scripted',
    model: 'scripted',
    simulated: true,
    async complete(request: LlmRequest): Promise<LlmResponse> {
      const text = typeof replies === 'function' ? replies(request) : (replies[Math.min(index, replies.length - 1)] ?? '');
      index += 1;
      return { text, usage: { promptTokens: 1, completionTokens: 1 }, latencyMs: 0, costUsd: 0, model: 'scripted', simulated: true };
    },
  };
}

/** A sandbox that returns `result(code)` (default: success with empty output) without running anything. */
export function stubSandbox(result: (code: string) => Partial<SandboxResult> = () => ({})): CodeSandbox {
  return {
    async runPython(code: string): Promise<SandboxResult> {
      const partial = result(code);
      return {
        ok: true,
        exitCode: 0,
        signal: null,
        stdout: '',
        stderr: '',
        timedOut: false,
        memoryExceeded: false,
        outputTruncated: false,
        durationMs: 1,
        cached: false,
        ...partial,
      };
    },
  };
}
