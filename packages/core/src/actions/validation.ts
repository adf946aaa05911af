/**
 * Shared checks for action parameters (operator names, positions, structure rules).
 * @internal
 */
import { suggestOperator } from '../canvas/dsl.ts';
import { CANVAS_LIMITS } from '../canvas/types.ts';
import type { ActionState } from './types.ts';

/** Ensembles take a list of candidates, so they cannot be a branch of a parallel stage (spec §1.3). */
export const FORBIDDEN_IN_PARALLEL: readonly string[] = ['ScEnsemble', 'Aggregate', 'MdEnsemble'];

/** Reason an operator name is not usable, or null. */
export function operatorProblem(state: ActionState, operator: string): string | null {
  if (state.operators.includes(operator)) return null;
  const hint = suggestOperator(operator, state.operators);
  return `unknown operator '${operator}'${hint ? ` (did you mean '${hint}'?)` : ''}; expected one of ${state.operators.join(', ')}`;
}

/** Reason a position is out of range, or null (undefined = append). */
export function positionProblem(state: ActionState, position: number | undefined): string | null {
  if (position === undefined) return null;
  if (!Number.isInteger(position) || position < 0 || position > state.canvas.stages.length) {
    return `position must be an integer in 0..${state.canvas.stages.length}, got ${position}`;
  }
  return null;
}

/** Whether another top-level stage fits. */
export function canAddStage(state: ActionState): boolean {
  return state.awaiting === null && !state.finished && state.canvas.stages.length < CANVAS_LIMITS.maxStages;
}

/** Minimum prompt length after trimming (spec §1.4). */
export const MIN_PROMPT_LENGTH = 5;

/** Reason a prompt is unusable, or null. */
export function promptProblem(prompt: string): string | null {
  return prompt.trim().length >= MIN_PROMPT_LENGTH
    ? null
    : `a prompt needs at least ${MIN_PROMPT_LENGTH} characters, got ${prompt.trim().length}`;
}
