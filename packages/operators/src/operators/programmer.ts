/**
 * Programmer: writes Python and runs it in the sandbox. Math: code defining a zero-argument `solve()`;
 * the output is `str(solve())`, with up to 3 generate→run attempts that feed the error back. Code tasks:
 * the function named by the task's entry point (or the DS-1000 snippet); a smoke run (definitions only,
 * or a compile check for snippets) catches broken code the same way, and the output is the code itself.
 * @public
 */
import type { OperatorContext, OperatorResult } from '@flowsteer/core';
import { buildMessages, callContext, defineOperator, guidanceBlock, upstreamOutput } from '../operator.ts';
import { extractPython } from '../parsing.ts';
import { compileProgram, runCheck, runSolve } from '../sandboxRun.ts';

const MAX_ATTEMPTS = 3;
const SOLVE_DEF = /^\s*def\s+solve\s*\(\s*\)/m;

function requirement(ctx: OperatorContext): string {
  const task = ctx.task;
  if (task.kind !== 'code') {
    return 'Write Python code that defines a function `solve()` taking no arguments and returning the final answer. Do not read input or print; return the value.';
  }
  if (task.testStyle === 'ds1000' || !task.entryPoint) {
    return 'Write only the Python code that completes the solution (it runs after the given setup code and must set the requested variables).';
  }
  const signature = new RegExp(`def\\s+${task.entryPoint}\\s*\\([^)]*\\)[^:]*:`).exec(task.problem)?.[0];
  return `Write a complete Python implementation of \`${task.entryPoint}\`${signature ? ` with the signature \`${signature}\`` : ''}, including any imports it needs.`;
}

async function check(ctx: OperatorContext, code: string): Promise<{ ok: boolean; output: string; error: string }> {
  if (ctx.task.kind !== 'code') {
    if (!SOLVE_DEF.test(code)) return { ok: false, output: '', error: 'NameError: the code does not define solve()' };
    return runSolve(ctx.sandbox, code, ctx.signal);
  }
  const program = ctx.task.testStyle === 'ds1000' || !ctx.task.entryPoint ? compileProgram(code) : `${code}\n`;
  const result = await runCheck(ctx.sandbox, program, ctx.signal);
  return { ok: result.passed, output: result.passed ? 'CODE_GENERATED' : '', error: result.error };
}

/** The Programmer operator. */
export const programmer = defineOperator({
  name: 'Programmer',
  category: 'solving',
  description: 'Writes Python and executes it: math answers come from running solve(); for code tasks it writes the requested function.',
  inputs: ['problem', 'prev (analysis)', 'instruction', 'previousError'],
  outputs: ['code', 'output'],
  defaultPrompt: 'Write clear, correct Python; compute the answer exactly rather than estimating it.',
  async run(ctx): Promise<OperatorResult> {
    const analysis = upstreamOutput(ctx);
    let previousError = ctx.input.previousError?.slice(0, 300);
    let code = '';
    let lastError = '';
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const messages = buildMessages(
        'You are an expert Python programmer. Reply with one ```python code block.',
        [
          ['', guidanceBlock(ctx.instruction, 'solve')],
          ['Problem', ctx.input.problem],
          ['Analysis', analysis],
          ['Guidance', ctx.input.guidance],
          ['Previous code', attempt > 0 ? code : undefined],
          ['[PREVIOUS_ERROR]', previousError],
        ],
        requirement(ctx),
      );
      const reply = await ctx.llm({
        messages,
        purpose: 'code',
        attempt,
        context: callContext(ctx, { analysis, previousError, previousCode: attempt > 0 ? code : undefined }),
      });
      code = extractPython(reply.text);
      if (!code) {
        lastError = 'SyntaxError: the reply contains no Python code';
      } else {
        const run = await check(ctx, code);
        if (run.ok) return { fields: { code, output: run.output, attempts: attempt + 1 }, output: ctx.task.kind === 'code' ? code : run.output, role: 'solution', code };
        lastError = run.error;
      }
      previousError = lastError;
    }
    const output = ctx.task.kind === 'code' && code ? code : `ERROR: ${lastError}`;
    return { fields: { code, output: `ERROR: ${lastError}`, attempts: MAX_ATTEMPTS }, output, role: 'solution', code, error: lastError };
  },
});
