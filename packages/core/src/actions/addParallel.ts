import { allocateId, childId, insertStage, operatorNode } from '../canvas/canvas.ts';
import { CANVAS_LIMITS } from '../canvas/types.ts';
import { defineAction, type AddParallelAction } from './types.ts';
import { canAddStage, FORBIDDEN_IN_PARALLEL, operatorProblem, positionProblem } from './validation.ts';

/** Adds a parallel stage of 2–4 operators that run concurrently on the same input. @public */
export const addParallel = defineAction<AddParallelAction>({
  name: 'add_parallel',
  description: 'Add a parallel stage: 2–4 operators run on the same input; an ensemble should follow.',
  describe: (action) => `add parallel [${action.operators.join(', ')}]`,
  isApplicable: canAddStage,
  apply(state, action) {
    if (!canAddStage(state)) return { ok: false, reason: 'cannot add a stage now (awaiting a prompt, finished, or the canvas is full)' };
    const { parallelMin, parallelMax } = CANVAS_LIMITS;
    if (action.operators.length < parallelMin || action.operators.length > parallelMax) {
      return { ok: false, reason: `a parallel stage needs ${parallelMin}–${parallelMax} operators, got ${action.operators.length}` };
    }
    for (const operator of action.operators) {
      if (FORBIDDEN_IN_PARALLEL.includes(operator)) return { ok: false, reason: `${operator} aggregates candidates and cannot run inside a parallel stage` };
      const problem = operatorProblem(state, operator);
      if (problem) return { ok: false, reason: problem };
    }
    const positionIssue = positionProblem(state, action.position);
    if (positionIssue) return { ok: false, reason: positionIssue };
    const { id, canvas } = allocateId(state.canvas);
    const branches = action.operators.map((operator, i) => operatorNode(childId(id, `p${i}`), operator));
    return { ok: true, canvas: insertStage(canvas, { kind: 'parallel', id, branches }, action.position), nodeIds: branches.map((b) => b.id) };
  },
});
