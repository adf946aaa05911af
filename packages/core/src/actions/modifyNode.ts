import { findOperatorNode, findStage, updateOperatorNode } from '../canvas/canvas.ts';
import type { NodeId } from '../canvas/types.ts';
import { defineAction, type ModifyAction } from './types.ts';
import { operatorProblem } from './validation.ts';

/** Replaces the operator of a node (children included); the prompt is replaced too. @public */
export const modifyNode = defineAction<ModifyAction>({
  name: 'modify',
  description: 'Change the operator of a node (a top-level operator or a child of a structure).',
  describe: (action) => `modify ${action.target} -> ${action.operator}`,
  isApplicable: (state) => state.awaiting === null && !state.finished && state.canvas.stages.length > 0,
  apply(state, action) {
    if (state.awaiting !== null || state.finished) return { ok: false, reason: 'cannot modify now (awaiting a prompt or finished)' };
    const location = findOperatorNode(state.canvas, action.target);
    if (!location) {
      const stage = findStage(state.canvas, action.target);
      return {
        ok: false,
        reason: stage ? `${action.target} is a ${stage.stage.kind} structure; modify one of its children instead` : `no operator node ${action.target}`,
      };
    }
    const problem = operatorProblem(state, action.operator);
    if (problem) return { ok: false, reason: problem };
    const canvas = updateOperatorNode(state.canvas, action.target, (node) =>
      action.templateId === undefined
        ? { kind: 'operator', id: node.id, operator: action.operator, prompt: action.prompt ?? '' }
        : { kind: 'operator', id: node.id, operator: action.operator, prompt: action.prompt ?? '', templateId: action.templateId },
    );
    return { ok: true, canvas, nodeIds: [location.node.id as NodeId] };
  },
});
