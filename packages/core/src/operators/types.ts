/**
 * The operator contract. Core defines it and the executor runs it; `@flowsteer/operators` implements the
 * paper's 12 operators and users may register their own (plugin API). Core never imports implementations.
 * @public
 */
import type { LlmRequestMetadata, LlmResponse, LlmMessage } from '../llm/types.ts';
import type { CodeSandbox } from '../sandbox/types.ts';
import type { TaskView } from '../tasks/types.ts';

/** Functional category, used for structure detection and feedback ("6 categories", spec §2). */
export type OperatorCategory = 'planning' | 'solving' | 'checking' | 'revision' | 'ensemble' | 'output';

/** What the previous stage handed on: one value, or the list a parallel stage produced. */
export type StageValue = string | readonly string[];

/**
 * Inputs the executor prepares for one operator call (dataflow of spec §3.2). Each operator reads the
 * fields it needs: Plan/Decompose only `problem`; Programmer `problem` + `prev` as analysis; checkers
 * and Format the `solution`; Revise `solution` + `feedback`; ensembles the `candidates`.
 */
export interface OperatorInput {
  /** The task's problem text. */
  readonly problem: string;
  /** Previous stage's output, flattened to text (numeric majority or `\n---\n` join for lists). */
  readonly prev: string;
  /** The most recent solution-like value (what a Review/Verify/Format works on). */
  readonly solution: string;
  /** The most recent code produced upstream (code tasks, Programmer output), if any. */
  readonly code?: string;
  /** Parallel outputs when the previous stage was parallel (for ScEnsemble/Aggregate). */
  readonly candidates?: readonly string[];
  /** Checker feedback for Revise / a conditional branch. */
  readonly feedback?: string;
  /** Error of the previous attempt, injected into a conditional's fail branch (`[PREVIOUS_ERROR]`). */
  readonly previousError?: string;
  /** Plan steps or sub-problems produced upstream. */
  readonly guidance?: string;
}

/** Options for one LLM call made by an operator; the executor adds metadata and accounting. */
export interface OperatorLlmCall {
  readonly messages: readonly LlmMessage[];
  readonly purpose: string;
  readonly attempt?: number;
  readonly temperature?: number;
  readonly maxTokens?: number;
  readonly context?: LlmRequestMetadata['context'];
}

/** Everything an operator may use for one call. */
export interface OperatorContext {
  readonly task: TaskView;
  readonly nodeId: string;
  /** The node's instruction prompt ("" when the node uses the operator's default). */
  readonly instruction: string;
  readonly templateId?: string;
  readonly input: OperatorInput;
  /** Calls the injected LLM backend; usage/latency/cost are recorded in the node trace. */
  readonly llm: (call: OperatorLlmCall) => Promise<LlmResponse>;
  readonly sandbox: CodeSandbox;
  readonly signal: AbortSignal;
}

/** Result of one operator call. */
export interface OperatorResult {
  /** Parsed output fields, keyed as in spec §2 (e.g. `thought`/`answer`, `is_correct`/`confidence`). */
  readonly fields: Readonly<Record<string, unknown>>;
  /** The value handed to the next stage as `prev`. Checkers hand on the (possibly rewritten) solution. */
  readonly output: string;
  /**
   * `solution`: `output` becomes the new current solution; `guidance`: plan/sub-problems, the solution is
   * unchanged; `verdict`: a check whose `output` is the solution it checked (possibly corrected).
   */
  readonly role: 'solution' | 'guidance' | 'verdict';
  /** For checkers: whether the check passed (drives conditionals). */
  readonly passed?: boolean;
  /** For checkers: the critique handed to a following Revise / fail branch. */
  readonly feedback?: string;
  /** Code produced or repaired by this operator (code tasks, Programmer). */
  readonly code?: string;
  /** A recoverable failure inside the operator (e.g. code that raised); traced, never thrown. */
  readonly error?: string;
}

/** Static description of an operator (the "guidance card" shown when a prompt is requested). */
export interface OperatorSpec {
  readonly name: string;
  readonly category: OperatorCategory;
  readonly description: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Our own default instruction wording. */
  readonly defaultPrompt: string;
  /** Takes a list of candidates (ScEnsemble, Aggregate): a preceding parallel stage hands it the list. */
  readonly consumesCandidates?: boolean;
  /** Forbidden inside a parallel stage (ensembles, spec §1.3). */
  readonly forbiddenInParallel?: boolean;
}

/** An executable operator. */
export interface Operator extends OperatorSpec {
  run(ctx: OperatorContext): Promise<OperatorResult>;
}

/** Lookup of operators by name; `@flowsteer/operators` provides the default registry. */
export interface OperatorRegistry {
  get(name: string): Operator | undefined;
  has(name: string): boolean;
  names(): readonly string[];
}
