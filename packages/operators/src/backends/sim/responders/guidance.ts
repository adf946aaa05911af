/**
 * Responders of Plan and Decompose: generic but well-formed numbered steps / sub-questions derived from
 * the task kind and the problem's numbers. They never contain the answer; their effect on later solvers
 * is modelled as a logit bonus (families.ts), not through their text.
 * @internal
 */
import type { SimCall } from '../simCall.ts';

const PLAN_STEPS: Readonly<Record<string, readonly string[]>> = {
  math: ['Identify the unknown and the quantities given.', 'Write the relationships between them as equations.', 'Solve step by step, keeping exact values.', 'Check the result against the conditions and units.'],
  qa: ['Find the passage about the entity named in the question.', 'Extract the bridging fact that links to the second entity.', 'Locate the exact span that answers the question.', 'Return only that span.'],
  code: ['Restate the input/output contract from the docstring and examples.', 'List edge cases (empty input, duplicates, boundaries).', 'Implement the core loop or formula.', 'Trace the examples to confirm the behaviour.'],
};

const SUB_QUESTIONS: Readonly<Record<string, readonly string[]>> = {
  math: ['What quantities are given and what is unknown?', 'Which relationship connects them?', 'What is the value of the intermediate quantity?', 'What is the final value asked for?'],
  qa: ['Which entity does the question refer to?', 'What does the context say about that entity?', 'Which fact links it to the answer?', 'What short span answers the question?'],
  code: ['What must the function return for the examples?', 'Which edge cases must be handled?', 'What is the simplest correct algorithm?'],
};

/** Plan: approach, numbered steps, key insights. */
export function planReply(call: SimCall): string {
  const kind = call.model.task.kind;
  const steps = PLAN_STEPS[kind] ?? PLAN_STEPS.math ?? [];
  const count = 3 + call.rng.int(Math.max(1, steps.length - 2));
  const list = steps.slice(0, count).map((step, i) => `${i + 1}. ${step}`).join('\n');
  return `<approach>Work from what is given toward what is asked, one verified step at a time.</approach>\n<plan>\n${list}\n</plan>\n<key_insights>Do not skip the check at the end; most errors are misread quantities.</key_insights>`;
}

/** Decompose: reasoning and numbered sub-questions. */
export function decomposeReply(call: SimCall): string {
  const kind = call.model.task.kind;
  const questions = SUB_QUESTIONS[kind] ?? SUB_QUESTIONS.math ?? [];
  const count = 2 + call.rng.int(Math.max(1, questions.length - 1));
  const list = questions.slice(0, count).map((q, i) => `${i + 1}. ${q}`).join('\n');
  return `<reasoning>The problem splits into parts whose answers combine into the final answer.</reasoning>\n<sub_problems>\n${list}\n</sub_problems>`;
}
