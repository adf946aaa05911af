/**
 * Verify: re-derives the answer independently and reports `is_correct`, a confidence and its own answer.
 * It replaces the checked answer with its own only in narrow cases where that cannot lose a right answer
 * to a second opinion of equal standing (see `shouldOverwrite`); otherwise disagreement only becomes
 * feedback, and a conditional's fail branch (usually Revise) decides what to do with it.
 * @public
 */
import type { TaskView } from '@flowsteer/core';
import type { Confidence } from '../parsing.ts';
import { buildMessages, callContext, currentSolution, defineOperator, guidanceBlock, isErrorText } from '../operator.ts';
import { parseBoolean, parseConfidence, parseFields, parsePlainNumber } from '../parsing.ts';

const NUMBER = /[-+]?\d+(?:,\d{3})*(?:\.\d+)?/g;

function lastNumber(text: string): number | undefined {
  const matches = text.match(NUMBER);
  const last = matches?.[matches.length - 1];
  return last === undefined ? undefined : Number(last.replace(/,/g, ''));
}

/**
 * Whether Verify may overwrite `original` with `suggestion` (spec §2): only when it judged the answer
 * wrong with high confidence AND the original is no answer at all (empty or an error), or — for math —
 * a negative number where Verify found a positive one (a sign slip), or a verbose text whose last number
 * is Verify's answer (then the "overwrite" only strips words). Never for code.
 */
export function shouldOverwrite(task: TaskView, original: string, suggestion: string, isCorrect: boolean | undefined, confidence: Confidence | undefined): boolean {
  if (task.kind === 'code' || isCorrect !== false || confidence !== 'high' || suggestion.trim().length === 0) return false;
  if (original.trim().length === 0 || isErrorText(original)) return true;
  if (task.kind !== 'math') return false;
  const proposed = parsePlainNumber(suggestion);
  if (proposed === undefined) return false;
  const given = parsePlainNumber(original);
  if (given !== undefined) return given < 0 && proposed > 0;
  return original.length <= 300 && lastNumber(original) === proposed;
}

/** The Verify operator. */
export const verify = defineOperator({
  name: 'Verify',
  category: 'checking',
  description: 'Independently re-derives the answer and judges the current one: is_correct, confidence and its own answer.',
  inputs: ['problem', 'solution'],
  outputs: ['is_correct', 'confidence', 'answer', 'verification_steps'],
  defaultPrompt: 'Solve the problem again from scratch and compare; only call the answer wrong if you are sure.',
  async run(ctx) {
    const original = currentSolution(ctx);
    const code = ctx.task.kind === 'code' ? ctx.input.code : undefined;
    const messages = buildMessages(
      'You verify answers by solving the problem again independently and comparing.',
      [
        ['', guidanceBlock(ctx.instruction, 'verify')],
        ['Problem', ctx.input.problem],
        ['Answer to check', code ?? original],
      ],
      'Reply with <verification_steps>...</verification_steps>, <is_correct>true|false</is_correct>, <confidence>high|medium|low</confidence> and your own final answer in <answer>...</answer>.',
    );
    const reply = await ctx.llm({ messages, purpose: 'verify', context: callContext(ctx, { solution: code ?? original }) });
    const fields = parseFields(reply.text, ['verification_steps', 'is_correct', 'confidence', 'answer']);
    const steps = fields.verification_steps ?? '';
    const isCorrect = parseBoolean(fields.is_correct);
    const confidence = parseConfidence(fields.confidence);
    const suggestion = fields.answer ?? '';
    const overwrite = shouldOverwrite(ctx.task, original, suggestion, isCorrect, confidence);
    const output = overwrite ? suggestion : (code ?? original);
    // An unreadable verdict is not evidence of an error: the answer passes.
    const passed = isCorrect ?? true;
    const feedback = passed
      ? `Verified: ${steps}`.trim()
      : `${steps}\nAn independent derivation gives: ${suggestion || '(no answer)'}`.trim();
    return {
      fields: { is_correct: passed, confidence: confidence ?? 'low', answer: suggestion, verification_steps: steps, overwritten: overwrite },
      output,
      role: 'verdict',
      passed,
      feedback,
      ...(code === undefined ? {} : { code }),
    };
  },
});
