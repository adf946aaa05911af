/**
 * Plan: writes a numbered solution plan (approach, steps, key insights). Guidance only: the current
 * solution is unchanged and later solvers see the plan.
 * @public
 */
import { buildMessages, callContext, defineOperator, guidanceBlock } from '../operator.ts';
import { parseFields, parseList } from '../parsing.ts';

/** The Plan operator. */
export const plan = defineOperator({
  name: 'Plan',
  category: 'planning',
  description: 'Drafts a step-by-step plan for solving the problem without solving it.',
  inputs: ['problem'],
  outputs: ['plan', 'approach', 'key_insights', 'steps_list'],
  defaultPrompt: 'Outline the approach and the concrete steps; note the trap a careless solver would fall into.',
  async run(ctx) {
    const messages = buildMessages(
      'You plan solutions. Do not compute the final answer.',
      [
        ['', guidanceBlock(ctx.instruction, 'solve')],
        ['Problem', ctx.input.problem],
      ],
      'Reply with <approach>...</approach>, a numbered list of steps inside <plan>...</plan> and <key_insights>...</key_insights>.',
    );
    const reply = await ctx.llm({ messages, purpose: 'plan', context: callContext(ctx) });
    const fields = parseFields(reply.text, ['approach', 'plan', 'key_insights']);
    const steps = parseList(fields.plan ?? reply.text);
    const output = steps.map((step, i) => `${i + 1}. ${step}`).join('\n');
    return {
      fields: { plan: output, approach: fields.approach ?? '', key_insights: fields.key_insights ?? '', steps_list: steps },
      output,
      role: 'guidance',
      ...(steps.length === 0 ? { error: 'Plan produced no steps' } : {}),
    };
  },
});
