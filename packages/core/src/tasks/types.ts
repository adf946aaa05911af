/**
 * Task types. A `Task` carries gold data (answers, hidden tests, reference solutions) that only scorers and
 * the simulated executor may read; operators and policies only ever get a `TaskView`.
 * @public
 */

export type TaskKind = 'math' | 'qa' | 'code';

interface TaskBase {
  /** `<dataset>/<native id>`, unique within a dataset. */
  readonly id: string;
  /** Dataset name, e.g. `gsm8k`. Also the default "source" for group-relative advantages. */
  readonly dataset: string;
  readonly kind: TaskKind;
  /** The problem text exactly as a model may see it (QA context rendered in, code prompt for code). */
  readonly problem: string;
  /** Gold and analysis fields; NEVER shown to a model (reference solutions, rationales, …). */
  readonly meta: Readonly<Record<string, unknown>>;
}

export interface MathTask extends TaskBase {
  readonly kind: 'math';
  readonly answer: string;
  /** Multiple-choice options by letter (MathQA); the answer is then the letter. */
  readonly choices?: Readonly<Record<string, string>>;
}

export interface QaTask extends TaskBase {
  readonly kind: 'qa';
  readonly answer: string;
  /** Every accepted gold string; empty for unanswerable SQuAD 2.0 items. */
  readonly answers: readonly string[];
}

export interface CodeTask extends TaskBase {
  readonly kind: 'code';
  /** Function the tests call (`""` for DS-1000 snippets). */
  readonly entryPoint: string;
  /** Official (hidden) tests used for pass@1 scoring. */
  readonly tests: string;
  readonly testStyle: 'append' | 'ds1000';
  /** Tests a workflow's own Test operator may run (examples visible in the prompt); may be empty. */
  readonly publicTests: string;
}

export type Task = MathTask | QaTask | CodeTask;

/** What operators, LLMs and policies may see of a task. Contains no gold data. */
export interface TaskView {
  readonly id: string;
  readonly dataset: string;
  readonly kind: TaskKind;
  readonly problem: string;
  readonly entryPoint?: string;
  readonly publicTests?: string;
  readonly testStyle?: 'append' | 'ds1000';
  readonly choices?: Readonly<Record<string, string>>;
}

/** Strips everything gold from a task. The only way tasks cross into operator/policy code. */
export function toTaskView(task: Task): TaskView {
  switch (task.kind) {
    case 'math':
      return task.choices
        ? { id: task.id, dataset: task.dataset, kind: task.kind, problem: task.problem, choices: task.choices }
        : { id: task.id, dataset: task.dataset, kind: task.kind, problem: task.problem };
    case 'qa':
      return { id: task.id, dataset: task.dataset, kind: task.kind, problem: task.problem };
    case 'code':
      return {
        id: task.id,
        dataset: task.dataset,
        kind: task.kind,
        problem: task.problem,
        entryPoint: task.entryPoint,
        publicTests: task.publicTests,
        testStyle: task.testStyle,
      };
  }
}
