/**
 * `defineOperator()` and the helpers every operator module shares: message building, the instruction
 * prefix of spec §2, the structured call context the executor forwards to backends, and the guard that
 * turns an operator's unexpected exception into a traced `error` result.
 * @public
 */
import { isCoreError } from '@flowsteer/core';
import type { LlmMessage, Operator, OperatorCategory, OperatorContext, OperatorResult, OperatorSpec } from '@flowsteer/core';

/** Everything needed to define an operator: its static spec plus `run`. */
export interface OperatorDefinition extends OperatorSpec {
  run(ctx: OperatorContext): Promise<OperatorResult>;
}

const OPERATOR_NAME = /^[A-Z][A-Za-z0-9]{0,39}$/;
const CATEGORIES: ReadonlySet<OperatorCategory> = new Set(['planning', 'solving', 'checking', 'revision', 'ensemble', 'output']);

// Failures of the run itself (abort, timeout, budget, a dead backend) must stop or be traced by the
// executor; only the operator's own bugs and garbage handling become `error` results.
const PROPAGATED_CODES = ['ABORTED', 'TIMEOUT', 'BUDGET_EXCEEDED', 'BACKEND_FAILED', 'SANDBOX_UNAVAILABLE'] as const;

/**
 * Validates and freezes an operator definition. The returned operator never throws for bad LLM text or
 * its own bugs: those become a result with `error` that hands the current solution on unchanged.
 * Abort, timeout, budget and backend failures still propagate so the executor can stop or trace them.
 */
export function defineOperator(definition: OperatorDefinition): Operator {
  if (!OPERATOR_NAME.test(definition.name)) {
    throw new TypeError(`[operators] expected an operator name in PascalCase (e.g. "MyChecker"), got "${definition.name}"`);
  }
  if (!CATEGORIES.has(definition.category)) {
    throw new TypeError(`[operators] expected a category in ${[...CATEGORIES].join('|')}, got "${String(definition.category)}"`);
  }
  const { run, ...spec } = definition;
  const operator: Operator = {
    ...spec,
    inputs: Object.freeze([...spec.inputs]),
    outputs: Object.freeze([...spec.outputs]),
    async run(ctx: OperatorContext): Promise<OperatorResult> {
      try {
        return await run(ctx);
      } catch (error) {
        if (ctx.signal.aborted || PROPAGATED_CODES.some((code) => isCoreError(error, code))) throw error;
        const message = error instanceof Error ? error.message : String(error);
        return { fields: {}, output: currentSolution(ctx), role: 'verdict', error: `${spec.name} failed: ${message}` };
      }
    },
  };
  return Object.freeze(operator);
}

/** The solution an operator works on: the latest solution, else the previous output, else "". */
export function currentSolution(ctx: OperatorContext): string {
  return ctx.input.solution || ctx.input.prev;
}

/**
 * The previous stage's output when it is a result to build on: not the problem itself, not empty (first
 * stage) and not a plan or sub-problem list (that arrives separately as `guidance`).
 */
export function upstreamOutput(ctx: OperatorContext): string | undefined {
  const prev = ctx.input.prev.trim();
  if (prev.length === 0 || prev === ctx.input.problem.trim() || prev === ctx.input.guidance?.trim()) return undefined;
  return ctx.input.prev;
}

/** How a custom instruction is framed, by operator family (spec §2: custom-prompt handling). */
export type InstructionFrame = 'extract' | 'select' | 'verify' | 'solve';

const FRAME_PREFIX: Record<InstructionFrame, string> = {
  extract: 'Only pull the final answer out of the given text; do not solve the problem again.',
  select: 'Only choose among (or combine) the given candidates; do not write a new solution.',
  verify: 'Check the answer on your own, independently of how it was obtained.',
  solve: 'Read the problem closely and reason one step at a time.',
};

/** The `[Controller Guidance]` block for a node's instruction, or "" when the node uses the default. */
export function guidanceBlock(instruction: string, frame: InstructionFrame): string {
  const trimmed = instruction.trim();
  return trimmed.length === 0 ? '' : `[Controller Guidance]\n${FRAME_PREFIX[frame]}\n${trimmed}\n\n`;
}

/** A system + user message pair; sections with an empty body are left out. */
export function buildMessages(system: string, sections: ReadonlyArray<readonly [title: string, body: string | undefined]>, closing: string): LlmMessage[] {
  const parts: string[] = [];
  for (const [title, body] of sections) {
    if (body === undefined || body.trim().length === 0) continue;
    parts.push(title.length > 0 ? `## ${title}\n${body.trim()}` : body.trim());
  }
  parts.push(closing);
  return [
    { role: 'system', content: system },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

/**
 * The structured view of a call's inputs sent as request metadata (`context`). Backends that simulate a
 * model read it instead of parsing prose; real backends ignore it. Absent values are left out.
 */
export function callContext(ctx: OperatorContext, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const context: Record<string, unknown> = { instruction: ctx.instruction };
  if (ctx.input.guidance !== undefined && ctx.input.guidance.length > 0) {
    context.hasGuidance = true;
    context.guidance = ctx.input.guidance.slice(0, 300);
  }
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) context[key] = value;
  return context;
}

/** True when a solution text is an execution error rather than an answer. */
export function isErrorText(text: string): boolean {
  const head = text.trimStart().slice(0, 40).toLowerCase();
  return head.startsWith('error') || head.startsWith('traceback') || head.startsWith('workflow_error') || head.includes('exception:');
}
