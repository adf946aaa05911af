/**
 * Decompose: splits the problem into numbered sub-problems. Guidance only: the current solution is
 * unchanged and later solvers see the sub-problems.
 * @public
 */
import { buildMessages, callContext, defineOperator, guidanceBlock } from '../operator.ts';
import { parseFields, parseList } from '../parsing.ts';

/** The Decompose operator. */
export const decompose = defineOperator({
  name: 'Decompose',
  category: 'planning',
  description: 'Breaks the problem into smaller numbered sub-problems that later operators solve in order.',
  inputs: ['problem'],
  outputs: ['sub_problems', 'reasoning', 'sub_problems_list'],
  defaultPrompt: 'Split the problem into the few sub-questions whose answers combine into the final answer.',
  async run(ctx) {
    const messages = buildMessages(
      'You break problems into simpler sub-problems. Do not solve them.',
      [
        ['', guidanceBlock(ctx.instruction, 'solve')],
        ['Problem', ctx.input.problem],
      ],
      'Explain briefly inside <reasoning>...</reasoning>, then list numbered sub-problems inside <sub_problems>...</sub_problems>.',
    );
    const reply = await ctx.llm({ messages, purpose: 'decompose', context: callContext(ctx) });
    const fields = parseFields(reply.text, ['reasoning', 'sub_problems']);
    const text = fields.sub_problems ?? reply.text.trim();
    const list = parseList(text);
    const output = list.map((item, i) => `${i + 1}. ${item}`).join('\n');
    return {
      fields: { sub_problems: output, reasoning: fields.reasoning ?? '', sub_problems_list: list },
      output,
      role: 'guidance',
      ...(list.length === 0 ? { error: 'Decompose produced no sub-problems' } : {}),
    };
  },
});
