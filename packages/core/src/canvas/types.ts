/**
 * Canvas domain types: a workflow is a linear chain of stages (spec §3.1). Pure data, JSON-serialisable.
 * @public
 */

/** The 12 operators of the paper (spec §2). Users may register more, so node operators are plain strings. */
export const PAPER_OPERATORS = [
  'Custom',
  'AnswerGenerate',
  'Programmer',
  'ScEnsemble',
  'Test',
  'Review',
  'Revise',
  'Decompose',
  'Verify',
  'Plan',
  'Aggregate',
  'Format',
] as const;

/** Name of one of the paper's operators. */
export type PaperOperatorName = (typeof PAPER_OPERATORS)[number];

/** Any operator name: a paper operator or a user-registered one (validated against a registry, not here). */
export type OperatorName = PaperOperatorName | (string & {});

/**
 * Node id, e.g. `node_3` for a top-level stage and `node_3_p1`, `node_3_cond`, `node_3_fail`, `node_3_pass`,
 * `node_3_l0` for children. Top-level numbers come from a monotonic counter and are never reused after a
 * delete (the reference code reuses `node_{len+1}`, spec §9.7). The `node_` form is kept because the
 * paper's XML actions (and FlowSteer-8B) target nodes that way.
 */
export type NodeId = `node_${string}`;

/** A single operator invocation with its instruction prompt. */
export interface OperatorNode {
  readonly kind: 'operator';
  readonly id: NodeId;
  readonly operator: OperatorName;
  /** Instruction injected into the operator's template ("" = operator default). */
  readonly prompt: string;
  /** Id of the prompt template the prompt came from, when it came from the template library. */
  readonly templateId?: string;
}

/** 2–4 operators run concurrently on the same input; the output is the list of their answers. */
export interface ParallelNode {
  readonly kind: 'parallel';
  readonly id: NodeId;
  readonly branches: readonly OperatorNode[];
}

/**
 * A check and what to do with its verdict. `onFail` runs when the condition operator reports failure
 * (the reference code's "true" branch, spec §3.2); `onPass` runs when it passes, and `null` means
 * "done": the current solution passes through unchanged.
 */
export interface ConditionalNode {
  readonly kind: 'conditional';
  readonly id: NodeId;
  readonly condition: OperatorNode;
  readonly onFail: OperatorNode;
  readonly onPass: OperatorNode | null;
}

/** A body of operators repeated `count` times (1–10), each iteration feeding the next. */
export interface LoopNode {
  readonly kind: 'loop';
  readonly id: NodeId;
  readonly body: readonly OperatorNode[];
  readonly count: number;
}

/** One top-level stage of the chain. */
export type Stage = OperatorNode | ParallelNode | ConditionalNode | LoopNode;

/** Kind discriminator of a stage. */
export type StageKind = Stage['kind'];

/** A workflow under construction: ordered stages plus the id counter. */
export interface Canvas {
  readonly stages: readonly Stage[];
  /** Next top-level id number; only ever increases. */
  readonly nextId: number;
}

/** Structural limits enforced by validation and actions. */
export const CANVAS_LIMITS = {
  parallelMin: 2,
  parallelMax: 4,
  loopBodyMin: 1,
  loopBodyMax: 4,
  loopCountMin: 1,
  loopCountMax: 10,
  maxStages: 15,
} as const;
