/**
 * Executor inputs and outputs.
 * @public
 */
import type { LlmBackend } from '../llm/types.ts';
import type { OperatorRegistry, OperatorResult } from '../operators/types.ts';
import type { CodeSandbox } from '../sandbox/types.ts';
import type { ExecutionCache } from './executionCache.ts';

/** Everything the executor needs, injected (core never imports operator implementations). */
export interface ExecuteOptions {
  readonly registry: OperatorRegistry;
  readonly backend: LlmBackend;
  readonly sandbox: CodeSandbox;
  /** Prefix cache shared by the executions of one episode: unchanged prefixes are not re-run after an edit. */
  readonly cache?: ExecutionCache;
  /** Global wall-clock limit for one workflow run. @default 600000 (spec §5.3) */
  readonly timeoutMs?: number;
  /** Stop executing further operators once this many tokens were spent. @default 200000 */
  readonly tokenBudget?: number;
  readonly signal?: AbortSignal;
}

/** Token counts. */
export interface TokenCount {
  readonly prompt: number;
  readonly completion: number;
  readonly total: number;
}

/** What happened at one operator node during one execution. */
export interface NodeTrace {
  readonly nodeId: string;
  readonly operator: string;
  /** Top-level stage the node belongs to. */
  readonly stageId: string;
  /** Loop iteration (0-based) for loop bodies; 0 elsewhere. */
  readonly iteration: number;
  /** Inputs as the operator saw them (long values truncated for the trace). */
  readonly inputs: Readonly<Record<string, string>>;
  readonly output: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly role: OperatorResult['role'] | 'error';
  readonly passed?: boolean;
  readonly error?: string;
  readonly tokens: TokenCount;
  readonly llmCalls: number;
  /** Sum of LLM latencies reported by the backend (simulated for sim) plus sandbox time. */
  readonly latencyMs: number;
  /** Wall time spent in this node in this process. */
  readonly wallMs: number;
  readonly costUsd: number;
  /** True when the result came from the episode's prefix cache (no LLM call was made). */
  readonly cached: boolean;
}

/** Result of one workflow execution. Never thrown: failures are `ok: false` with `error`. */
export interface ExecutionResult {
  readonly ok: boolean;
  /** Final answer text (the latest solution; for code tasks the latest code's output). */
  readonly answer: string;
  /** Latest code, for code tasks (scored against hidden tests by the code scorer). */
  readonly code?: string;
  readonly trace: readonly NodeTrace[];
  readonly tokens: TokenCount;
  readonly costUsd: number;
  /** Critical-path latency: parallel branches overlap, stages add up. */
  readonly latencyMs: number;
  readonly wallMs: number;
  readonly error?: { readonly code: string; readonly message: string };
  /** True when any LLM answer came from a simulated backend; results must then be labelled `sim`. */
  readonly simulated: boolean;
  readonly cacheHits: number;
}
