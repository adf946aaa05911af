import { findOperatorNode, findStage, removeStage } from '../canvas/canvas.ts';
import { defineAction, type DeleteAction } from './types.ts';

/** Deletes a top-level stage (children go with their structure). Ids are never reused afterwards. @public */
export const deleteNode = defineAction<DeleteAction>({
  name: 'delete',
  description: 'Delete a top-level stage by id (delete a structure to remove its children).',
  describe: (action) => `delete ${action.target}`,
  isApplicable: (state) => state.awaiting === null && !state.finished && state.canvas.stages.length > 0,
  apply(state, action) {
    if (state.awaiting !== null || state.finished) return { ok: false, reason: 'cannot delete now (awaiting a prompt or finished)' };
    const found = findStage(state.canvas, action.target);
    if (found) return { ok: true, canvas: removeStage(state.canvas, action.target), nodeIds: [found.stage.id] };
    const child = findOperatorNode(state.canvas, action.target);
    if (child) return { ok: false, reason: `${action.target} is a child of ${child.stage.id}; remove the parent node ${child.stage.id} instead` };
    return { ok: false, reason: `no node ${action.target}; existing stages: ${state.canvas.stages.map((s) => s.id).join(', ') || 'none'}` };
  },
});
