import { allocateId, childId, insertStage, operatorNode } from '../canvas/canvas.ts';
import { CANVAS_LIMITS } from '../canvas/types.ts';
import { defineAction, type AddLoopAction } from './types.ts';
import { canAddStage, operatorProblem, positionProblem } from './validation.ts';

/** Adds a loop: a body of operators repeated 1–10 times. @public */
export const addLoop = defineAction<AddLoopAction>({
  name: 'add_loop',
  description: 'Add a loop stage: a body of 1–4 operators repeated 1–10 times, each pass feeding the next.',
  describe: (action) => `add loop (${action.operators.join(' -> ')}) * ${action.count}`,
  isApplicable: canAddStage,
  apply(state, action) {
    if (!canAddStage(state)) return { ok: false, reason: 'cannot add a stage now (awaiting a prompt, finished, or the canvas is full)' };
    const { loopBodyMin, loopBodyMax, loopCountMin, loopCountMax } = CANVAS_LIMITS;
    if (action.operators.length < loopBodyMin || action.operators.length > loopBodyMax) {
      return { ok: false, reason: `a loop body needs ${loopBodyMin}–${loopBodyMax} operators, got ${action.operators.length}` };
    }
    if (!Number.isInteger(action.count) || action.count < loopCountMin || action.count > loopCountMax) {
      return { ok: false, reason: `a loop count must be an integer in ${loopCountMin}–${loopCountMax}, got ${action.count}` };
    }
    for (const operator of action.operators) {
      const problem = operatorProblem(state, operator);
      if (problem) return { ok: false, reason: problem };
    }
    const positionIssue = positionProblem(state, action.position);
    if (positionIssue) return { ok: false, reason: positionIssue };
    const { id, canvas } = allocateId(state.canvas);
    const body = action.operators.map((operator, i) => operatorNode(childId(id, `l${i}`), operator));
    return { ok: true, canvas: insertStage(canvas, { kind: 'loop', id, body, count: action.count }, action.position), nodeIds: body.map((n) => n.id) };
  },
});
