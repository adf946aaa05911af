/**
 * Code pass@1: the single final program must pass the task's hidden tests in the sandbox (datasets
 * README, "Scoring"). The `reason` may quote hidden-test output, so it is for logs and analysis only and
 * must never reach a model.
 * @public
 */
import type { CodeSandbox } from '../sandbox/types.ts';
import type { CodeTask } from '../tasks/types.ts';

/** Time limit of the reward's code check (spec §5.3: "reward code check 15 s"). @public */
export const CODE_SCORE_TIMEOUT_MS = 15_000;

/** Outcome of scoring one solution. @public */
export interface CodeScoreResult {
  readonly passed: boolean;
  readonly score: 0 | 1;
  /** `passed`, `no code`, `timeout`, `memory limit exceeded` or `failed: <last stderr line>`. */
  readonly reason: string;
  readonly durationMs: number;
}

/** Options of `scoreCode`. @public */
export interface CodeScoreOptions {
  /** @default CODE_SCORE_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /** Address-space limit; the sandbox's default when unset. */
  readonly memoryMb?: number;
  readonly signal?: AbortSignal;
}

const REASON_MAX_CHARS = 200;

/**
 * Runs `solutionCode` (raw model text is fine: fences are stripped with `extractCode`) against the task's
 * hidden tests and returns pass@1 for it. Throws only when the sandbox cannot run at all
 * (SANDBOX_UNAVAILABLE) or the signal aborts.
 * @public
 */
export async function scoreCode(
  task: CodeTask,
  solutionCode: string,
  sandbox: CodeSandbox,
  options: CodeScoreOptions = {},
): Promise<CodeScoreResult> {
  const code = extractCode(solutionCode);
  if (code.trim() === '') return { passed: false, score: 0, reason: 'no code', durationMs: 0 };
  const program = assembleTestProgram(task, code);
  const result = await sandbox.runPython(program, {
    timeoutMs: options.timeoutMs ?? CODE_SCORE_TIMEOUT_MS,
    ...(options.memoryMb !== undefined ? { memoryMb: options.memoryMb } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const durationMs = result.durationMs;
  if (result.ok) return { passed: true, score: 1, reason: 'passed', durationMs };
  if (result.timedOut) return { passed: false, score: 0, reason: 'timeout', durationMs };
  if (result.memoryExceeded) return { passed: false, score: 0, reason: 'memory limit exceeded', durationMs };
  const detail = lastNonEmptyLine(result.stderr) || (result.signal ? `killed by ${result.signal}` : `exit code ${String(result.exitCode)}`);
  return { passed: false, score: 0, reason: `failed: ${detail.slice(0, REASON_MAX_CHARS)}`, durationMs };
}

/**
 * Builds the program that runs `code` against the task's tests, per the dataset's `test_style`:
 * `append` → solution + "\n\n" + tests; `ds1000` → the official DS-1000 harness call. For HumanEval-style
 * tasks, whose problem is the function's own header, a bare completion (no `def <entryPoint>`) is
 * prefixed with that header, and a full solution gets the header's imports, as the official harness and
 * AFlow's checker effectively do.
 * @public
 */
export function assembleTestProgram(task: Pick<CodeTask, 'tests' | 'testStyle' | 'entryPoint' | 'problem'>, code: string): string {
  if (task.testStyle === 'ds1000') {
    const call = task.tests.includes('test_string(') ? 'test_execution(code)\ntest_string(code)\n' : 'test_execution(code)\n';
    return `${task.tests}\ncode = ${toPythonStringLiteral(code)}\n${call}`;
  }
  return `${completeSolution(task, code)}\n\n${task.tests}`;
}

function completeSolution(task: Pick<CodeTask, 'entryPoint' | 'problem'>, code: string): string {
  if (task.entryPoint === '' || !definesFunction(task.problem, task.entryPoint)) return code;
  if (!definesFunction(code, task.entryPoint)) return `${task.problem}${task.problem.endsWith('\n') ? '' : '\n'}${code}`;
  const imports = task.problem.split('\n').filter((line) => /^(import|from)\s+\S/.test(line));
  return imports.length > 0 ? `${imports.join('\n')}\n${code}` : code;
}

function definesFunction(source: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^[ \\t]*(async[ \\t]+)?(def|class)[ \\t]+${escaped}\\b`, 'm').test(source);
}

interface Fence {
  readonly language: string;
  readonly body: string;
}

const PYTHON_LANGUAGES = new Set(['python', 'py', 'python3', 'py3']);

/**
 * Pulls the program out of model text: the longest fenced block tagged Python (else the longest untagged
 * one, else the longest of any language; the last wins ties; an unterminated final fence counts), or the
 * raw text when there is no fence. DS-1000-style `<code>`/`</code>` and `END SOLUTION` markers are
 * dropped. Leading indentation is kept so that bare completions still line up.
 * @public
 */
export function extractCode(text: string): string {
  const fences = findFences(text);
  let code = text;
  if (fences.length > 0) {
    const python = fences.filter((fence) => PYTHON_LANGUAGES.has(fence.language));
    const untagged = fences.filter((fence) => fence.language === '');
    const pool = python.length > 0 ? python : untagged.length > 0 ? untagged : fences;
    code = pool.reduce((best, fence) => (fence.body.length >= best.body.length ? fence : best)).body;
  }
  const lines = code.split(/\r?\n/).filter((line) => !/^\s*(<\/?code>|END SOLUTION)\s*$/.test(line));
  while (lines.length > 0 && (lines[0] ?? '').trim() === '') lines.shift();
  return lines.join('\n').trimEnd();
}

function findFences(text: string): Fence[] {
  const fences: Fence[] = [];
  let open: { language: string; lines: string[] } | null = null;
  for (const line of text.split(/\r?\n/)) {
    const marker = /^\s*```+\s*([\w+.#-]*)/.exec(line);
    if (!marker) {
      open?.lines.push(line);
      continue;
    }
    if (open) {
      fences.push({ language: open.language, body: open.lines.join('\n') });
      open = null;
    } else {
      open = { language: (marker[1] ?? '').toLowerCase(), lines: [] };
    }
  }
  if (open && open.lines.length > 0) fences.push({ language: open.language, body: open.lines.join('\n') });
  return fences;
}

/** A Python string literal for `text` using only ASCII (so no source-encoding or line-separator surprises). */
function toPythonStringLiteral(text: string): string {
  let literal = '"';
  for (const char of text) {
    const codePoint = char.codePointAt(0) ?? 0;
    if (char === '\\') literal += '\\\\';
    else if (char === '"') literal += '\\"';
    else if (char === '\n') literal += '\\n';
    else if (char === '\r') literal += '\\r';
    else if (char === '\t') literal += '\\t';
    else if (codePoint < 0x20 || codePoint === 0x7f) literal += `\\x${hex(codePoint, 2)}`;
    else if (codePoint < 0x7f) literal += char;
    else if (codePoint <= 0xffff) literal += `\\u${hex(codePoint, 4)}`;
    else literal += `\\U${hex(codePoint, 8)}`;
  }
  return `${literal}"`;
}

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}

function lastNonEmptyLine(text: string): string {
  const lines = text.split('\n').map((line) => line.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? '';
}
