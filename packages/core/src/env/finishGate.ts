/**
 * The finish gate (spec §1.5): a finish is rejected, with reasons, when the workflow is not yet a
 * legitimate one. Every constraint can be switched off or tuned.
 * @public
 */
import { countOperators, hasControlStructure, operatorNameSet } from '../canvas/canvas.ts';
import type { Canvas } from '../canvas/types.ts';
import type { TaskView } from '../tasks/types.ts';

/** Finish-gate settings; defaults reproduce the reference environment. */
export interface FinishGateConfig {
  /** @default true */
  readonly enabled: boolean;
  /** Children counted, loop bodies once. @default 5 */
  readonly minTotalOperators: number;
  /** Needs a parallel, conditional or loop stage. @default true */
  readonly requireStructure: boolean;
  /** Needs a solver and a checker. @default true */
  readonly requireChecker: boolean;
  /** @default ['Custom','Programmer','AnswerGenerate','Aggregate','Revise'] */
  readonly solverOperators: readonly string[];
  /** @default ['Verify','Test','Review'] */
  readonly checkerOperators: readonly string[];
  /** Code tasks that ship public tests need a Test operator. @default true */
  readonly requireTestWhenTestsAvailable: boolean;
  /** Code tasks need a Programmer or a Test. @default true */
  readonly requireCodeOperator: boolean;
  /** A verbose last answer needs a Format somewhere. @default true */
  readonly requireFormatWhenVerbose: boolean;
}

export const DEFAULT_FINISH_GATE: FinishGateConfig = {
  enabled: true,
  minTotalOperators: 5,
  requireStructure: true,
  requireChecker: true,
  solverOperators: ['Custom', 'Programmer', 'AnswerGenerate', 'Aggregate', 'Revise'],
  checkerOperators: ['Verify', 'Test', 'Review'],
  requireTestWhenTestsAvailable: true,
  requireCodeOperator: true,
  requireFormatWhenVerbose: true,
};

const VERBOSE_MARKERS = ['Step ', 'To solve', 'Because', 'First,', 'The solution', '1. ', '2. '];

/** "Long" answer per spec §1.5.6: over 60 chars, multi-line, or reasoning markers. */
export function isVerboseAnswer(answer: string): boolean {
  return answer.length > 60 || answer.includes('\n') || VERBOSE_MARKERS.some((marker) => answer.includes(marker));
}

/** Reasons the finish is rejected; empty when it is accepted. */
export function finishGateReasons(canvas: Canvas, task: TaskView, lastAnswer: string | undefined, config: FinishGateConfig): string[] {
  if (canvas.stages.length === 0) return ['the workflow is empty'];
  if (!config.enabled) return [];
  const reasons: string[] = [];
  const names = operatorNameSet(canvas);
  const total = countOperators(canvas);
  if (total < config.minTotalOperators) reasons.push(`needs at least ${config.minTotalOperators} operators, has ${total}`);
  if (config.requireStructure && !hasControlStructure(canvas)) reasons.push('needs a parallel, conditional or loop structure');
  if (config.requireChecker) {
    if (!config.solverOperators.some((name) => names.has(name))) reasons.push(`needs a solver (${config.solverOperators.join('/')})`);
    if (!config.checkerOperators.some((name) => names.has(name))) reasons.push(`needs a checker (${config.checkerOperators.join('/')})`);
  }
  if (task.kind === 'code') {
    if (config.requireTestWhenTestsAvailable && task.publicTests && !names.has('Test')) reasons.push('the task has tests: add a Test operator');
    if (config.requireCodeOperator && !names.has('Programmer') && !names.has('Test')) reasons.push('a code task needs a Programmer or a Test');
  } else if (config.requireFormatWhenVerbose && lastAnswer !== undefined && isVerboseAnswer(lastAnswer) && !names.has('Format')) {
    reasons.push('the last result is verbose: add a Format operator');
  }
  return reasons;
}
