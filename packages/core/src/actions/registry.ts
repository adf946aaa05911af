/**
 * The action registry: one definition per action type, dispatch, and the applicability mask.
 * @public
 */
import { addConditional } from './addConditional.ts';
import { addLoop } from './addLoop.ts';
import { addOperator } from './addOperator.ts';
import { addParallel } from './addParallel.ts';
import { deleteNode } from './deleteNode.ts';
import { finish } from './finish.ts';
import { modifyNode } from './modifyNode.ts';
import { setPrompt } from './setPrompt.ts';
import { ACTION_NAMES, type Action, type ActionDefinition, type ActionName, type ActionState, type ApplyResult } from './types.ts';
import { writePrompt } from './writePrompt.ts';

/** Every action definition by type name. */
export const ACTIONS: { readonly [N in ActionName]: ActionDefinition<Extract<Action, { type: N }>> } = {
  add: addOperator,
  add_parallel: addParallel,
  add_conditional: addConditional,
  add_loop: addLoop,
  delete: deleteNode,
  modify: modifyNode,
  set_prompt: setPrompt,
  prompt: writePrompt,
  finish,
};

/** Applies any action through its definition. */
export function applyAction(state: ActionState, action: Action): ApplyResult {
  const definition = ACTIONS[action.type] as ActionDefinition<Action> | undefined;
  if (!definition) return { ok: false, reason: `unknown action type '${(action as { type: unknown }).type}'; expected one of ${ACTION_NAMES.join(', ')}` };
  return definition.apply(state, action);
}

/** Action types applicable in `state`, in ACTION_NAMES order (the type-level mask). */
export function applicableActions(state: ActionState): ActionName[] {
  return ACTION_NAMES.filter((name) => ACTIONS[name].isApplicable(state));
}

/** Boolean mask over ACTION_NAMES. */
export function actionMask(state: ActionState): boolean[] {
  return ACTION_NAMES.map((name) => ACTIONS[name].isApplicable(state));
}
