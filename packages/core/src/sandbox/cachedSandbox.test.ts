import { describe, expect, it } from 'vitest';
import { CoreError, isCoreError } from '../errors.ts';
import { createCachedSandbox } from './cachedSandbox.ts';
import { createPythonSandbox } from './pythonSandbox.ts';
import type { CodeSandbox, SandboxResult, SandboxRunOptions } from './types.ts';

function resultFor(code: string, overrides: Partial<SandboxResult> = {}): SandboxResult {
  return {
    ok: true,
    exitCode: 0,
    signal: null,
    stdout: `ran ${code}\n`,
    stderr: '',
    timedOut: false,
    memoryExceeded: false,
    outputTruncated: false,
    durationMs: 5,
    cached: false,
    ...overrides,
  };
}

/** An inner sandbox whose runs finish only when the test releases them. */
function controllableSandbox() {
  const calls: Array<{ code: string; options: SandboxRunOptions; finish: (result?: Partial<SandboxResult>) => void; fail: (error: unknown) => void }> = [];
  const sandbox: CodeSandbox = {
    runPython: (code, options = {}) =>
      new Promise<SandboxResult>((resolve, reject) => {
        options.signal?.addEventListener('abort', () => reject(new CoreError('ABORTED', 'aborted')), { once: true });
        calls.push({ code, options, finish: (overrides) => resolve(resultFor(code, overrides)), fail: reject });
      }),
  };
  return { sandbox, calls };
}

/** An inner sandbox that answers at once and counts calls. */
function countingSandbox(overrides: (code: string) => Partial<SandboxResult> = () => ({})) {
  const codes: string[] = [];
  const sandbox: CodeSandbox = {
    runPython: (code) => {
      codes.push(code);
      return Promise.resolve(resultFor(code, overrides(code)));
    },
  };
  return { sandbox, codes };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('createCachedSandbox', () => {
  it('serves a repeated real run from the cache', async () => {
    const cached = createCachedSandbox(createPythonSandbox());
    const first = await cached.runPython('print(sum(range(10)))');
    const second = await cached.runPython('print(sum(range(10)))');
    expect(first.cached).toBe(false);
    expect(second).toEqual({ ...first, cached: true });
    expect(second.stdout).toBe('45\n');
    expect(cached.stats()).toEqual({ hits: 1, misses: 1 });
  });

  it('shares one real process between concurrent identical runs', async () => {
    const cached = createCachedSandbox(createPythonSandbox());
    const code = 'import os\nprint(os.readlink("/proc/self"))';
    const [a, b, c] = await Promise.all([cached.runPython(code), cached.runPython(code), cached.runPython(code)]);
    expect(a.stdout).toBe(b.stdout); // the same pid: one process served all three
    expect(b.stdout).toBe(c.stdout);
    expect([a.cached, b.cached, c.cached]).toEqual([false, true, true]);
    expect(cached.stats()).toEqual({ hits: 2, misses: 1 });
  });

  it('keys on stdin and limits as well as code', async () => {
    const { sandbox, codes } = countingSandbox();
    const cached = createCachedSandbox(sandbox);
    await cached.runPython('x');
    await cached.runPython('x', { stdin: 'input' });
    await cached.runPython('x', { timeoutMs: 500 });
    await cached.runPython('x', { memoryMb: 64 });
    await cached.runPython('x', { outputBytes: 10 });
    await cached.runPython('x', { timeoutMs: 500 });
    expect(codes).toHaveLength(5);
    expect(cached.stats()).toEqual({ hits: 1, misses: 5 });
  });

  it('evicts the least recently used entry past maxEntries', async () => {
    const { sandbox, codes } = countingSandbox();
    const cached = createCachedSandbox(sandbox, { maxEntries: 2 });
    await cached.runPython('a');
    await cached.runPython('b');
    await cached.runPython('a'); // hit: a becomes most recent
    await cached.runPython('c'); // evicts b
    expect((await cached.runPython('a')).cached).toBe(true);
    expect((await cached.runPython('b')).cached).toBe(false);
    expect(codes).toEqual(['a', 'b', 'c', 'b']);
  });

  it('does not cache timed-out runs', async () => {
    const { sandbox, codes } = countingSandbox(() => ({ ok: false, timedOut: true }));
    const cached = createCachedSandbox(sandbox);
    await cached.runPython('slow');
    await cached.runPython('slow');
    expect(codes).toEqual(['slow', 'slow']);
  });

  it('does not cache a thrown error', async () => {
    const { sandbox, calls } = controllableSandbox();
    const cached = createCachedSandbox(sandbox);
    const first = cached.runPython('p');
    await tick();
    calls[0]?.fail(new CoreError('SANDBOX_UNAVAILABLE', 'no python'));
    expect(isCoreError(await first.catch((error: unknown) => error), 'SANDBOX_UNAVAILABLE')).toBe(true);
    const second = cached.runPython('p');
    await tick();
    calls[1]?.finish();
    expect((await second).stdout).toBe('ran p\n');
    expect(calls).toHaveLength(2);
  });

  it('keeps a shared run going when only one of its callers aborts', async () => {
    const { sandbox, calls } = controllableSandbox();
    const cached = createCachedSandbox(sandbox);
    const controller = new AbortController();
    const leaving = cached.runPython('shared', { signal: controller.signal });
    const staying = cached.runPython('shared');
    await tick();
    controller.abort();
    expect(isCoreError(await leaving.catch((error: unknown) => error), 'ABORTED')).toBe(true);
    expect(calls[0]?.options.signal?.aborted).toBe(false);
    calls[0]?.finish();
    expect((await staying).stdout).toBe('ran shared\n');
  });

  it('aborts the shared run once every caller has aborted, and starts afresh for the next caller', async () => {
    const { sandbox, calls } = controllableSandbox();
    const cached = createCachedSandbox(sandbox);
    const one = new AbortController();
    const two = new AbortController();
    const first = cached.runPython('shared', { signal: one.signal });
    const second = cached.runPython('shared', { signal: two.signal });
    await tick();
    one.abort();
    two.abort();
    await Promise.allSettled([first, second]);
    expect(calls[0]?.options.signal?.aborted).toBe(true);
    const third = cached.runPython('shared');
    await tick();
    expect(calls).toHaveLength(2);
    calls[1]?.finish();
    expect((await third).cached).toBe(false);
  });

  it('rejects a non-positive maxEntries', () => {
    expect(() => createCachedSandbox(countingSandbox().sandbox, { maxEntries: 0 })).toThrow(/maxEntries/);
  });
});
