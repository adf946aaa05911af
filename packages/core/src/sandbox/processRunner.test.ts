import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isCoreError } from '../errors.ts';
import { runProcess, type ProcessRunOptions } from './processRunner.ts';

const base: ProcessRunOptions = { cwd: tmpdir(), env: { PATH: '/usr/bin:/bin' }, limits: { timeoutMs: 5000, outputBytes: 1024 } };
const sh = (script: string): string[] => ['/bin/sh', '-c', script];

/** A zombie still answers kill(pid, 0); only a live process counts. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('runProcess', () => {
  it('passes stdin through and reports the exit code', async () => {
    const raw = await runProcess(sh('cat; exit 4'), { ...base, stdin: 'hello' });
    expect(raw).toMatchObject({ stdout: 'hello', exitCode: 4, killedBy: null, outputTruncated: false });
  });

  it('runs with exactly the given environment', async () => {
    const raw = await runProcess(['/usr/bin/env'], { ...base, env: { ONLY: 'this' } });
    expect(raw.stdout).toBe('ONLY=this\n');
  });

  it('keeps the first outputBytes and lets a finite program finish', async () => {
    const raw = await runProcess(sh('head -c 5000 /dev/zero | tr "\\0" x'), { ...base, limits: { timeoutMs: 5000, outputBytes: 100 } });
    expect(raw.stdout).toBe('x'.repeat(100));
    expect(raw).toMatchObject({ outputTruncated: true, killedBy: null, exitCode: 0 });
  });

  it('kills a program that floods its output', async () => {
    const raw = await runProcess(['/usr/bin/yes'], { ...base, limits: { timeoutMs: 10_000, outputBytes: 10 } });
    expect(raw.killedBy).toBe('output');
    expect(raw.stdout).toBe('y\ny\ny\ny\ny\n');
  });

  it('kills the whole process group on timeout', async () => {
    const raw = await runProcess(sh('sleep 30 & echo $!; wait'), { ...base, limits: { timeoutMs: 300, outputBytes: 1024 } });
    expect(raw.killedBy).toBe('timeout');
    // No assertion on the shell's own exit: the runner SIGKILLs the children first, and a bare `wait` then returns 0
    // and the shell may exit normally before the group kill lands. What matters is the deadline and the dead child.
    expect(raw.durationMs).toBeLessThan(5000);
    expect(isAlive(Number(raw.stdout.trim()))).toBe(false);
  });

  it('kills the program when the signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const raw = await runProcess(sh('sleep 30'), { ...base, signal: controller.signal });
    expect(raw.killedBy).toBe('abort');
  });

  it('rejects with SANDBOX_UNAVAILABLE when the command cannot start', async () => {
    const error: unknown = await runProcess(['/nonexistent/flowsteer-python'], base).catch((e: unknown) => e);
    expect(isCoreError(error, 'SANDBOX_UNAVAILABLE')).toBe(true);
  });
});
