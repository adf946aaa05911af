import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.ts';
import { createMemoryPubSub } from './memoryPubSub.ts';

describe('createMemoryPubSub', () => {
  it('delivers messages published after subscribe, in order, only to subscribers of the topic', async () => {
    const pubSub = createMemoryPubSub();
    await pubSub.publish('a', 0);
    const a = pubSub.subscribe<number>('a');
    const b = pubSub.subscribe<number>('b');
    await pubSub.publish('a', 1);
    await pubSub.publish('b', 10);
    await pubSub.publish('a', 2);
    expect(await a.next()).toEqual({ value: 1, done: false });
    expect(await a.next()).toEqual({ value: 2, done: false });
    expect(await b.next()).toEqual({ value: 10, done: false });
  });

  it('resolves a pending next() when a message arrives', async () => {
    const pubSub = createMemoryPubSub();
    const iterator = pubSub.subscribe<string>('t');
    const pending = iterator.next();
    await pubSub.publish('t', 'hello');
    expect(await pending).toEqual({ value: 'hello', done: false });
  });

  it('does not block the publisher or other subscribers when one subscriber never reads', async () => {
    const pubSub = createMemoryPubSub({ bufferSize: 4 });
    const slow = pubSub.subscribe<number>('t');
    const fast = pubSub.subscribe<number>('t');
    const received: number[] = [];
    for (let i = 1; i <= 10; i += 1) {
      await pubSub.publish('t', i);
      received.push((await fast.next()).value as number);
    }
    expect(received).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // The slow one overflowed: it drains what it buffered, then fails with CONFLICT instead of skipping events.
    const drained: number[] = [];
    let failure: unknown;
    try {
      for (;;) {
        const result = await slow.next();
        if (result.done) break;
        drained.push(result.value);
      }
    } catch (error) {
      failure = error;
    }
    expect(drained).toEqual([1, 2, 3, 4]);
    expect(isAppError(failure, 'CONFLICT')).toBe(true);
    expect(String((failure as Error).message)).toMatch(/fell behind.*since/);
  });

  it('ends the iterator when the AbortSignal aborts, including a pending next()', async () => {
    const pubSub = createMemoryPubSub();
    const controller = new AbortController();
    const iterator = pubSub.subscribe('t', controller.signal);
    const pending = iterator.next();
    controller.abort();
    expect(await pending).toEqual({ value: undefined, done: true });
    await pubSub.publish('t', 1);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('returns an ended iterator for an already aborted signal', async () => {
    const pubSub = createMemoryPubSub();
    const iterator = pubSub.subscribe('t', AbortSignal.abort());
    await pubSub.publish('t', 1);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('ends every iterator on close() and refuses new subscriptions', async () => {
    const pubSub = createMemoryPubSub();
    const first = pubSub.subscribe('a');
    const second = pubSub.subscribe('b');
    const pending = first.next();
    await pubSub.close();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(await second.next()).toEqual({ value: undefined, done: true });
    expect(() => pubSub.subscribe('a')).toThrow(/closed/);
  });

  it('stops delivering after return()', async () => {
    const pubSub = createMemoryPubSub();
    const iterator = pubSub.subscribe<number>('t');
    await iterator.return?.();
    await pubSub.publish('t', 1);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('rejects a buffer size below 1 with expected vs got', () => {
    expect(() => createMemoryPubSub({ bufferSize: 0 })).toThrow(/expected an integer >= 1, got 0/);
  });
});
