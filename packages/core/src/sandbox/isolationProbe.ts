/**
 * Finds the interpreter and the strongest isolation mode this machine allows (unshare namespaces, setpriv
 * to nobody, capabilities), by running a trivial program in each candidate mode. The answer is cached per
 * interpreter for the life of the process.
 * @internal
 */
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { CoreError } from '../errors.ts';
import { INTERPRETER_FLAGS, sandboxEnv } from './pythonPreamble.ts';
import { runProcess } from './processRunner.ts';

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

/** The probed isolation mode plus what a run needs to set up its directory for it. @internal */
export interface SandboxRuntime {
  readonly isolation: SandboxIsolation;
  /** Uid/gid that must own the run directory, or null to leave it to the current user. */
  readonly owner: number | null;
}

interface Candidate {
  readonly wrapper: string[];
  readonly owner: number | null;
  readonly isolation: Omit<SandboxIsolation, 'interpreter' | 'wrapper'>;
}

const NOBODY = 65_534;

const runtimes = new Map<string, Promise<SandboxRuntime>>();

/**
 * Resolves `python` and probes the isolation modes, once per interpreter name per process; concurrent
 * callers share one probe. Rejects with `SANDBOX_UNAVAILABLE` when no Python 3 runs in any mode, and
 * forgets that failure so a later call probes again.
 * @internal
 */
export function probeIsolation(python: string): Promise<SandboxRuntime> {
  let runtime = runtimes.get(python);
  if (!runtime) {
    runtime = detectRuntime(python);
    runtimes.set(python, runtime);
    // A missing interpreter may be installed later; don't pin the failure.
    runtime.catch(() => runtimes.delete(python));
  }
  return runtime;
}

async function detectRuntime(python: string): Promise<SandboxRuntime> {
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
    const raw = await runProcess(argv, { cwd: dir, env: sandboxEnv(dir), limits: { timeoutMs: 15_000, outputBytes: 4096 } });
    return raw.exitCode === 0 && raw.stdout.trim() === prefix;
  } catch {
    return false;
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
