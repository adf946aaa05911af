import { findOperatorNode, findStage, updateOperatorNode } from '../canvas/canvas.ts';
import { defineAction, type SetPromptAction } from './types.ts';
import { promptProblem } from './validation.ts';

/** Sets the instruction prompt of an existing operator node. @public */
export const setPrompt = defineAction<SetPromptAction>({
  name: 'set_prompt',
  description: "Set an existing operator node's instruction prompt.",
  describe: (action) => `set_prompt ${action.target}`,
  isApplicable: (state) => state.awaiting === null && !state.finished && state.canvas.stages.length > 0,
  apply(state, action) {
    if (state.awaiting !== null || state.finished) return { ok: false, reason: 'cannot set a prompt now (awaiting a prompt or finished)' };
    const location = findOperatorNode(state.canvas, action.target);
    if (!location) {
      const stage = findStage(state.canvas, action.target);
      return {
        ok: false,
        reason: stage ? `${action.target} is a ${stage.stage.kind} structure; set the prompt of one of its children instead` : `no operator node ${action.target}`,
      };
    }
    const problem = promptProblem(action.prompt);
    if (problem) return { ok: false, reason: problem };
    const canvas = updateOperatorNode(state.canvas, action.target, (node) => {
      const { templateId: _old, ...rest } = node;
      return action.templateId === undefined ? { ...rest, prompt: action.prompt.trim() } : { ...rest, prompt: action.prompt.trim(), templateId: action.templateId };
    });
    return { ok: true, canvas, nodeIds: [location.node.id] };
  },
});
