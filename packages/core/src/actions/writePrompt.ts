import { findOperatorNode, updateOperatorNode } from '../canvas/canvas.ts';
import { defineAction, type PromptAction } from './types.ts';
import { promptProblem } from './validation.ts';

/**
 * Answers "awaiting prompt": gives the pending node its prompt. The environment first materialises a
 * pending `add`/`modify` (spec §1.4), so `apply` only has to write the prompt on the target node.
 * @public
 */
export const writePrompt = defineAction<PromptAction>({
  name: 'prompt',
  description: 'Write the prompt the environment is waiting for (the pending operator).',
  describe: () => 'write prompt',
  isApplicable: (state) => state.awaiting !== null && !state.finished,
  apply(state, action) {
    if (!state.awaiting) return { ok: false, reason: 'no prompt is awaited; use set_prompt to change an existing node' };
    const problem = promptProblem(action.prompt);
    if (problem) return { ok: false, reason: problem };
    const target = state.awaiting.target;
    if (!findOperatorNode(state.canvas, target)) return { ok: false, reason: `pending node ${target} is not on the canvas` };
    const canvas = updateOperatorNode(state.canvas, target, (node) => {
      const { templateId: _old, ...rest } = node;
      return action.templateId === undefined ? { ...rest, prompt: action.prompt.trim() } : { ...rest, prompt: action.prompt.trim(), templateId: action.templateId };
    });
    return { ok: true, canvas, nodeIds: [target] };
  },
});
