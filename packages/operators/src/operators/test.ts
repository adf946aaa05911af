/**
 * Test: runs the task's public tests against the current code in the sandbox. When they fail it asks
 * the model to reflect and rewrite, up to 3 times, then checks once more; `passed` is the last check.
 * Math tasks have nothing to test: it passes the solution through with `passed: true` and no LLM call.
 * @public
 */
import type { OperatorContext, OperatorResult } from '@flowsteer/core';
import { buildMessages, callContext, currentSolution, defineOperator, guidanceBlock } from '../operator.ts';
import { extractPython, parseFields } from '../parsing.ts';
import { runCheck, testProgram } from '../sandboxRun.ts';

const MAX_REWRITES = 3;

function verdict(code: string, passed: boolean, error: string, rewrites: number): OperatorResult {
  const feedback = passed ? 'The public tests passed.' : `The public tests failed:\n${error}`;
  return {
    fields: { result: passed, solution: code, error, rewrites },
    output: code,
    role: 'verdict',
    passed,
    feedback,
    code,
  };
}

async function rewrite(ctx: OperatorContext, code: string, error: string, attempt: number): Promise<string> {
  const messages = buildMessages(
    'You debug Python code. Reply with a short reflection and the corrected code.',
    [
      ['', guidanceBlock(ctx.instruction, 'solve')],
      ['Problem', ctx.input.problem],
      ['Current code', code],
      ['Test failure', error.slice(0, 1500)],
    ],
    'Explain the bug inside <reflection>...</reflection>, then give the full corrected code inside <code>```python ... ```</code>.',
  );
  const reply = await ctx.llm({ messages, purpose: 'reflect', attempt, context: callContext(ctx, { code, testError: error }) });
  const fields = parseFields(reply.text, ['reflection', 'code']);
  return extractPython(fields.code ?? reply.text);
}

/** The Test operator. */
export const test = defineOperator({
  name: 'Test',
  category: 'checking',
  description: 'Runs the public tests on the current code; on failure reflects, rewrites and re-tests (up to 3 times).',
  inputs: ['problem', 'code', 'publicTests'],
  outputs: ['result', 'solution'],
  defaultPrompt: 'Fix the root cause of the failing test without breaking the behaviour the other tests expect.',
  async run(ctx) {
    if (ctx.task.kind !== 'code') {
      const solution = currentSolution(ctx);
      return { fields: { result: true, skipped: 'not a code task' }, output: solution, role: 'verdict', passed: true };
    }
    let code = ctx.input.code ?? extractPython(currentSolution(ctx));
    if (!code) return verdict('', false, 'there is no code to test', 0);
    let check = await runCheck(ctx.sandbox, testProgram(ctx.task, code), ctx.signal);
    let rewrites = 0;
    while (!check.passed && rewrites < MAX_REWRITES) {
      const fixed = await rewrite(ctx, code, check.error, rewrites);
      rewrites += 1;
      if (!fixed) continue;
      code = fixed;
      check = await runCheck(ctx.sandbox, testProgram(ctx.task, code), ctx.signal);
    }
    return verdict(code, check.passed, check.error, rewrites);
  },
});
