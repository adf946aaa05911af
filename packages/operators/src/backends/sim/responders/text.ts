/**
 * Filler prose for sim replies: reasoning, critiques and plans of realistic length (so token counts and
 * costs look like a real model's), built from the problem text. Never contains gold data except the
 * answer the reply itself is giving.
 * @internal
 */
import { formatNumber } from '../normalize.ts';
import type { SimCall } from '../simCall.ts';

function questionOf(call: SimCall): string {
  const task = call.model.task;
  const question = task.kind === 'qa' && typeof task.meta.question === 'string' ? task.meta.question : task.problem;
  const clean = question.replace(/\s+/g, ' ').trim();
  return clean.length > 140 ? `${clean.slice(0, 137)}...` : clean;
}

const OPENERS = ['Let me restate what is asked: ', 'The question is: ', 'We need to determine the following: '];
const MATH_STEPS = [
  'First I list the given quantities and what each one refers to.',
  'Next I set up the relationship between them and simplify carefully.',
  'I double-check the arithmetic of each intermediate step.',
  'Finally I make sure the result answers exactly what was asked, in the requested form.',
];
const QA_STEPS = [
  'I look for the passage that mentions the entity in the question.',
  'Then I follow the link to the second fact the question depends on.',
  'I compare the candidate spans against the wording of the question.',
  'The shortest span that answers it is what I report.',
];
const CODE_STEPS = [
  'I read the specification and the examples to pin down the expected behaviour.',
  'Then I handle the edge cases: empty input, single elements and boundaries.',
  'I write the function and trace it on the given example.',
];

/** A few sentences of reasoning ending with the given conclusion (if any). */
export function reasoning(call: SimCall, conclusion?: string): string {
  const { rng, model } = call;
  const parts = [`${rng.pick(OPENERS) ?? ''}${questionOf(call)}`];
  const steps = model.task.kind === 'math' ? MATH_STEPS : model.task.kind === 'qa' ? QA_STEPS : CODE_STEPS;
  if (model.problemNumbers.length > 0) parts.push(`The relevant numbers are ${model.problemNumbers.slice(0, 5).map(formatNumber).join(', ')}.`);
  const count = 2 + rng.int(steps.length - 1);
  parts.push(...steps.slice(0, count));
  if (conclusion !== undefined) parts.push(`This leads to ${conclusion}.`);
  return parts.join(' ');
}

/** A short critique sentence for checkers. */
export function critique(call: SimCall, flagged: boolean): string {
  const { rng } = call;
  if (!flagged) return rng.pick(['Looks correct: each step follows from the previous one and the result answers the question.', 'Looks correct: I re-derived the key step and it matches.']) ?? '';
  return (
    rng.pick([
      'The solution contains a mistake: one of the intermediate steps does not follow from the problem statement.',
      'The reasoning misreads part of the question, so the final result is not what was asked.',
      'There is an error in how the quantities are combined; the conclusion does not hold.',
    ]) ?? ''
  );
}
