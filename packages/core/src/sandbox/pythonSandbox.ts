/**
 * The Python code sandbox: runs untrusted generated code in a subprocess under OS limits and Python-level
 * guards. The package CONTEXT.md (section "Code sandbox") gives the threat model and what each layer does.
 * @public
 */
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CoreError } from '../errors.ts';
import type { CodeSandbox, SandboxLimits, SandboxResult, SandboxRunOptions } from './types.ts';

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

/** Which isolation mechanisms are active, as found by probing this machine once. @public */
export interface SandboxIsolation {
  /** Absolute path of the interpreter actually run. */
  readonly interpreter: string;
  /** `namespace`: an empty network namespace plus the Python socket guard; `python-guard`: the guard only. */
  readonly network: 'namespace' | 'python-guard';
  /** `pid-namespace`: every process of a run dies with it; `process-group`: children that call setsid can escape. */
  readonly processes: 'pid-namespace' | 'process-group';
  /** Identity the program runs as. `nobody+read-all` keeps CAP_DAC_READ_SEARCH so a root-only interpreter stays importable. */
  readonly user: 'nobody' | 'nobody+read-all' | 'user-namespace' | 'unchanged';
  /** False only when running as root without a way to drop privileges (root ignores RLIMIT_NPROC). */
  readonly nprocEnforced: boolean;
  /** The command prefix placed before the interpreter. */
  readonly wrapper: readonly string[];
}

/** A `CodeSandbox` that can also report its isolation mechanisms. @public */
export interface PythonSandbox extends CodeSandbox {
  /** Resolves the interpreter and probes the isolation mechanisms (once per interpreter per process). */
  isolation(): Promise<SandboxIsolation>;
}

const NOBODY = 65_534;
/** Tasks (processes and threads) a run may add beyond those its uid already has. */
const EXTRA_TASKS = 32;
const FILE_SIZE_BYTES = 16 * 1024 * 1024;
/** After exit, how long to wait for pipes held open by escaped grandchildren before giving up on them. */
const CLOSE_GRACE_MS = 250;
const MEMORY_ERROR_RE = /(^|[.\s])\w*MemoryError\b|Cannot allocate memory|std::bad_alloc|out of memory/i;
const THREAD_CAPS = { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } as const;

interface Runtime {
  readonly isolation: SandboxIsolation;
  /** Uid/gid that must own the run directory, or null to leave it to the current user. */
  readonly owner: number | null;
}

interface Candidate {
  readonly wrapper: string[];
  readonly owner: number | null;
  readonly isolation: Omit<SandboxIsolation, 'interpreter' | 'wrapper'>;
}

interface RawRun {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly stderrTail: string;
  readonly outputTruncated: boolean;
  readonly killedBy: 'timeout' | 'abort' | 'output' | null;
  readonly durationMs: number;
}

const runtimes = new Map<string, Promise<Runtime>>();

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
    isolation: async () => (await getRuntime(python)).isolation,
    async runPython(code: string, runOptions: SandboxRunOptions = {}): Promise<SandboxResult> {
      const limits = resolveLimits(defaults, runOptions);
      const { signal } = runOptions;
      throwIfAborted(signal);
      const runtime = await getRuntime(python);
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
  runtime: Runtime,
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
    const argv = [
      ...wrapper,
      interpreter,
      ...INTERPRETER_FLAGS,
      '-c',
      PYTHON_PREAMBLE,
      runDir,
      String(Math.floor(limits.memoryMb * 1024 * 1024)),
      String(EXTRA_TASKS),
      String(FILE_SIZE_BYTES),
    ];
    const raw = await runProcess(argv, runDir, sandboxEnv(runDir), limits, stdin, signal);
    if (raw.killedBy === 'abort') throw new CoreError('ABORTED', 'expected the sandbox run to finish, got an abort signal');
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

/** -I: ignore PYTHON* env vars and the user site; -S: skip site.py so `.pth` import lines never run (the preamble adds site-packages itself); UTF-8 mode for host-independent I/O. */
const INTERPRETER_FLAGS = ['-I', '-S', '-X', 'utf8'] as const;

function sandboxEnv(runDir: string): Record<string, string> {
  // Nothing of the host leaks in. TMPDIR keeps `tempfile` inside the run directory; the thread caps keep
  // BLAS pools from eating the task budget (RLIMIT_NPROC counts threads) and the address-space limit.
  return { TMPDIR: runDir, ...THREAD_CAPS };
}

function lastLine(text: string): string {
  const lines = text.trimEnd().split('\n');
  return lines[lines.length - 1] ?? '';
}

/** Spawns `argv` as its own process group and collects capped output; kills the group on timeout, abort or flood. */
function runProcess(
  argv: readonly string[],
  cwd: string,
  env: Record<string, string>,
  limits: SandboxLimits,
  stdin: string | undefined,
  signal: AbortSignal | undefined,
): Promise<RawRun> {
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

const TAIL_BYTES = 4096;

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

function getRuntime(python: string): Promise<Runtime> {
  let runtime = runtimes.get(python);
  if (!runtime) {
    runtime = detectRuntime(python);
    runtimes.set(python, runtime);
    // A missing interpreter may be installed later; don't pin the failure.
    runtime.catch(() => runtimes.delete(python));
  }
  return runtime;
}

async function detectRuntime(python: string): Promise<Runtime> {
  const { executable, prefix } = await resolveInterpreter(python);
  for (const candidate of isolationCandidates()) {
    if (await probe(candidate, executable, prefix)) {
      return { owner: candidate.owner, isolation: { ...candidate.isolation, interpreter: executable, wrapper: candidate.wrapper } };
    }
  }
  throw new CoreError('SANDBOX_UNAVAILABLE', `expected ${executable} to run with an empty environment, got a failure in every isolation mode`);
}

/** Asks the interpreter (with the caller's env, so pyenv-style shims work) for its real path and prefix. */
async function resolveInterpreter(python: string): Promise<{ executable: string; prefix: string }> {
  const script = 'import sys; print(sys.executable); print(sys.prefix); print(sys.version_info[0])';
  const unavailable = (detail: string, cause?: unknown): CoreError =>
    new CoreError(
      'SANDBOX_UNAVAILABLE',
      `expected a Python 3 interpreter at '${python}' (install python3 or pass createPythonSandbox({ python })), got ${detail}`,
      { cause },
    );
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(python, ['-I', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(unavailable(error.message, error));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  const [executable = '', prefix = '', major = ''] = result.stdout.trim().split('\n');
  if (result.code !== 0 || major.trim() !== '3' || executable.trim() === '') {
    throw unavailable(`exit code ${String(result.code)}: ${(result.stderr || result.stdout).trim().slice(0, 300)}`);
  }
  return { executable: executable.trim(), prefix: prefix.trim() };
}

function findTool(name: string): string | null {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/bin', '/bin', '/usr/sbin', '/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    try {
      accessSync(join(dir, name), fsConstants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return null;
}

/** Isolation modes from strongest to weakest; the first whose probe succeeds is used. */
function isolationCandidates(): Candidate[] {
  const unshare = process.platform === 'linux' ? findTool('unshare') : null;
  const setpriv = process.platform === 'linux' ? findTool('setpriv') : null;
  const candidates: Candidate[] = [];
  if (process.getuid?.() === 0) {
    // Root ignores RLIMIT_NPROC, so fork bombs are only contained after dropping to an unprivileged uid.
    const namespaces = unshare ? [unshare, '--net', '--pid', '--fork', '--kill-child', '--'] : null;
    const drop = setpriv
      ? [setpriv, `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--no-new-privs', '--inh-caps=-all', '--bounding-set=-all', '--']
      : null;
    // Interpreters under /root (pyenv) are unreadable to nobody; keeping only CAP_DAC_READ_SEARCH fixes that
    // at the price of letting the program read any file (writes stay those of nobody).
    const dropReadAll = setpriv
      ? [setpriv, `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--no-new-privs', '--inh-caps=-all,+dac_read_search', '--ambient-caps=+dac_read_search', '--bounding-set=-all,+dac_read_search', '--']
      : null;
    for (const [dropArgs, user] of [[drop, 'nobody'], [dropReadAll, 'nobody+read-all']] as const) {
      if (!dropArgs) continue;
      if (namespaces) {
        candidates.push({ wrapper: [...namespaces, ...dropArgs], owner: NOBODY, isolation: { network: 'namespace', processes: 'pid-namespace', user, nprocEnforced: true } });
      }
      candidates.push({ wrapper: dropArgs, owner: NOBODY, isolation: { network: 'python-guard', processes: 'process-group', user, nprocEnforced: true } });
    }
    if (namespaces) {
      candidates.push({ wrapper: namespaces, owner: null, isolation: { network: 'namespace', processes: 'pid-namespace', user: 'unchanged', nprocEnforced: false } });
    }
    candidates.push({ wrapper: [], owner: null, isolation: { network: 'python-guard', processes: 'process-group', user: 'unchanged', nprocEnforced: false } });
    return candidates;
  }
  if (unshare) {
    candidates.push({ wrapper: [unshare, '--user', '--map-root-user', '--net', '--pid', '--fork', '--kill-child', '--'], owner: null, isolation: { network: 'namespace', processes: 'pid-namespace', user: 'user-namespace', nprocEnforced: true } });
    candidates.push({ wrapper: [unshare, '--user', '--map-root-user', '--net', '--'], owner: null, isolation: { network: 'namespace', processes: 'process-group', user: 'user-namespace', nprocEnforced: true } });
  }
  candidates.push({ wrapper: [], owner: null, isolation: { network: 'python-guard', processes: 'process-group', user: 'unchanged', nprocEnforced: true } });
  return candidates;
}

/** Runs a trivial program in the candidate mode and checks that the intended interpreter (same prefix) ran. */
async function probe(candidate: Candidate, executable: string, prefix: string): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'flowsteer-probe-'));
  try {
    if (candidate.owner !== null) await chown(dir, candidate.owner, candidate.owner);
    const argv = [...candidate.wrapper, executable, ...INTERPRETER_FLAGS, '-c', 'import sys; print(sys.prefix)'];
    const limits = { timeoutMs: 15_000, memoryMb: 1024, outputBytes: 4096 };
    const raw = await runProcess(argv, dir, sandboxEnv(dir), limits, undefined, undefined);
    return raw.exitCode === 0 && raw.stdout.trim() === prefix;
  } catch {
    return false;
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Runs before the program, inside the interpreter: site-packages without `.pth` code, rlimits, write and
 * network guards, then the program as `__main__` from `<solution>`. The guards are Python-level and a
 * determined program can get around them (ctypes, `_io`, subprocesses); the OS layer (uid, namespaces,
 * rlimits, process-group kill) is what actually contains it. argv: run dir, RLIMIT_AS bytes, extra tasks,
 * RLIMIT_FSIZE bytes.
 */
const PYTHON_PREAMBLE = String.raw`
import sys, os

def _flowsteer_prepare():
    import builtins, io, resource, site, types
    run_dir = os.path.realpath(sys.argv[1])
    mem_bytes, extra_tasks, file_bytes = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    sys.dont_write_bytecode = True
    site.setquit()
    for d in site.getsitepackages():
        if d in sys.path or not os.path.isdir(d):
            continue
        sys.path.append(d)
        for name in sorted(n for n in os.listdir(d) if n.endswith('.pth')):
            try:
                with io.open(os.path.join(d, name), encoding='utf-8') as f:
                    for line in f:
                        line = line.strip()
                        if line and not line.startswith(('#', 'import ', 'import\t')):
                            p = os.path.join(d, line)
                            if os.path.isdir(p) and p not in sys.path:
                                sys.path.append(p)
            except (OSError, UnicodeError):
                pass

    def cap(res, n):
        soft, hard = resource.getrlimit(res)
        if hard != resource.RLIM_INFINITY and n > hard:
            n = hard
        try:
            resource.setrlimit(res, (n, n))
        except (ValueError, OSError):
            pass

    def tasks_of(uid):
        total = 0
        try:
            pids = [p for p in os.listdir('/proc') if p.isdigit()]
        except OSError:
            return None
        for p in pids:
            try:
                with io.open('/proc/' + p + '/status', 'rb') as f:
                    status = f.read()
                if int(status.split(b'\nUid:', 1)[1].split(None, 1)[0]) == uid:
                    total += int(status.split(b'\nThreads:', 1)[1].split(None, 1)[0])
            except (OSError, IndexError, ValueError):
                pass
        return total

    cap(resource.RLIMIT_AS, mem_bytes)
    cap(resource.RLIMIT_FSIZE, file_bytes)
    cap(resource.RLIMIT_CORE, 0)
    cap(resource.RLIMIT_NOFILE, 256)
    # RLIMIT_NPROC counts every task of the real uid machine-wide, so the budget is relative to what exists.
    existing = tasks_of(os.getuid())
    if existing is not None:
        cap(resource.RLIMIT_NPROC, existing + extra_tasks)

    src_path = os.path.join(run_dir, 'solution.py')
    with io.open(src_path, encoding='utf-8') as f:
        src = f.read()
    os.remove(src_path)

    def denied(path):
        raise PermissionError(13, 'sandbox: writing outside the working directory is not allowed', str(path))

    devices = ('/dev/null', '/dev/stdout', '/dev/stderr')

    def inside(path, dir_fd=None, follow=True):
        if isinstance(path, int):
            return True
        try:
            p = os.fsdecode(os.fspath(path))
        except TypeError:
            return True
        if dir_fd is not None and not os.path.isabs(p):
            p = os.path.join(os.readlink('/proc/self/fd/%d' % dir_fd), p)
        p = os.path.abspath(p)
        if p in devices:
            return True
        r = os.path.realpath(p) if follow else os.path.join(os.path.realpath(os.path.dirname(p)), os.path.basename(p))
        return r == run_dir or r.startswith(run_dir + os.sep)

    real_open = io.open

    def guarded_open(file, mode='r', *args, **kwargs):
        if isinstance(mode, str) and any(c in mode for c in 'wax+') and not inside(file):
            denied(file)
        return real_open(file, mode, *args, **kwargs)

    builtins.open = io.open = guarded_open
    writes = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    real_os_open = os.open

    def guarded_os_open(path, flags, mode=0o777, *, dir_fd=None):
        if flags & writes and not inside(path, dir_fd):
            denied(path)
        return real_os_open(path, flags, mode, dir_fd=dir_fd)

    os.open = guarded_os_open
    if real_os_open in os.supports_dir_fd:
        os.supports_dir_fd.add(guarded_os_open)

    def guard(name, checks):
        real = getattr(os, name, None)
        if real is None:
            return

        def guarded(*args, **kwargs):
            for index, arg, fd_arg, follow in checks:
                target = args[index] if len(args) > index else kwargs.get(arg)
                if target is not None and not inside(target, kwargs.get(fd_arg), follow):
                    denied(target)
            return real(*args, **kwargs)

        guarded.__name__ = name
        setattr(os, name, guarded)
        for group in (os.supports_dir_fd, os.supports_fd, os.supports_follow_symlinks):
            if real in group:
                group.add(guarded)

    entry = [(0, 'path', 'dir_fd', False)]
    for name in ('mkdir', 'rmdir', 'remove', 'unlink', 'mkfifo', 'mknod'):
        guard(name, entry)
    for name in ('chmod', 'chown', 'truncate', 'utime'):
        guard(name, [(0, 'path', 'dir_fd', True)])
    for name in ('rename', 'replace'):
        guard(name, [(0, 'src', 'src_dir_fd', False), (1, 'dst', 'dst_dir_fd', False)])
    guard('link', [(1, 'dst', 'dst_dir_fd', False)])
    guard('symlink', [(1, 'dst', 'dir_fd', False)])

    def no_network(*args, **kwargs):
        raise PermissionError(1, 'sandbox: network access is disabled')

    def guarded_socket(base):
        class GuardedSocket(base):
            __slots__ = ()  # socket.py subclasses _socket.socket with its own __weakref__ slot

            # Wrapping an existing descriptor (socketpair, fromfd, accept) is allowed; opening a new one is not.
            def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
                if fileno is None:
                    no_network()
                base.__init__(self, family, type, proto, fileno)
        GuardedSocket.__name__ = GuardedSocket.__qualname__ = 'socket'
        return GuardedSocket

    def patch_socket(module):
        module.socket = guarded_socket(module.socket)
        module.create_connection = module.create_server = no_network

    def patch_raw_socket(module):
        module.socket = module.SocketType = guarded_socket(module.socket)

    patches = {'socket': patch_socket, '_socket': patch_raw_socket}

    class PatchingLoader:
        def __init__(self, real, patch):
            self.real, self.patch = real, patch

        def create_module(self, spec):
            return self.real.create_module(spec)

        def exec_module(self, module):
            self.real.exec_module(module)
            self.patch(module)

    class NetworkGuard:
        # Patches the socket modules as they are imported, so programs that never use them don't pay for importing them.
        @staticmethod
        def find_spec(name, path=None, target=None):
            if name not in patches:
                return None
            for finder in sys.meta_path:
                if finder is NetworkGuard or not hasattr(finder, 'find_spec'):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    spec.loader = PatchingLoader(spec.loader, patches[name])
                    return spec
            return None

    for name, patch in patches.items():
        if name in sys.modules:
            patch(sys.modules[name])
    sys.meta_path.insert(0, NetworkGuard)

    main = types.ModuleType('__main__')
    main.__file__ = src_path
    main.__builtins__ = builtins
    sys.modules['__main__'] = main
    sys.argv = [src_path]
    return src, main

def _flowsteer_report(exc, src, main):
    if isinstance(exc, MemoryError):
        main.__dict__.clear()
    try:
        import linecache, traceback
        linecache.cache['<solution>'] = (len(src), None, src.splitlines(True), '<solution>')
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != '<solution>':
            tb = tb.tb_next
        traceback.print_exception(type(exc), exc, tb)
    except BaseException:
        os.write(2, (type(exc).__name__ + '\n').encode())

_flowsteer_src, _flowsteer_main = _flowsteer_prepare()
del _flowsteer_prepare
try:
    exec(compile(_flowsteer_src, '<solution>', 'exec', dont_inherit=True), _flowsteer_main.__dict__)
except SystemExit:
    raise
except BaseException as _flowsteer_exc:
    _flowsteer_report(_flowsteer_exc, _flowsteer_src, _flowsteer_main)
    sys.exit(1)
`;
