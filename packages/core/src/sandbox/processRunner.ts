/**
 * Runs one command as its own process group under a wall-time limit and an output cap, and kills every
 * process it left behind. It knows nothing about Python: the sandbox and the isolation probe both use it.
 * @internal
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CoreError } from '../errors.ts';
import type { SandboxLimits } from './types.ts';

/** After exit, how long to wait for pipes held open by escaped grandchildren before giving up on them. */
const CLOSE_GRACE_MS = 250;
/** Bytes of stderr kept as a rolling tail, enough to see the last line past truncation. */
const TAIL_BYTES = 4096;

/** What `runProcess` observed; `killedBy` is set only when the runner itself killed the process. @internal */
export interface RawRun {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The last 4 KiB of stderr, whether or not it was truncated. */
  readonly stderrTail: string;
  readonly outputTruncated: boolean;
  readonly killedBy: 'timeout' | 'abort' | 'output' | null;
  readonly durationMs: number;
}

/** Where and how `runProcess` runs its command. @internal */
export interface ProcessRunOptions {
  readonly cwd: string;
  /** The complete environment; nothing of the host's is added. */
  readonly env: Record<string, string>;
  readonly limits: Pick<SandboxLimits, 'timeoutMs' | 'outputBytes'>;
  /** Written to stdin, which is then closed. @default '' */
  readonly stdin?: string;
  /** Aborting kills the process group; the run then resolves with `killedBy: 'abort'`. */
  readonly signal?: AbortSignal;
}

/**
 * Spawns `argv` as its own process group and collects capped output; kills the group on timeout, abort or
 * flood, and after a normal exit (to catch stragglers). Resolves for every program outcome; rejects with
 * `SANDBOX_UNAVAILABLE` only when the command cannot be started.
 * @internal
 */
export function runProcess(argv: readonly string[], options: ProcessRunOptions): Promise<RawRun> {
  const { cwd, env, limits, stdin, signal } = options;
  return new Promise<RawRun>((resolve, reject) => {
    const started = performance.now();
    const [command, ...args] = argv;
    const child = spawn(command ?? '', args, { cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout = createCapture(limits.outputBytes);
    const stderr = createCapture(limits.outputBytes);
    // Draining past the cap lets chatty-but-finite programs finish; past this much more, it is a flood.
    const floodBytes = limits.outputBytes + Math.max(8 * limits.outputBytes, 1024 * 1024);
    let killedBy: RawRun['killedBy'] = null;
    let exit: { code: number | null; signal: string | null } | null = null;
    let settled = false;
    let graceTimer: NodeJS.Timeout | undefined;

    const kill = (reason: NonNullable<RawRun['killedBy']> | null): void => {
      if (reason !== null && killedBy === null && exit === null) killedBy = reason;
      if (child.pid !== undefined) killProcessTree(child.pid);
    };
    const timer = setTimeout(() => kill('timeout'), limits.timeoutMs);
    const onAbort = (): void => kill('abort');
    signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      signal?.removeEventListener('abort', onAbort);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        stdout: stdout.text(),
        stderr: stderr.text(),
        stderrTail: stderr.tail(),
        outputTruncated: stdout.truncated || stderr.truncated,
        killedBy,
        durationMs: Math.round(performance.now() - started),
      });
    };

    const onData = (capture: Capture) => (chunk: Buffer) => {
      capture.push(chunk);
      if (capture.received > floodBytes) kill('output');
    };
    child.stdout.on('data', onData(stdout));
    child.stderr.on('data', onData(stderr));
    child.stdin.on('error', () => undefined); // the program may exit without reading its stdin (EPIPE)
    child.stdin.end(stdin ?? '');

    child.once('error', (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(new CoreError('SANDBOX_UNAVAILABLE', `expected to start ${command ?? '?'}, got ${error.message}`, { cause: error }));
    });
    child.once('exit', (code, exitSignal) => {
      exit = { code, signal: exitSignal };
      kill(null); // stragglers left in the process group die with the run
      graceTimer = setTimeout(finish, CLOSE_GRACE_MS);
    });
    child.once('close', finish);
    if (signal?.aborted) kill('abort');
  });
}

/**
 * Kills the wrapper's children first (in pid-namespace mode that is the namespace's init, whose death takes
 * every process of the run with it, even one that left the process group), then the whole process group.
 */
function killProcessTree(pid: number): void {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    for (const child of children.split(/\s+/).filter(Boolean)) signalQuietly(Number(child));
  } catch {
    // no /proc or already gone: the group kill below is all we can do
  }
  signalQuietly(-pid);
}

function signalQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // ESRCH: already gone
  }
}

interface Capture {
  push(chunk: Buffer): void;
  text(): string;
  tail(): string;
  readonly received: number;
  readonly truncated: boolean;
}

/** Keeps the first `limit` bytes, plus a short rolling tail used only to recognise a MemoryError. */
function createCapture(limit: number): Capture {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let received = 0;
  let tail = Buffer.alloc(0);
  return {
    push(chunk) {
      received += chunk.length;
      if (keptBytes < limit) {
        const piece = chunk.subarray(0, limit - keptBytes);
        kept.push(piece);
        keptBytes += piece.length;
      }
      tail = Buffer.concat([tail, chunk]);
      if (tail.length > TAIL_BYTES) tail = tail.subarray(tail.length - TAIL_BYTES);
    },
    text: () => Buffer.concat(kept).toString('utf8'),
    tail: () => tail.toString('utf8'),
    get received() {
      return received;
    },
    get truncated() {
      return received > limit;
    },
  };
}
