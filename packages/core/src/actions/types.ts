/**
 * Canvas edit actions as data (excalidraw style): each type has one module with `isApplicable`
 * (the policy's action mask and the dashboard's enabled flag) and `apply` (a new canvas or a reason).
 * @public
 */
import type { Canvas, NodeId, OperatorName } from '../canvas/types.ts';

export interface AddAction {
  readonly type: 'add';
  readonly operator: OperatorName;
  /** 0-based index among top-level stages; undefined = append. */
  readonly position?: number;
  readonly prompt?: string;
  readonly templateId?: string;
}
export interface AddParallelAction {
  readonly type: 'add_parallel';
  readonly operators: readonly OperatorName[];
  readonly position?: number;
}
export interface AddConditionalAction {
  readonly type: 'add_conditional';
  readonly condition: OperatorName;
  /** Runs when the check fails (the paper's `<true>` branch). */
  readonly onFail: OperatorName;
  /** Runs when the check passes; null/undefined = done (the paper's `<false>`). */
  readonly onPass?: OperatorName | null;
  readonly position?: number;
}
export interface AddLoopAction {
  readonly type: 'add_loop';
  readonly operators: readonly OperatorName[];
  readonly count: number;
  readonly position?: number;
}
export interface DeleteAction {
  readonly type: 'delete';
  readonly target: NodeId | string;
}
export interface ModifyAction {
  readonly type: 'modify';
  readonly target: NodeId | string;
  readonly operator: OperatorName;
  readonly prompt?: string;
  readonly templateId?: string;
}
export interface SetPromptAction {
  readonly type: 'set_prompt';
  readonly target: NodeId | string;
  readonly prompt: string;
  readonly templateId?: string;
}
/** The reply to "awaiting prompt": the prompt of the pending operator (spec §1.4). */
export interface PromptAction {
  readonly type: 'prompt';
  readonly prompt: string;
  readonly templateId?: string;
}
export interface FinishAction {
  readonly type: 'finish';
  /** Stored for the record only; the score always comes from the last execution (spec §3.3). */
  readonly answer?: string;
}

export type Action =
  | AddAction
  | AddParallelAction
  | AddConditionalAction
  | AddLoopAction
  | DeleteAction
  | ModifyAction
  | SetPromptAction
  | PromptAction
  | FinishAction;

/** Closed set of action type names. */
export type ActionName = Action['type'];

export const ACTION_NAMES: readonly ActionName[] = [
  'add',
  'add_parallel',
  'add_conditional',
  'add_loop',
  'delete',
  'modify',
  'set_prompt',
  'prompt',
  'finish',
];

/** A prompt the environment is waiting for (spec §1.4 AWAITING_PROMPT). */
export interface PendingPrompt {
  /** Node that will receive the prompt (for `add`/`modify` it exists only once the prompt arrives). */
  readonly target: NodeId;
  readonly operator: OperatorName;
  /** Human-readable position, e.g. "parallel prompt 2/3". */
  readonly label: string;
}

/** What an action's predicate and apply function may look at. */
export interface ActionState {
  readonly canvas: Canvas;
  readonly awaiting: PendingPrompt | null;
  readonly finished: boolean;
  /** Operator names available in this environment (the registry). */
  readonly operators: readonly string[];
}

/** Outcome of `apply`: an ordinary "can't" is a value, never an exception. */
export type ApplyResult =
  | { readonly ok: true; readonly canvas: Canvas; readonly nodeIds: readonly NodeId[] }
  | { readonly ok: false; readonly reason: string };

/** One action type's behaviour. */
export interface ActionDefinition<A extends Action = Action> {
  readonly name: A['type'];
  /** One-line description for UIs and LLM prompts. */
  readonly description: string;
  /** Human-readable summary of a concrete action. */
  describe(action: A): string;
  /** Whether this action type can be taken at all in `state` (mask / enabled button). */
  isApplicable(state: ActionState): boolean;
  /** Applies the action to the canvas; `{ ok: false, reason }` for an ordinary refusal. */
  apply(state: ActionState, action: A): ApplyResult;
}

/** Identity helper that checks an action module against the contract. */
export function defineAction<A extends Action>(definition: ActionDefinition<A>): ActionDefinition<A> {
  return definition;
}
