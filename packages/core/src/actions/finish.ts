import { defineAction, type FinishAction } from './types.ts';

/** Ends the episode; the environment's finish gate may still reject it (spec §1.5). @public */
export const finish = defineAction<FinishAction>({
  name: 'finish',
  description: 'Finish: the workflow is complete (the finish gate may reject it).',
  describe: () => 'finish',
  isApplicable: (state) => state.awaiting === null && !state.finished && state.canvas.stages.length > 0,
  apply(state) {
    if (state.awaiting !== null || state.finished) return { ok: false, reason: 'cannot finish now (awaiting a prompt or already finished)' };
    if (state.canvas.stages.length === 0) return { ok: false, reason: 'cannot finish an empty workflow' };
    return { ok: true, canvas: state.canvas, nodeIds: [] };
  },
});
