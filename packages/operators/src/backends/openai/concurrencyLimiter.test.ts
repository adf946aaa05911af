import { isCoreError } from '@flowsteer/core';
import { describe, expect, it } from 'vitest';
import { createConcurrencyLimiter } from './concurrencyLimiter.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('createConcurrencyLimiter', () => {
  it('runs at most N at once and starts waiters in FIFO order', async () => {
    const limiter = createConcurrencyLimiter(2);
    const started: number[] = [];
    const gates = Array.from({ length: 5 }, () => deferred());
    const runs = gates.map((gate, i) =>
      limiter.run(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(started).toEqual([0, 1]);
    expect(limiter.waiting).toBe(3);
    gates[1]!.resolve();
    await runs[1];
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(started).toEqual([0, 1, 2]);
    for (const gate of gates) gate.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(limiter.active).toBe(0);
  });

  it('drops an aborted waiter without running it; a throwing task frees its slot', async () => {
    const limiter = createConcurrencyLimiter(1);
    const gate = deferred();
    const first = limiter.run(() => gate.promise);
    const controller = new AbortController();
    let ran = false;
    const queued = limiter.run(
      async () => {
        ran = true;
      },
      { signal: controller.signal },
    );
    controller.abort();
    await expect(queued).rejects.toSatisfy((error: unknown) => isCoreError(error, 'ABORTED'));
    gate.resolve();
    await first;
    await expect(limiter.run(() => Promise.reject(new Error('task failed')))).rejects.toThrow('task failed');
    expect(await limiter.run(async () => 'next')).toBe('next');
    expect(ran).toBe(false);
  });

  it('rejects a limit that is not a positive integer', () => {
    expect(() => createConcurrencyLimiter(0)).toThrow(/expected concurrency to be a positive integer, got 0/);
  });
});
