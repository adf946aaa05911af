/**
 * Helpers for running generated Python through the injected sandbox: the `solve()` harness of the
 * Programmer, the public-test program of Test, and short error summaries fed back to the model.
 * @internal
 */
import type { CodeSandbox, SandboxResult, TaskView } from '@flowsteer/core';

const OUTPUT_MARKER = '<<<FLOWSTEER_OUTPUT>>>';

/** Wall-clock limit for one generated program (the paper uses 30 s; tests never need that long). */
export const RUN_TIMEOUT_MS = 10_000;

/** Outcome of running a `solve()` program. */
export interface SolveRun {
  readonly ok: boolean;
  /** `str(solve())` when it ran. */
  readonly output: string;
  /** A one-paragraph error summary when it did not. */
  readonly error: string;
}

/** Runs code that defines a zero-argument `solve()` and returns `str(solve())`. */
export async function runSolve(sandbox: CodeSandbox, code: string, signal: AbortSignal): Promise<SolveRun> {
  const program = `import sys\nsys.setrecursionlimit(500)\n\n${code}\n\n__fs_value = solve()\nprint(${JSON.stringify(OUTPUT_MARKER)} + str(__fs_value))\n`;
  const result = await sandbox.runPython(program, { timeoutMs: RUN_TIMEOUT_MS, signal });
  const at = result.stdout.lastIndexOf(OUTPUT_MARKER);
  if (result.ok && at !== -1) return { ok: true, output: result.stdout.slice(at + OUTPUT_MARKER.length).trim(), error: '' };
  return { ok: false, output: '', error: describeFailure(result) };
}

/** Short, model-readable description of why a program failed. */
export function describeFailure(result: SandboxResult): string {
  if (result.timedOut) return 'TimeoutError: the program did not finish within the time limit';
  if (result.memoryExceeded) return 'MemoryError: the program exceeded the memory limit';
  const lines = result.stderr.trim().split('\n').filter((line) => line.trim().length > 0);
  const tail = lines.slice(-4).join('\n');
  if (tail.length > 0) return tail.length > 600 ? tail.slice(tail.length - 600) : tail;
  return result.ok ? 'no output was printed' : `the program exited with code ${String(result.exitCode)}`;
}

/** The program that checks `code` against the task's public tests (or a smoke run when there are none). */
export function testProgram(task: TaskView, code: string): string {
  const tests = task.publicTests?.trim() ?? '';
  // DS-1000 snippets only run inside their hidden harness, so without public tests a compile check is all
  // an honest smoke run can do.
  if (task.testStyle === 'ds1000' && tests.length === 0) return compileProgram(code);
  return tests.length > 0 ? `${code}\n\n${tests}\n` : `${code}\n`;
}

/** A program that only compiles `code` (syntax check without running it). */
export function compileProgram(code: string): string {
  return `compile(${JSON.stringify(code)}, "solution.py", "exec")\n`;
}

/** Runs a check program; `error` is "" when it passed. */
export async function runCheck(sandbox: CodeSandbox, program: string, signal: AbortSignal): Promise<{ passed: boolean; error: string }> {
  const result = await sandbox.runPython(program, { timeoutMs: RUN_TIMEOUT_MS, signal });
  return result.ok ? { passed: true, error: '' } : { passed: false, error: describeFailure(result) };
}
