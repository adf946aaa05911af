/**
 * Canvas feedback in the paper's `[Key]: value` style (spec §1.6), plus the structured signals a small
 * policy reads instead of text. Hints are advisory, never enforced.
 * @public
 */
import { countOperators, operatorNameSet } from '../canvas/canvas.ts';
import { printDsl } from '../canvas/dsl.ts';
import type { Canvas, Stage } from '../canvas/types.ts';
import type { PendingPrompt } from '../actions/types.ts';
import type { ExecutionResult } from '../executor/types.ts';
import type { OperatorSpec } from '../operators/types.ts';
import type { TaskView } from '../tasks/types.ts';
import { isVerboseAnswer } from './finishGate.ts';

/** Structured feedback for policies (the same facts the text states). */
export interface FeedbackSignals {
  /** The workflow was executed during this step. */
  readonly executed: boolean;
  /** Whether the latest execution finished without a global error; null before the first execution. */
  readonly executionOk: boolean | null;
  /** Operator errors in the latest execution. */
  readonly nodeErrors: number;
  /** Verdict of the last Verify/Review in the latest execution; null when none ran. */
  readonly checkerPassed: boolean | null;
  /** Verdict of the last Test in the latest execution; null when none ran. */
  readonly testPassed: boolean | null;
  readonly answerVerbose: boolean;
  readonly answerEmpty: boolean;
  readonly lastActionValid: boolean;
  readonly finishRejected: boolean;
  readonly awaitingPrompt: boolean;
  /**
   * A finish now would pass the finish gate. The reference environment tells its policy the same through the
   * `[BLOCK_FINISH]` / `FINISH` hints of its feedback (spec §1.6).
   */
  readonly finishAllowed: boolean;
}

/** Reads checker / test verdicts and error counts from an execution trace. */
export function executionSignals(execution: ExecutionResult | undefined): Pick<FeedbackSignals, 'executionOk' | 'nodeErrors' | 'checkerPassed' | 'testPassed' | 'answerVerbose' | 'answerEmpty'> {
  if (!execution) return { executionOk: null, nodeErrors: 0, checkerPassed: null, testPassed: null, answerVerbose: false, answerEmpty: true };
  let checkerPassed: boolean | null = null;
  let testPassed: boolean | null = null;
  for (const node of execution.trace) {
    if (node.passed === undefined) continue;
    if (node.operator === 'Test') testPassed = node.passed;
    else checkerPassed = node.passed;
  }
  return {
    executionOk: execution.ok,
    nodeErrors: execution.trace.filter((node) => node.error !== undefined && node.role === 'error').length,
    checkerPassed,
    testPassed,
    answerVerbose: isVerboseAnswer(execution.answer),
    answerEmpty: execution.answer.trim() === '',
  };
}

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}…`;
}

function describeStage(stage: Stage): string {
  switch (stage.kind) {
    case 'operator':
      return `${stage.id}: ${stage.operator} (operator)`;
    case 'parallel':
      return `${stage.id}: [${stage.branches.map((b) => b.operator).join(', ')}] (parallel)`;
    case 'conditional':
      return `${stage.id}: ${stage.condition.operator} ? ${stage.onFail.operator} : ${stage.onPass?.operator ?? 'done'} (conditional)`;
    case 'loop':
      return `${stage.id}: (${stage.body.map((n) => n.operator).join(' -> ')}) * ${stage.count} (loop)`;
  }
}

/** The `[NEXT]` suggestion of the reference environment's rule table (spec §1.6), as advice. */
export function nextHint(canvas: Canvas, task: TaskView, execution: ExecutionResult | undefined): string {
  const names = operatorNameSet(canvas);
  const signals = executionSignals(execution);
  if (signals.nodeErrors > 0 || signals.executionOk === false) return task.kind === 'code' ? 'ADD:Test ? Programmer : done' : 'ADD:Programmer';
  const last = canvas.stages.at(-1);
  if (last?.kind === 'operator' && (last.operator === 'Plan' || last.operator === 'Decompose')) return task.kind === 'code' ? 'ADD:Programmer' : 'ADD:AnswerGenerate';
  if (task.kind === 'code' && !names.has('Test')) return 'ADD:Test';
  if (task.kind === 'math' && !names.has('Verify')) return 'ADD:Verify';
  if (last?.kind === 'parallel') return task.kind === 'math' ? 'ADD:ScEnsemble' : 'ADD:Aggregate';
  if (task.kind !== 'code' && signals.answerVerbose && !names.has('Format')) return 'ADD:Format';
  return 'FINISH (when the workflow is complete)';
}

/** Common `[Key]: value` block describing the canvas. */
function canvasLines(canvas: Canvas, round: number, maxRounds: number): string[] {
  const structures = [...new Set(canvas.stages.filter((s) => s.kind !== 'operator').map((s) => s.kind))];
  return [
    `[Current DSL]: ${printDsl(canvas) || '(empty)'}`,
    `[Workflow Nodes]: ${canvas.stages.map(describeStage).join('; ') || 'none'}`,
    `[Statistics]: ${countOperators(canvas)} operators, ${operatorNameSet(canvas).size} unique types`,
    ...(structures.length > 0 ? [`[Structures]: ${structures.join(', ')}`] : []),
    `[Round]: ${round}/${maxRounds}`,
  ];
}

function executionLines(task: TaskView, execution: ExecutionResult | undefined, resultChars: number): string[] {
  if (!execution) return [];
  const errors = execution.trace.filter((node) => node.role === 'error');
  const lines = [`[Original Problem]: ${clip(task.problem, 300)}`];
  if (!execution.ok) lines.push(`[EXECUTION ERROR]: ${clip(execution.error?.message ?? 'unknown error', 300)}`);
  for (const node of errors.slice(0, 3)) lines.push(`[Node Error]: ${node.nodeId} ${node.operator}: ${clip(node.error ?? '', 200)}`);
  lines.push(`[Execution Result]: ${clip(execution.answer, resultChars) || '(empty)'}`);
  const signals = executionSignals(execution);
  if (signals.checkerPassed !== null) lines.push(`[Verify Result]: ${signals.checkerPassed ? 'passed' : 'failed — consider Revise, or a `Verify ? Revise : done` conditional'}`);
  if (signals.testPassed !== null) lines.push(`[Test Result]: ${signals.testPassed ? 'test_passed' : 'test_failed'}`);
  return lines;
}

/** Feedback after an invalid action, a delete, a rejected or accepted finish, or a completed edit. */
export function generalFeedback(params: {
  status: 'Success' | 'Failed';
  message: string;
  canvas: Canvas;
  task: TaskView;
  round: number;
  maxRounds: number;
  execution?: ExecutionResult;
  executedNow: boolean;
  resultChars: number;
  final?: boolean;
}): string {
  const { canvas, task, execution } = params;
  const lines = [`[Status]: ${params.status}`, `[Message]: ${params.message}`];
  if (params.executedNow && execution) {
    lines.push(`[NEXT]=${nextHint(canvas, task, execution)}`);
    lines.push(...executionLines(task, execution, params.resultChars));
  }
  lines.push(...canvasLines(canvas, params.round, params.maxRounds));
  if (params.final) lines.push('[Final]: workflow accepted');
  return `<feedback>\n${lines.join('\n')}\n</feedback>`;
}

/** "Pending – Awaiting Prompt" feedback with the operator's guidance card (spec §1.6). */
export function promptRequestFeedback(params: {
  pending: PendingPrompt;
  spec: OperatorSpec | undefined;
  canvas: Canvas;
  task: TaskView;
  round: number;
  maxRounds: number;
  message?: string;
}): string {
  const { pending, spec } = params;
  const lines = [
    '[Status]: Pending - Awaiting Prompt',
    `[Message]: ${params.message ?? `write the prompt for ${pending.operator} (${pending.label})`}`,
    `[Current DSL]: ${printDsl(params.canvas) || '(empty)'}`,
    `=== WRITE YOUR PROMPT FOR ${pending.operator} (${pending.target}) ===`,
  ];
  if (spec) {
    lines.push(`[Description]: ${spec.description}`);
    lines.push(`[Input]: ${spec.inputs.join(', ')}`, `[Output]: ${spec.outputs.join(', ')}`);
    lines.push(`[Default Prompt]: ${spec.defaultPrompt}`);
  }
  lines.push(`[Problem Preview]: ${clip(params.task.problem, 200)}`);
  lines.push('[Rules]: 1–3 sentences, no XML, do not restate the problem.');
  lines.push(`[Round]: ${params.round}/${params.maxRounds}`);
  return `<feedback>\n${lines.join('\n')}\n</feedback>`;
}
