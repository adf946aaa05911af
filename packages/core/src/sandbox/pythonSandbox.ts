/**
 * The Python code sandbox: runs untrusted generated code in a subprocess under OS limits and Python-level
 * guards. packages/core/docs/sandbox.md gives the threat model and what each layer does.
 * This module is the public factory and its run queue; the preamble, the isolation probe and the process
 * runner live beside it.
 * @public
 */
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreError } from '../errors.ts';
import { probeIsolation, type SandboxIsolation, type SandboxRuntime } from './isolationProbe.ts';
import { runProcess } from './processRunner.ts';
import { preambleCommand, sandboxEnv } from './pythonPreamble.ts';
import type { CodeSandbox, SandboxLimits, SandboxResult, SandboxRunOptions } from './types.ts';

export type { SandboxIsolation } from './isolationProbe.ts';

/** Limits used when neither the sandbox nor the call sets them. @public */
export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = { timeoutMs: 10_000, memoryMb: 512, outputBytes: 65_536 };

/** Options of `createPythonSandbox`. @public */
export interface PythonSandboxOptions {
  /** Interpreter to use, a name on PATH or a path. @default 'python3' */
  readonly python?: string;
  /** Limits applied when a call does not set them. */
  readonly defaults?: Partial<SandboxLimits>;
  /** Network policy; denying is the only policy. @default 'deny' */
  readonly network?: 'deny';
  /** Programs running at once; later calls wait in a FIFO queue. @default 2 */
  readonly maxConcurrent?: number;
}

/** A `CodeSandbox` that can also report its isolation mechanisms. @public */
export interface PythonSandbox extends CodeSandbox {
  /** Resolves the interpreter and probes the isolation mechanisms (once per interpreter per process). */
  isolation(): Promise<SandboxIsolation>;
}

const MEMORY_ERROR_RE = /(^|[.\s])\w*MemoryError\b|Cannot allocate memory|std::bad_alloc|out of memory/i;

/**
 * Creates the sandbox that runs generated Python under a wall-time limit, RLIMIT_AS, an output cap, an
 * almost empty environment, a fresh working directory and no network; see `SandboxIsolation` for the
 * OS mechanisms used on this machine. Never throws for a failing program.
 * @example
 * const sandbox = createPythonSandbox({ defaults: { timeoutMs: 5000 } });
 * const result = await sandbox.runPython('print(6 * 7)'); // result.stdout === '42\n'
 * @public
 */
export function createPythonSandbox(options: PythonSandboxOptions = {}): PythonSandbox {
  const python = options.python ?? 'python3';
  const defaults = resolveLimits(DEFAULT_SANDBOX_LIMITS, options.defaults ?? {});
  const gate = createGate(options.maxConcurrent ?? 2);
  return {
    isolation: async () => (await probeIsolation(python)).isolation,
    async runPython(code: string, runOptions: SandboxRunOptions = {}): Promise<SandboxResult> {
      const limits = resolveLimits(defaults, runOptions);
      const { signal } = runOptions;
      throwIfAborted(signal);
      const runtime = await probeIsolation(python);
      await gate.acquire(signal);
      try {
        return await runInFreshDirectory(runtime, code, limits, runOptions.stdin, signal);
      } finally {
        gate.release();
      }
    },
  };
}

function resolveLimits(base: SandboxLimits, override: Partial<SandboxLimits>): SandboxLimits {
  const limits = {
    timeoutMs: override.timeoutMs ?? base.timeoutMs,
    memoryMb: override.memoryMb ?? base.memoryMb,
    outputBytes: override.outputBytes ?? base.outputBytes,
  };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new CoreError('CONFIG_INVALID', `expected sandbox limit ${key} to be a positive number, got ${String(value)}`);
    }
  }
  return limits;
}

async function runInFreshDirectory(
  runtime: SandboxRuntime,
  code: string,
  limits: SandboxLimits,
  stdin: string | undefined,
  signal: AbortSignal | undefined,
): Promise<SandboxResult> {
  const runDir = await mkdtemp(join(tmpdir(), 'flowsteer-run-'));
  try {
    const solutionPath = join(runDir, 'solution.py');
    await writeFile(solutionPath, code, 'utf8');
    if (runtime.owner !== null) {
      await chown(runDir, runtime.owner, runtime.owner);
      await chown(solutionPath, runtime.owner, runtime.owner);
    }
    const { interpreter, wrapper } = runtime.isolation;
    const argv = preambleCommand({ wrapper, interpreter, runDir, memoryMb: limits.memoryMb });
    const raw = await runProcess(argv, { cwd: runDir, env: sandboxEnv(runDir), limits, stdin, signal });
    if (raw.killedBy === 'abort') throw abortedError();
    const timedOut = raw.killedBy === 'timeout';
    const killedExternally = raw.killedBy === null && raw.signal === 'SIGKILL';
    const memoryExceeded =
      !timedOut && (killedExternally || (raw.exitCode !== 0 && MEMORY_ERROR_RE.test(lastLine(raw.stderrTail))));
    return {
      ok: raw.exitCode === 0 && raw.killedBy === null && !memoryExceeded,
      exitCode: raw.exitCode,
      signal: raw.signal,
      stdout: raw.stdout,
      stderr: raw.stderr,
      timedOut,
      memoryExceeded,
      outputTruncated: raw.outputTruncated,
      durationMs: raw.durationMs,
      cached: false,
    };
  } finally {
    await rm(runDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

function lastLine(text: string): string {
  const lines = text.trimEnd().split('\n');
  return lines[lines.length - 1] ?? '';
}

interface Gate {
  acquire(signal: AbortSignal | undefined): Promise<void>;
  release(): void;
}

/** A FIFO counting semaphore; a waiter whose signal aborts leaves the queue and rejects with ABORTED. */
function createGate(maxConcurrent: number): Gate {
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
    throw new CoreError('CONFIG_INVALID', `expected maxConcurrent to be a positive integer, got ${String(maxConcurrent)}`);
  }
  let running = 0;
  const waiting: Array<() => void> = [];
  return {
    acquire(signal) {
      if (running < maxConcurrent) {
        running += 1;
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          const index = waiting.indexOf(grant);
          if (index >= 0) waiting.splice(index, 1);
          reject(abortedError());
        };
        const grant = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(grant);
      });
    },
    release() {
      const next = waiting.shift();
      if (next) next(); // the slot passes straight to the next waiter
      else running -= 1;
    },
  };
}

function abortedError(): CoreError {
  return new CoreError('ABORTED', 'expected the sandbox run to finish, got an abort signal');
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError();
}
