/**
 * Format: extracts the minimal final answer from the current solution without solving again — a bare
 * number or expression (symbolic forms kept), a short span, a single option letter for multiple choice,
 * or only the code for code tasks. Exact-match metrics need it after verbose solvers.
 * @public
 */
import type { TaskView } from '@flowsteer/core';
import { buildMessages, callContext, currentSolution, defineOperator, guidanceBlock } from '../operator.ts';
import { extractPython, parseFields, stripFences } from '../parsing.ts';
import { fallbackAnswer } from './answerGenerate.ts';

const NO_ANSWER = /^(?:no answer|none|n\/?a|unanswerable|not answerable|cannot be (?:determined|answered)|unknown|not (?:stated|mentioned|given)(?: in the (?:passage|context|text))?)\.?$/i;

/** How Format writes "this question has no answer" (SQuAD 2.0). */
export const NO_ANSWER_FORM = 'unanswerable';

/** Maps a reply to an option letter (lower case, as the datasets store it), by letter or option text. */
export function toOptionLetter(text: string, choices: Readonly<Record<string, string>>): string | undefined {
  const letters = Object.keys(choices);
  const trimmed = text.trim();
  const direct = /^\(?([a-z])\s*\)?(?:[.:]|\s|$)/i.exec(trimmed) ?? /\b(?:option|answer|choice)\s*(?:is\s*)?:?\s*\(?([a-z])\b/i.exec(trimmed);
  const letter = direct?.[1]?.toLowerCase();
  if (letter !== undefined && letters.includes(letter)) return letter;
  const normalised = trimmed.toLowerCase().replace(/\s+/g, ' ');
  for (const [key, value] of Object.entries(choices)) if (value.trim().toLowerCase().replace(/\s+/g, ' ') === normalised) return key;
  return undefined;
}

/** Deterministic clean-up of an extracted answer for the task's answer type. */
export function tidyAnswer(task: TaskView, answer: string): string {
  let text = stripFences(answer).trim();
  const boxed = /\\boxed\{(.*)\}/s.exec(text);
  if (boxed?.[1] !== undefined) text = boxed[1];
  if (/^\$[^$]+\$$/.test(text)) text = text.slice(1, -1).trim();
  if (task.choices) return toOptionLetter(text, task.choices) ?? text;
  if (task.kind === 'qa') {
    const span = text.replace(/^(?:answer\s*:\s*)/i, '').replace(/[.。]$/, '').trim();
    // One canonical no-answer form (scored like SQuAD's empty prediction). Not "": the executor treats an
    // empty solution as missing and a later Verify would "repair" it.
    return span.length === 0 || NO_ANSWER.test(span) ? NO_ANSWER_FORM : span;
  }
  return text.replace(/^(?:final answer|answer)\s*[:：]\s*/i, '').replace(/\.$/, '').trim();
}

function targetFor(task: TaskView): string {
  if (task.kind === 'code') return 'only the complete code, in a ```python block';
  if (task.choices) return `only the letter of the chosen option (${Object.keys(task.choices).join(', ')})`;
  if (task.kind === 'qa') return 'only the shortest span that answers the question (no sentence); write unanswerable if the text says the question cannot be answered';
  return 'only the final number or expression (keep fractions, roots and pi symbolic; no units, no words)';
}

/** The Format operator. */
export const format = defineOperator({
  name: 'Format',
  category: 'output',
  description: 'Extracts the minimal final answer (number, span, option letter or code) from the current solution without re-solving.',
  inputs: ['problem', 'solution'],
  outputs: ['solution'],
  defaultPrompt: 'Return the bare final answer exactly as the question asks for it.',
  async run(ctx) {
    const isCode = ctx.task.kind === 'code';
    const solution = isCode ? (ctx.input.code ?? currentSolution(ctx)) : currentSolution(ctx);
    const messages = buildMessages(
      'You extract final answers. Never solve the problem yourself.',
      [
        ['', guidanceBlock(ctx.instruction, 'extract')],
        ['Problem', ctx.input.problem],
        ['Solution', solution],
      ],
      `Put ${targetFor(ctx.task)} inside <answer>...</answer>.`,
    );
    const reply = await ctx.llm({ messages, purpose: 'format', context: callContext(ctx, { solution }) });
    const field = parseFields(reply.text, ['answer']).answer;
    if (isCode) {
      const code = extractPython(field ?? reply.text) || solution;
      return { fields: { solution: code }, output: code, role: 'solution', code };
    }
    const answer = tidyAnswer(ctx.task, field ?? fallbackAnswer(reply.text));
    return { fields: { solution: answer }, output: answer, role: 'solution' };
  },
});
