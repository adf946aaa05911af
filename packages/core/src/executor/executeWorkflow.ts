/**
 * Runs a workflow on a task (dataflow of spec §3.2): stages in order, parallel branches concurrently,
 * conditionals by meaning (`onFail` runs when the check fails), loops by repetition, a prefix cache within
 * an episode, a per-node trace, a global timeout and a token budget. An operator failure becomes a traced
 * error and the run goes on; only timeout, budget and abort stop it — and even they return a result.
 * @public
 */
import { CoreError, toCoreError } from '../errors.ts';
import type { Canvas, OperatorNode, Stage } from '../canvas/types.ts';
import type { LlmResponse } from '../llm/types.ts';
import type { OperatorContext, OperatorInput, OperatorLlmCall, OperatorResult } from '../operators/types.ts';
import type { CodeSandbox, SandboxRunOptions } from '../sandbox/types.ts';
import type { TaskView } from '../tasks/types.ts';
import { ExecutionCache } from './executionCache.ts';
import { flattenOutputs } from './flatten.ts';
import type { ExecuteOptions, ExecutionResult, NodeTrace } from './types.ts';

const TRACE_VALUE_LIMIT = 2000;

/** Values flowing between stages. `feedback`, `previousError` and `candidates` only reach the next stage. */
interface FlowState {
  readonly prev: string;
  readonly solution: string;
  readonly code?: string;
  readonly guidance?: string;
  readonly candidates?: readonly string[];
  readonly feedback?: string;
  readonly previousError?: string;
}

interface NodeOutcome {
  readonly result: OperatorResult | null;
  readonly latencyMs: number;
}

function truncate(text: string): string {
  return text.length <= TRACE_VALUE_LIMIT ? text : `${text.slice(0, TRACE_VALUE_LIMIT)}… (${text.length} chars)`;
}

class WorkflowRun {
  readonly trace: NodeTrace[] = [];
  promptTokens = 0;
  completionTokens = 0;
  spentTokens = 0;
  costUsd = 0;
  cacheHits = 0;
  simulated = false;
  stop: CoreError | undefined;

  constructor(
    private readonly task: TaskView,
    private readonly options: ExecuteOptions,
    private readonly signal: AbortSignal,
    private readonly tokenBudget: number,
  ) {}

  async runStages(stages: readonly Stage[]): Promise<{ state: FlowState; latencyMs: number }> {
    let state: FlowState = { prev: '', solution: '' };
    let latencyMs = 0;
    for (const stage of stages) {
      if (this.checkStop()) break;
      const outcome = await this.runStage(stage, state);
      state = outcome.state;
      latencyMs += outcome.latencyMs;
    }
    return { state, latencyMs };
  }

  private checkStop(): boolean {
    if (!this.stop && this.signal.aborted) {
      this.stop = toCoreError(this.signal.reason ?? new CoreError('ABORTED', '[core] execution aborted'), 'ABORTED');
    }
    return this.stop !== undefined;
  }

  private async runStage(stage: Stage, state: FlowState): Promise<{ state: FlowState; latencyMs: number }> {
    switch (stage.kind) {
      case 'operator': {
        const outcome = await this.runNode(stage, stage.id, 0, state);
        return { state: this.advance(state, outcome.result), latencyMs: outcome.latencyMs };
      }
      case 'parallel': {
        const outcomes = await Promise.all(stage.branches.map((branch) => this.runNode(branch, stage.id, 0, state)));
        return { state: this.mergeParallel(state, outcomes), latencyMs: Math.max(0, ...outcomes.map((o) => o.latencyMs)) };
      }
      case 'conditional': {
        const check = await this.runNode(stage.condition, stage.id, 0, state);
        const checked = this.advance(state, check.result);
        // A check that could not run gives no verdict: neither branch runs and the solution passes through.
        if (!check.result || this.checkStop()) return { state: checked, latencyMs: check.latencyMs };
        const failed = check.result.passed === false;
        const branch = failed ? stage.onFail : stage.onPass;
        if (!branch) return { state: checked, latencyMs: check.latencyMs };
        const branchInput: FlowState = failed
          ? {
              ...checked,
              feedback: check.result.feedback ?? checked.feedback,
              previousError: check.result.error ?? check.result.feedback,
            }
          : checked;
        const outcome = await this.runNode(branch, stage.id, 0, branchInput);
        return { state: this.advance(branchInput, outcome.result), latencyMs: check.latencyMs + outcome.latencyMs };
      }
      case 'loop': {
        let current = state;
        let latencyMs = 0;
        for (let iteration = 0; iteration < stage.count; iteration += 1) {
          for (const node of stage.body) {
            if (this.checkStop()) return { state: current, latencyMs };
            const outcome = await this.runNode(node, stage.id, iteration, current);
            current = this.advance(current, outcome.result);
            latencyMs += outcome.latencyMs;
          }
        }
        return { state: current, latencyMs };
      }
    }
  }

  /** Applies one operator result to the flow (a failed node leaves the flow unchanged but records its error). */
  private advance(state: FlowState, result: OperatorResult | null): FlowState {
    const base = { prev: state.prev, solution: state.solution, code: state.code, guidance: state.guidance };
    if (!result) return { ...base, previousError: this.trace.at(-1)?.error };
    const code = result.code ?? (this.task.kind === 'code' && result.role === 'solution' ? result.output : state.code);
    const withError = result.error ? { previousError: result.error } : {};
    switch (result.role) {
      case 'guidance':
        return { ...base, prev: result.output, guidance: result.output, code, ...withError };
      case 'solution':
        return { ...base, prev: result.output, solution: result.output, code, ...withError };
      case 'verdict': {
        const solution = result.output || state.solution;
        return { ...base, prev: solution, solution, code, feedback: result.feedback, ...withError };
      }
    }
  }

  private mergeParallel(state: FlowState, outcomes: readonly NodeOutcome[]): FlowState {
    const results = outcomes.map((o) => o.result).filter((r): r is OperatorResult => r !== null && r.output !== '');
    if (results.length === 0) return { prev: state.prev, solution: state.solution, code: state.code, guidance: state.guidance };
    const outputs = results.map((r) => r.output);
    const flat = flattenOutputs(outputs);
    const allGuidance = results.every((r) => r.role === 'guidance');
    const code = results.find((r) => r.code)?.code ?? (this.task.kind === 'code' ? outputs[0] : state.code);
    return allGuidance
      ? { prev: flat, solution: state.solution, code: state.code, guidance: flat, candidates: outputs }
      : { prev: flat, solution: flat, code, guidance: state.guidance, candidates: outputs };
  }

  private inputFor(state: FlowState): OperatorInput {
    const input: Record<string, unknown> = { problem: this.task.problem, prev: state.prev, solution: state.solution };
    if (state.code !== undefined) input.code = state.code;
    if (state.candidates) input.candidates = state.candidates;
    if (state.feedback !== undefined) input.feedback = state.feedback;
    if (state.previousError !== undefined) input.previousError = state.previousError;
    if (state.guidance !== undefined) input.guidance = state.guidance;
    return input as unknown as OperatorInput;
  }

  private async runNode(node: OperatorNode, stageId: string, iteration: number, state: FlowState): Promise<NodeOutcome> {
    const started = performance.now();
    const input = this.inputFor(state);
    const inputs = Object.fromEntries(
      Object.entries(input).map(([key, value]) => [key, truncate(Array.isArray(value) ? value.join('\n---\n') : String(value))]),
    );
    const traceBase = { nodeId: node.id, operator: node.operator, stageId, iteration, inputs };
    const operator = this.options.registry.get(node.operator);
    if (!operator) {
      const error = `[core] unknown operator '${node.operator}'; expected one of ${this.options.registry.names().join(', ')}`;
      this.pushTrace({ ...traceBase, output: '', fields: {}, role: 'error', error }, 0, 0, 0, 0, 0, started, false);
      return { result: null, latencyMs: 0 };
    }

    const cacheKey = this.options.cache
      ? ExecutionCache.key({ nodeId: node.id, operator: node.operator, prompt: node.prompt, templateId: node.templateId, iteration, input })
      : '';
    const hit = this.options.cache?.get(cacheKey);
    if (hit) {
      this.cacheHits += 1;
      const r = hit.result;
      this.pushTrace(
        { ...traceBase, output: truncate(r.output), fields: r.fields, role: r.role, passed: r.passed, error: r.error },
        hit.promptTokens, hit.completionTokens, hit.latencyMs, hit.costUsd, hit.llmCalls, started, true,
      );
      return { result: r, latencyMs: hit.latencyMs };
    }

    let promptTokens = 0;
    let completionTokens = 0;
    let latencyMs = 0;
    let costUsd = 0;
    let llmCalls = 0;
    const callId = iteration === 0 ? node.id : `${node.id}@${iteration}`;
    const llm = async (call: OperatorLlmCall): Promise<LlmResponse> => {
      if (this.spentTokens >= this.tokenBudget) {
        this.stop ??= new CoreError('BUDGET_EXCEEDED', `[core] token budget of ${this.tokenBudget} exhausted after ${this.spentTokens} tokens`);
        throw this.stop;
      }
      const response = await this.options.backend.complete({
        messages: call.messages,
        temperature: call.temperature,
        maxTokens: call.maxTokens,
        signal: this.signal,
        metadata: {
          taskId: this.task.id,
          operator: node.operator,
          nodeId: callId,
          purpose: call.purpose,
          attempt: call.attempt ?? 0,
          templateId: node.templateId,
          context: call.context,
        },
      });
      llmCalls += 1;
      promptTokens += response.usage.promptTokens;
      completionTokens += response.usage.completionTokens;
      this.spentTokens += response.usage.promptTokens + response.usage.completionTokens;
      latencyMs += response.latencyMs;
      costUsd += response.costUsd;
      if (response.simulated) this.simulated = true;
      return response;
    };
    const sandbox: CodeSandbox = {
      runPython: async (code: string, options?: SandboxRunOptions) => {
        const result = await this.options.sandbox.runPython(code, { signal: this.signal, ...options });
        latencyMs += result.durationMs;
        return result;
      },
    };
    const context: OperatorContext = {
      task: this.task,
      nodeId: callId,
      instruction: node.prompt,
      ...(node.templateId === undefined ? {} : { templateId: node.templateId }),
      input,
      llm,
      sandbox,
      signal: this.signal,
    };

    try {
      const result = await operator.run(context);
      this.options.cache?.set(cacheKey, { result, promptTokens, completionTokens, latencyMs, costUsd, llmCalls });
      this.pushTrace(
        { ...traceBase, output: truncate(result.output), fields: result.fields, role: result.role, passed: result.passed, error: result.error },
        promptTokens, completionTokens, latencyMs, costUsd, llmCalls, started, false,
      );
      return { result, latencyMs };
    } catch (thrown) {
      const error = toCoreError(thrown, 'OPERATOR_FAILED');
      this.checkStop();
      this.pushTrace(
        { ...traceBase, output: '', fields: {}, role: 'error', error: `${error.code}: ${error.message}` },
        promptTokens, completionTokens, latencyMs, costUsd, llmCalls, started, false,
      );
      return { result: null, latencyMs };
    }
  }

  private pushTrace(
    entry: Omit<NodeTrace, 'tokens' | 'llmCalls' | 'latencyMs' | 'wallMs' | 'costUsd' | 'cached'>,
    promptTokens: number,
    completionTokens: number,
    latencyMs: number,
    costUsd: number,
    llmCalls: number,
    started: number,
    cached: boolean,
  ): void {
    this.promptTokens += promptTokens;
    this.completionTokens += completionTokens;
    this.costUsd += costUsd;
    const clean = Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined)) as typeof entry;
    this.trace.push({
      ...clean,
      tokens: { prompt: promptTokens, completion: completionTokens, total: promptTokens + completionTokens },
      llmCalls,
      latencyMs,
      wallMs: performance.now() - started,
      costUsd,
      cached,
    });
  }
}

/**
 * Executes `canvas` on `task` and returns the answer, the per-node trace and the accounting.
 * Token and cost totals are what the workflow costs per run (cached nodes included), so edits that hit
 * the prefix cache do not make a workflow look cheaper than it is.
 */
export async function executeWorkflow(canvas: Canvas, task: TaskView, options: ExecuteOptions): Promise<ExecutionResult> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 600_000;
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason ?? new CoreError('ABORTED', '[core] execution aborted'));
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new CoreError('TIMEOUT', `[core] workflow exceeded its ${timeoutMs} ms time limit`));
      resolve('timeout');
    }, timeoutMs);
  });

  const run = new WorkflowRun(task, options, controller.signal, options.tokenBudget ?? 200_000);
  let final: { state: FlowState; latencyMs: number } | undefined;
  try {
    const outcome = await Promise.race([run.runStages(canvas.stages), timedOut]);
    if (outcome !== 'timeout') final = outcome;
    // The stage loop may still be inside an operator: the stop flag makes it bail out at the next node.
    else run.stop ??= toCoreError(controller.signal.reason, 'TIMEOUT');
  } catch (thrown) {
    run.stop ??= toCoreError(thrown);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (!final && !run.stop) run.stop = toCoreError(controller.signal.reason ?? new CoreError('TIMEOUT', '[core] workflow timed out'));

  const state = final?.state ?? { prev: '', solution: '' };
  const answer = state.solution || state.prev;
  const stop = run.stop;
  return {
    ok: stop === undefined,
    answer,
    ...(state.code === undefined ? {} : { code: state.code }),
    trace: [...run.trace],
    tokens: { prompt: run.promptTokens, completion: run.completionTokens, total: run.promptTokens + run.completionTokens },
    costUsd: run.costUsd,
    latencyMs: final?.latencyMs ?? run.trace.reduce((sum, node) => sum + node.latencyMs, 0),
    wallMs: performance.now() - started,
    ...(stop ? { error: { code: stop.code, message: stop.message } } : {}),
    simulated: run.simulated,
    cacheHits: run.cacheHits,
  };
}
