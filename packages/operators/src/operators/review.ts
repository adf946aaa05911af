/**
 * Review: critiques the current solution and gives a pass/fail verdict plus feedback; the solution itself
 * passes through unchanged (a following Revise or a conditional's fail branch acts on the feedback).
 * @public
 */
import { buildMessages, callContext, currentSolution, defineOperator, guidanceBlock } from '../operator.ts';
import { parseBoolean, parseFields } from '../parsing.ts';

const NEGATIVE_CUE = /\b(?:incorrect|wrong|mistake|error|fails?|flawed|bug)\b/i;

/** The Review operator. */
export const review = defineOperator({
  name: 'Review',
  category: 'checking',
  description: 'Critiques the current solution: a pass/fail verdict and concrete feedback; the solution passes through.',
  inputs: ['problem', 'solution'],
  outputs: ['review_result', 'feedback'],
  defaultPrompt: 'Check every step of the solution against the problem and point out the first real mistake, if any.',
  async run(ctx) {
    const solution = currentSolution(ctx);
    const code = ctx.task.kind === 'code' ? (ctx.input.code ?? solution) : undefined;
    const messages = buildMessages(
      'You are a strict reviewer. Judge whether the solution correctly and completely answers the problem.',
      [
        ['', guidanceBlock(ctx.instruction, 'verify')],
        ['Problem', ctx.input.problem],
        ['Solution', code ?? solution],
      ],
      'Reply with <review_result>true</review_result> or <review_result>false</review_result>, then <feedback>...</feedback> explaining what is wrong or why it is right.',
    );
    const reply = await ctx.llm({ messages, purpose: 'review', context: callContext(ctx, { solution: code ?? solution }) });
    const fields = parseFields(reply.text, ['review_result', 'feedback']);
    const feedback = fields.feedback ?? reply.text.trim();
    // Without a readable verdict, a critique that names a problem counts as a failed review.
    const passed = parseBoolean(fields.review_result) ?? !NEGATIVE_CUE.test(feedback);
    return {
      fields: { review_result: passed, feedback, output: solution },
      output: code ?? solution,
      role: 'verdict',
      passed,
      feedback,
      ...(code === undefined ? {} : { code }),
    };
  },
});
