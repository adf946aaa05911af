/**
 * R_answer: scores an execution's final answer against the task's gold with the paper's metric per kind
 * (math equivalence, QA F1 or EM, code pass@1 on the hidden tests in the sandbox — never the workflow's
 * own Test verdict, spec §9.10).
 * @public
 */
import type { ExecutionResult } from '../executor/types.ts';
import type { CodeSandbox } from '../sandbox/types.ts';
import type { Task } from '../tasks/types.ts';
import { scoreCode } from './codeScore.ts';
import { scoreMath } from './mathScore.ts';
import { scoreQa } from './qaScore.ts';

/** The answer score and the metric details behind it. */
export interface TaskScore {
  /** R_answer in [0, 1]. */
  readonly score: number;
  /** The paper's headline metric for this kind: accuracy, EM or pass@1 (0/1). */
  readonly correct: boolean;
  readonly metrics: Readonly<{ em?: number; f1?: number; accuracy?: number; passed?: boolean }>;
  /** The answer the scorer extracted from the output. */
  readonly extracted: string;
  readonly detail?: string;
}

/** Which QA metric is the training reward (the reference code rewards F1, spec §4.3). */
export type QaRewardMetric = 'f1' | 'em';

/** Scores an answer text (or code, for code tasks) against `task`. */
export async function scoreAnswer(
  task: Task,
  answer: string,
  code: string | undefined,
  sandbox: CodeSandbox,
  options: { qaMetric?: QaRewardMetric } = {},
): Promise<TaskScore> {
  switch (task.kind) {
    case 'math': {
      const result = scoreMath(task, answer);
      return { score: result.score, correct: result.score === 1, metrics: { accuracy: result.score }, extracted: result.extracted };
    }
    case 'qa': {
      const result = scoreQa(task, answer);
      const score = (options.qaMetric ?? 'f1') === 'f1' ? result.f1 : result.em;
      return { score, correct: result.em === 1, metrics: { em: result.em, f1: result.f1 }, extracted: result.extracted };
    }
    case 'code': {
      const result = await scoreCode(task, code ?? answer, sandbox);
      return { score: result.score, correct: result.passed, metrics: { passed: result.passed }, extracted: '', detail: result.reason };
    }
  }
}

/** Scores an execution's final answer. */
export function scoreExecution(
  task: Task,
  execution: Pick<ExecutionResult, 'answer' | 'code'>,
  sandbox: CodeSandbox,
  options: { qaMetric?: QaRewardMetric } = {},
): Promise<TaskScore> {
  return scoreAnswer(task, execution.answer, execution.code, sandbox, options);
}
