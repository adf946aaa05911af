/**
 * Revise: writes a new solution from the current one and the feedback it received (from a checker,
 * or a conditional's fail branch). Without feedback it does a general self-check.
 * @public
 */
import { buildMessages, callContext, currentSolution, defineOperator, guidanceBlock } from '../operator.ts';
import { extractPython, parseFields, stripFences } from '../parsing.ts';

const DEFAULT_FEEDBACK = 'No specific feedback was given. Re-check the solution and fix anything that is wrong.';

/** The Revise operator. */
export const revise = defineOperator({
  name: 'Revise',
  category: 'revision',
  description: 'Rewrites the current solution using the feedback of a checker (Review, Verify, Test).',
  inputs: ['problem', 'solution', 'feedback'],
  outputs: ['solution'],
  defaultPrompt: 'Address every point of the feedback; keep what was already right.',
  async run(ctx) {
    const isCode = ctx.task.kind === 'code';
    const solution = isCode ? (ctx.input.code ?? currentSolution(ctx)) : currentSolution(ctx);
    const feedback = ctx.input.feedback?.trim() || DEFAULT_FEEDBACK;
    const target = isCode ? 'the full corrected code' : 'the corrected final answer only (no explanation)';
    const messages = buildMessages(
      'You improve solutions using reviewer feedback.',
      [
        ['', guidanceBlock(ctx.instruction, 'solve')],
        ['Problem', ctx.input.problem],
        ['Current solution', solution],
        ['Feedback', feedback],
      ],
      `Put ${target} inside <solution>...</solution>.`,
    );
    const reply = await ctx.llm({
      messages,
      purpose: 'revise',
      context: callContext(ctx, { solution, feedback: ctx.input.feedback?.trim() || undefined }),
    });
    const revised = parseFields(reply.text, ['solution']).solution ?? stripFences(reply.text).trim();
    if (isCode) {
      const code = extractPython(revised) || extractPython(reply.text);
      return code
        ? { fields: { solution: code }, output: code, role: 'solution', code }
        : { fields: { solution: revised }, output: solution, role: 'verdict', error: 'Revise reply contains no Python code; kept the previous code' };
    }
    if (revised.length === 0) return { fields: { solution: '' }, output: solution, role: 'verdict', error: 'Revise reply was empty; kept the previous solution' };
    return { fields: { solution: revised }, output: revised, role: 'solution' };
  },
});
