/**
 * The prompt template library: a small policy does not write free text, it picks an instruction from a
 * per-operator list (DESIGN.md §3). Users extend it with their own templates; the chosen template id is
 * part of the action and of its log-probability.
 * @public
 */
import { CoreError } from '../errors.ts';

/** One instruction a policy may give an operator. */
export interface PromptTemplate {
  readonly id: string;
  readonly operator: string;
  readonly text: string;
}

const BUILTIN: Readonly<Record<string, readonly string[]>> = {
  Custom: ['Reason step by step and state the final answer clearly.', 'Solve the problem carefully, checking each step.', 'Answer the question.'],
  AnswerGenerate: ['Think step by step, then give only the final answer.', 'Reason carefully and keep the final answer concise.', 'Answer the question.'],
  Programmer: ['Write Python that computes the exact answer; handle edge cases.', 'Write a clear Python function and compute the result with code.', 'Solve it.'],
  ScEnsemble: ['Pick the answer most candidates agree on (majority).', 'Choose the most consistent candidate.', 'Pick one.'],
  Test: ['Run the tests and fix the bug behind any failing case.', 'Test the code on edge cases and fix failures.', 'Check it.'],
  Review: ['Review the solution for mistakes and flag any error.', 'Critique the solution: is every step correct?', 'Look at it.'],
  Revise: ['Fix the solution using the feedback.', 'Correct the errors the feedback points out and improve the answer.', 'Try again.'],
  Decompose: ['Break the problem into smaller sub-problems.', 'Split the task into parts that can be solved separately.', 'Think about it.'],
  Verify: ['Verify the answer independently by re-deriving it.', 'Check the answer: recompute it and confirm or reject it.', 'Look at it.'],
  Plan: ['Outline a step-by-step plan before solving.', 'Plan the approach: list the key steps and strategy.', 'Think about it.'],
  Aggregate: ['Combine the candidates into the consensus answer (majority).', 'Aggregate the answers and keep the one most agree on.', 'Pick one.'],
  Format: ['Return only the final answer: a number, a short span or a letter.', 'Extract the final answer in its shortest form.', 'Clean it up.'],
};

/** A lookup of templates per operator. */
export class TemplateLibrary {
  private readonly byOperator = new Map<string, PromptTemplate[]>();

  constructor(templates: readonly PromptTemplate[] = []) {
    for (const template of templates) this.add(template);
  }

  /** Adds a template; ids are unique. */
  add(template: PromptTemplate): void {
    if (template.text.trim().length < 5) throw new CoreError('CONFIG_INVALID', `[core] template ${template.id}: expected a prompt of at least 5 characters`);
    const list = this.byOperator.get(template.operator) ?? [];
    if (this.get(template.id)) throw new CoreError('CONFIG_INVALID', `[core] template id ${template.id} already exists`);
    list.push(template);
    this.byOperator.set(template.operator, list);
  }

  /** Templates of an operator in insertion order (empty for unknown operators). */
  forOperator(operator: string): readonly PromptTemplate[] {
    return this.byOperator.get(operator) ?? [];
  }

  get(id: string): PromptTemplate | undefined {
    for (const list of this.byOperator.values()) {
      const found = list.find((template) => template.id === id);
      if (found) return found;
    }
    return undefined;
  }

  /** Largest number of templates any operator has (the template head's width must cover it). */
  maxPerOperator(): number {
    return Math.max(0, ...[...this.byOperator.values()].map((list) => list.length));
  }
}

/** The built-in library (3 templates per paper operator) plus `extra` user templates. */
export function createTemplateLibrary(extra: readonly PromptTemplate[] = []): TemplateLibrary {
  const templates = Object.entries(BUILTIN).flatMap(([operator, texts]) =>
    texts.map((text, i): PromptTemplate => ({ id: `${operator}.${i}`, operator, text })),
  );
  return new TemplateLibrary([...templates, ...extra]);
}
