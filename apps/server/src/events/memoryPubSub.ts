/**
 * In-process {@link PubSub}: one process, no network, no serialisation. Each subscriber has its own bounded
 * buffer, so a slow subscriber never blocks publishers or the other subscribers.
 * @public
 */
import { AppError } from '../errors.ts';
import type { PubSub } from './pubSub.ts';

/** Options of {@link createMemoryPubSub}. @public */
export interface MemoryPubSubOptions {
  /**
   * Most undelivered messages one subscriber may hold. Past it, the subscriber overflows: it receives what is
   * already buffered, then its iterator throws CONFLICT ("fell behind … resubscribe with since"). Dropping
   * messages silently instead would leave a gap that replay promises never happens.
   * @default 1024
   */
  readonly bufferSize?: number;
}

const DEFAULT_BUFFER_SIZE = 1024;

/**
 * Creates the in-process pub/sub. `publish` copies the payload reference into every subscriber's buffer and
 * resolves at once; delivery happens when each subscriber pulls.
 * @public
 */
export function createMemoryPubSub(options: MemoryPubSubOptions = {}): PubSub {
  const bufferSize = options.bufferSize ?? DEFAULT_BUFFER_SIZE;
  if (!Number.isInteger(bufferSize) || bufferSize < 1) {
    throw new AppError('BAD_USER_INPUT', `bufferSize: expected an integer >= 1, got ${String(bufferSize)}`);
  }
  const topics = new Map<string, Set<Subscriber>>();
  let closed = false;

  const remove = (topic: string, subscriber: Subscriber): void => {
    const set = topics.get(topic);
    if (!set) return;
    set.delete(subscriber);
    if (set.size === 0) topics.delete(topic);
  };

  return {
    async publish(topic, payload) {
      if (closed) return;
      const set = topics.get(topic);
      if (!set) return;
      for (const subscriber of set) subscriber.push(payload);
    },
    subscribe<T>(topic: string, signal?: AbortSignal): AsyncIterableIterator<T> {
      if (closed) throw new AppError('INTERNAL', `cannot subscribe to "${topic}": the pub/sub is closed`);
      const subscriber = new Subscriber(topic, bufferSize, () => remove(topic, subscriber));
      if (signal?.aborted) {
        subscriber.end();
      } else {
        let set = topics.get(topic);
        if (!set) topics.set(topic, (set = new Set()));
        set.add(subscriber);
        signal?.addEventListener('abort', () => subscriber.end(), { once: true });
      }
      return subscriber as unknown as AsyncIterableIterator<T>;
    },
    async close() {
      closed = true;
      const all = [...topics.values()].flatMap((set) => [...set]);
      topics.clear();
      for (const subscriber of all) subscriber.end();
    },
  };
}

/** One subscription: a bounded FIFO plus at most one pending `next()`. */
class Subscriber implements AsyncIterableIterator<unknown> {
  private buffer: unknown[] = [];
  private head = 0;
  private waiting: ((result: IteratorResult<unknown>) => void) | undefined;
  private finished = false;
  private overflowed = false;

  constructor(
    private readonly topic: string,
    private readonly bufferSize: number,
    private readonly detach: () => void,
  ) {}

  push(value: unknown): void {
    if (this.finished || this.overflowed) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.clearWaiting();
      resolve({ value, done: false });
      return;
    }
    if (this.buffer.length - this.head >= this.bufferSize) {
      // Overflow: stop listening now so memory stays bounded; the buffered messages still drain.
      this.overflowed = true;
      this.detach();
      return;
    }
    this.buffer.push(value);
  }

  /** Ends the iteration: a pending `next()` resolves done, buffered messages are dropped. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.buffer = [];
    this.head = 0;
    this.detach();
    const resolve = this.waiting;
    this.clearWaiting();
    resolve?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.head < this.buffer.length) {
      const value = this.buffer[this.head];
      this.buffer[this.head] = undefined;
      this.head += 1;
      // Compact occasionally so a long-lived subscriber does not keep a growing array of holes.
      if (this.head > 256 && this.head * 2 > this.buffer.length) {
        this.buffer = this.buffer.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    if (this.overflowed) {
      this.end();
      return Promise.reject(
        new AppError(
          'CONFLICT',
          `subscriber fell behind on "${this.topic}": expected at most ${this.bufferSize} undelivered events, got more; ` +
            'resubscribe with since set to the last seq received',
        ),
      );
    }
    if (this.waiting) {
      return Promise.reject(new AppError('INTERNAL', 'next() called while a previous next() is still pending'));
    }
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<unknown>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private clearWaiting(): void {
    this.waiting = undefined;
  }
}
