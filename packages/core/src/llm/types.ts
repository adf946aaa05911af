/**
 * The LLM backend contract: messages in; text, token usage, latency and cost out; abortable.
 * Implementations live in `@flowsteer/operators` (sim, openai, …).
 * @public
 */

export interface LlmMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/**
 * Who is calling and why. Real backends ignore it (except for logging); the simulated executor uses it
 * to look the task up in its own oracle — gold data never travels inside a request.
 */
export interface LlmRequestMetadata {
  readonly taskId: string;
  readonly operator: string;
  readonly nodeId: string;
  /** What the call is for inside the operator, e.g. `solve`, `select`, `verify`, `reflect`. */
  readonly purpose: string;
  /** Retry / generate-run attempt number inside the operator (0-based). */
  readonly attempt?: number;
  /** Prompt template id of the node, when it came from the library. */
  readonly templateId?: string;
  /** Structured view of the operator's inputs (upstream outputs, candidates, feedback, error). */
  readonly context?: Readonly<Record<string, unknown>>;
}

export interface LlmRequest {
  readonly messages: readonly LlmMessage[];
  readonly temperature?: number;
  readonly maxTokens?: number;
  readonly signal?: AbortSignal;
  readonly metadata?: LlmRequestMetadata;
}

export interface LlmUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export interface LlmResponse {
  readonly text: string;
  readonly usage: LlmUsage;
  readonly latencyMs: number;
  /** Cost in USD; for the sim backend, the cost the profiled real model would have charged. */
  readonly costUsd: number;
  readonly model: string;
  /** True when produced by the simulated executor. Results must then be labelled `sim`. */
  readonly simulated: boolean;
  /**
   * True when a real backend replayed a stored reply instead of calling the model: `usage` is then the
   * original call's (so budgets and rewards match the first run) and `costUsd` is 0 (nothing was billed).
   */
  readonly cached?: boolean;
}

export interface LlmBackend {
  /** Backend kind, e.g. `sim` or `openai`. */
  readonly name: string;
  /** Model (or sim profile) name. */
  readonly model: string;
  readonly simulated: boolean;
  complete(request: LlmRequest): Promise<LlmResponse>;
}
