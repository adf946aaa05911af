/**
 * At most N tasks at once, the rest waiting in FIFO order. A waiting task whose signal aborts leaves the
 * queue at once (its promise rejects with the abort error) without taking a slot; a running task keeps its
 * slot until its promise settles, so a task must itself end promptly on abort.
 * @public
 */
import { CoreError } from '@flowsteer/core';

/** A FIFO concurrency limiter. */
export interface ConcurrencyLimiter {
  /** Runs `task` once a slot is free; rejects with `onAbort()` if `signal` aborts while it waits. */
  run<T>(task: () => Promise<T>, options?: { signal?: AbortSignal | undefined; onAbort?: () => Error }): Promise<T>;
  /** Tasks running now. */
  readonly active: number;
  /** Tasks waiting for a slot. */
  readonly waiting: number;
}

interface Waiter {
  start(): void;
}

/** Creates a limiter with `limit` slots (a positive integer). */
export function createConcurrencyLimiter(limit: number): ConcurrencyLimiter {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new CoreError('CONFIG_INVALID', `[operators] expected concurrency to be a positive integer, got ${String(limit)}`);
  }
  let active = 0;
  const queue: Waiter[] = [];

  const release = (): void => {
    active -= 1;
    const next = queue.shift();
    if (next) next.start();
  };

  return {
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
    run<T>(task: () => Promise<T>, options: { signal?: AbortSignal | undefined; onAbort?: () => Error } = {}): Promise<T> {
      const { signal } = options;
      const abortError = (): Error => options.onAbort?.() ?? new CoreError('ABORTED', '[operators] request aborted while waiting for a slot');
      if (signal?.aborted) return Promise.reject(abortError());
      return new Promise<T>((resolve, reject) => {
        const waiter: Waiter = {
          start() {
            signal?.removeEventListener('abort', onAbort);
            active += 1;
            // A task that throws synchronously still releases its slot.
            Promise.resolve()
              .then(task)
              .then(resolve, reject)
              .finally(release);
          },
        };
        const onAbort = (): void => {
          const at = queue.indexOf(waiter);
          if (at >= 0) {
            queue.splice(at, 1);
            reject(abortError());
          }
        };
        if (active < limit) {
          waiter.start();
        } else {
          signal?.addEventListener('abort', onAbort, { once: true });
          queue.push(waiter);
        }
      });
    },
  };
}
