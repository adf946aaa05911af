/**
 * Aggregate: combines candidate answers. Fast path without any LLM call: when at least two candidates are
 * plain numbers and a value repeats, the numeric majority wins. Otherwise the LLM synthesises one answer.
 * @public
 */
import { buildMessages, callContext, defineOperator, guidanceBlock } from '../operator.ts';
import { candidateLabel, headTail, parseFields, parsePlainNumber, stripFences } from '../parsing.ts';
import { candidatesOf } from './candidates.ts';

/** The numeric majority of `candidates` when ≥2 are numbers and one value repeats; else `undefined`. */
export function numericMajority(candidates: readonly string[]): string | undefined {
  const values = candidates.map(parsePlainNumber);
  const numeric = values.filter((v): v is number => v !== undefined);
  if (numeric.length < 2) return undefined;
  const counts = new Map<number, number>();
  for (const value of numeric) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: number | undefined;
  for (const value of numeric) if (best === undefined || (counts.get(value) ?? 0) > (counts.get(best) ?? 0)) best = value;
  if (best === undefined || (counts.get(best) ?? 0) < 2) return undefined;
  return candidates[values.indexOf(best)]?.trim();
}

/** The Aggregate operator. */
export const aggregate = defineOperator({
  name: 'Aggregate',
  category: 'ensemble',
  description: 'Combines candidate answers: numeric majority when numbers repeat (no LLM call), otherwise an LLM synthesis.',
  inputs: ['candidates', 'problem'],
  outputs: ['aggregated_answer'],
  defaultPrompt: 'Combine the candidates into the single answer best supported by them.',
  consumesCandidates: true,
  forbiddenInParallel: true,
  async run(ctx) {
    const candidates = candidatesOf(ctx);
    const isCode = ctx.task.kind === 'code';
    const result = (answer: string, extra: Record<string, unknown> = {}) => ({
      fields: { aggregated_answer: answer, ...extra },
      output: answer,
      role: 'solution' as const,
      ...(isCode ? { code: answer } : {}),
    });
    if (candidates.length === 0) return { ...result(''), error: 'Aggregate got no candidates' };
    if (candidates.length === 1) return result(candidates[0] ?? '', { path: 'single' });
    const majority = isCode ? undefined : numericMajority(candidates);
    if (majority !== undefined) return result(majority, { path: 'numeric-majority' });

    const listing = candidates.map((c, i) => `${candidateLabel(i)}. ${headTail(c, 2000)}`).join('\n\n');
    const messages = buildMessages(
      'You combine several candidate answers into one final answer.',
      [
        ['', guidanceBlock(ctx.instruction, 'select')],
        ['Problem', ctx.input.problem],
        ['Candidates', listing],
      ],
      'Put only the combined final answer inside <aggregated_answer>...</aggregated_answer>.',
    );
    const reply = await ctx.llm({ messages, purpose: 'aggregate', context: callContext(ctx, { candidates }) });
    const answer = parseFields(reply.text, ['aggregated_answer']).aggregated_answer ?? stripFences(reply.text).trim();
    return result(answer, { path: 'llm' });
  },
});
