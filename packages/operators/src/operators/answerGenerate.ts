/**
 * AnswerGenerate: step-by-step reasoning followed by a minimal answer span, in `<thought>` and `<answer>`
 * fields. Unlike the reference code (which ignores it), the node instruction is passed on as guidance, so
 * a policy's prompt choice matters here too; "" keeps the default behaviour.
 * @public
 */
import { buildMessages, callContext, defineOperator, guidanceBlock, upstreamOutput } from '../operator.ts';
import { extractPython, lastLine, parseFields } from '../parsing.ts';

const ANSWER_LEAD = /(?:final answer|the answer is|answer)\s*[:：]?\s*(.+)$/i;

/** Best-effort answer from a reply without an `<answer>` tag: an "answer:" line, else the last line. */
export function fallbackAnswer(text: string): string {
  const last = lastLine(text.replace(/<\/?[a-z_]+>/gi, ''));
  const lead = ANSWER_LEAD.exec(last);
  return (lead?.[1] ?? last).trim();
}

/** The AnswerGenerate operator. */
export const answerGenerate = defineOperator({
  name: 'AnswerGenerate',
  category: 'solving',
  description: 'Thinks step by step, then gives a short final answer (a number, a span, a letter or code).',
  inputs: ['problem', 'prev'],
  outputs: ['thought', 'answer'],
  defaultPrompt: 'Reason step by step, then give only the final answer in the answer field.',
  async run(ctx) {
    const previous = upstreamOutput(ctx);
    const target =
      ctx.task.kind === 'code'
        ? 'the complete Python code'
        : ctx.task.choices
          ? 'the letter of the correct option only'
          : 'only the final answer (a number, expression or short span), nothing else';
    const messages = buildMessages(
      'You solve problems carefully and answer concisely.',
      [
        ['', guidanceBlock(ctx.instruction, 'solve')],
        ['Problem', ctx.input.problem],
        ['Previous result', previous],
        ['Guidance', ctx.input.guidance],
      ],
      `Think it through inside <thought>...</thought>, then put ${target} inside <answer>...</answer>.`,
    );
    const reply = await ctx.llm({ messages, purpose: 'solve', context: callContext(ctx, { previous }) });
    const fields = parseFields(reply.text, ['thought', 'answer']);
    const thought = fields.thought ?? '';
    const answer = fields.answer ?? fallbackAnswer(reply.text);
    if (ctx.task.kind === 'code') {
      const code = extractPython(fields.answer ?? reply.text);
      return code
        ? { fields: { thought, answer: code }, output: code, role: 'solution', code }
        : { fields: { thought, answer }, output: answer, role: 'solution', error: 'AnswerGenerate reply contains no Python code' };
    }
    // A missing <answer> tag is common and recoverable: the last line usually holds the answer.
    return { fields: { thought, answer, ...(fields.answer === undefined ? { parsed: 'fallback' } : {}) }, output: answer, role: 'solution' };
  },
});
