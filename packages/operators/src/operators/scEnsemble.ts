/**
 * ScEnsemble (self-consistency): labels the candidates A, B, … and asks which one agrees most with the
 * others; returns that candidate unchanged. Each candidate is cut to 2,000 chars (head and tail).
 * @public
 */
import { buildMessages, callContext, defineOperator, guidanceBlock } from '../operator.ts';
import { candidateLabel, headTail, parseFields, parseLabel } from '../parsing.ts';
import { candidatesOf, majorityIndex } from './candidates.ts';

/** The ScEnsemble operator. */
export const scEnsemble = defineOperator({
  name: 'ScEnsemble',
  category: 'ensemble',
  description: 'Picks the most self-consistent answer among parallel candidates (self-consistency voting by an LLM).',
  inputs: ['candidates', 'problem'],
  outputs: ['response'],
  defaultPrompt: 'Pick the answer that most of the candidates agree on.',
  consumesCandidates: true,
  forbiddenInParallel: true,
  async run(ctx) {
    const candidates = candidatesOf(ctx);
    if (candidates.length === 0) return { fields: { response: '' }, output: '', role: 'solution', error: 'ScEnsemble got no candidates' };
    const pick = (index: number, extra: Record<string, unknown> = {}) => {
      const chosen = candidates[index] ?? candidates[0] ?? '';
      const code = ctx.task.kind === 'code' ? { code: chosen } : {};
      return { fields: { response: chosen, choice: candidateLabel(index), ...extra }, output: chosen, role: 'solution' as const, ...code };
    };
    if (candidates.length === 1) return pick(0, { skipped: 'single candidate' });

    const listing = candidates.map((c, i) => `${candidateLabel(i)}. ${headTail(c, 2000)}`).join('\n\n');
    const messages = buildMessages(
      'You compare candidate solutions and identify the one most consistent with the others.',
      [
        ['', guidanceBlock(ctx.instruction, 'select')],
        ['Problem', ctx.input.problem],
        ['Candidates', listing],
      ],
      'Explain briefly inside <thought>...</thought>, then give only the letter of the most consistent candidate inside <solution_letter>...</solution_letter>.',
    );
    const reply = await ctx.llm({ messages, purpose: 'select', context: callContext(ctx, { candidates }) });
    const fields = parseFields(reply.text, ['thought', 'solution_letter']);
    const index = parseLabel(fields.solution_letter ?? reply.text.slice(-40), candidates.length);
    if (index === undefined) return { ...pick(majorityIndex(candidates), { thought: fields.thought ?? '' }), error: 'could not read the chosen letter; used a majority vote' };
    return pick(index, { thought: fields.thought ?? '' });
  },
});
