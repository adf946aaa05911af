import { allocateId, insertStage, operatorNode } from '../canvas/canvas.ts';
import { defineAction, type AddAction } from './types.ts';
import { canAddStage, operatorProblem, positionProblem } from './validation.ts';

/** Adds one operator as a new top-level stage. @public */
export const addOperator = defineAction<AddAction>({
  name: 'add',
  description: 'Add an operator as a new stage (at a position, or at the end).',
  describe: (action) => `add ${action.operator}${action.position === undefined ? '' : ` at ${action.position}`}`,
  isApplicable: canAddStage,
  apply(state, action) {
    if (!canAddStage(state)) return { ok: false, reason: 'cannot add a stage now (awaiting a prompt, finished, or the canvas is full)' };
    const problem = operatorProblem(state, action.operator) ?? positionProblem(state, action.position);
    if (problem) return { ok: false, reason: problem };
    const { id, canvas } = allocateId(state.canvas);
    const node = operatorNode(id, action.operator, action.prompt ?? '', action.templateId);
    return { ok: true, canvas: insertStage(canvas, node, action.position), nodeIds: [id] };
  },
});
