import { allocateId, childId, insertStage, operatorNode } from '../canvas/canvas.ts';
import { defineAction, type AddConditionalAction } from './types.ts';
import { canAddStage, operatorProblem, positionProblem } from './validation.ts';

/** Adds a check with a branch for failure and an optional branch for success. @public */
export const addConditional = defineAction<AddConditionalAction>({
  name: 'add_conditional',
  description: 'Add a conditional stage: a check, an operator run when it fails, and optionally one run when it passes.',
  describe: (action) => `add conditional ${action.condition} ? ${action.onFail} : ${action.onPass ?? 'done'}`,
  isApplicable: canAddStage,
  apply(state, action) {
    if (!canAddStage(state)) return { ok: false, reason: 'cannot add a stage now (awaiting a prompt, finished, or the canvas is full)' };
    const names = [action.condition, action.onFail, ...(action.onPass ? [action.onPass] : [])];
    for (const operator of names) {
      const problem = operatorProblem(state, operator);
      if (problem) return { ok: false, reason: problem };
    }
    const positionIssue = positionProblem(state, action.position);
    if (positionIssue) return { ok: false, reason: positionIssue };
    const { id, canvas } = allocateId(state.canvas);
    const condition = operatorNode(childId(id, 'cond'), action.condition);
    const onFail = operatorNode(childId(id, 'fail'), action.onFail);
    const onPass = action.onPass ? operatorNode(childId(id, 'pass'), action.onPass) : null;
    const nodeIds = [condition.id, onFail.id, ...(onPass ? [onPass.id] : [])];
    return { ok: true, canvas: insertStage(canvas, { kind: 'conditional', id, condition, onFail, onPass }, action.position), nodeIds };
  },
});
