import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryPubSub } from './memoryPubSub.ts';
import { replayStream, type SequencedEvent } from './replay.ts';

interface Ev extends SequencedEvent {
  readonly seq: number;
  readonly final?: boolean;
}

/** A stream whose producer stores an event, then publishes it (the jobs layer's order). */
function createStream() {
  const pubSub = createMemoryPubSub();
  const rows: Ev[] = [];
  return {
    pubSub,
    rows,
    async produce(event: Ev): Promise<void> {
      rows.push(event);
      await pubSub.publish('s', event);
    },
    snapshot(since: number): Ev[] {
      return rows.filter((row) => row.seq > since);
    },
  };
}

async function collect(iterator: AsyncIterableIterator<Ev>, limit = 1_000): Promise<number[]> {
  const seqs: number[] = [];
  for await (const event of iterator) {
    seqs.push(event.seq);
    if (seqs.length >= limit) break;
  }
  return seqs;
}

describe('replayStream', () => {
  it('delivers stored events after since, then live ones, ending after the final event', async () => {
    const stream = createStream();
    for (const seq of [1, 2, 3]) await stream.produce({ seq });
    const iterator = replayStream<Ev>({
      live: stream.pubSub.subscribe<Ev>('s'),
      stored: async (since) => stream.snapshot(since),
      since: 1,
      isFinal: (event) => event.final === true,
    });
    const done = collect(iterator);
    await new Promise((resolve) => setTimeout(resolve, 0));
    await stream.produce({ seq: 4 });
    await stream.produce({ seq: 5, final: true });
    await stream.produce({ seq: 6 });
    expect(await done).toEqual([2, 3, 4, 5]);
  });

  it('has no gap and no duplicate when events are published while the stored read is in flight', async () => {
    const stream = createStream();
    await stream.produce({ seq: 1 });
    let releaseRead!: () => void;
    const readGate = new Promise<void>((resolve) => (releaseRead = resolve));
    const iterator = replayStream<Ev>({
      live: stream.pubSub.subscribe<Ev>('s'),
      stored: async (since) => {
        // The snapshot is taken after event 2 was written but before 3 and 4 were: 2 arrives twice (stored + live).
        await stream.produce({ seq: 2 });
        const snapshot = stream.snapshot(since);
        await readGate;
        return snapshot;
      },
      since: 0,
      isFinal: (event) => event.final === true,
    });
    const done = collect(iterator);
    await new Promise((resolve) => setTimeout(resolve, 0));
    await stream.produce({ seq: 3 });
    await stream.produce({ seq: 4, final: true });
    releaseRead();
    expect(await done).toEqual([1, 2, 3, 4]);
  });

  it('yields every event exactly once in order for any interleaving of produce, snapshot and since', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 12 }),
        async (total, subscribeAfterRaw, snapshotAfterRaw, sinceRaw) => {
          const subscribeAfter = Math.min(subscribeAfterRaw, total);
          const snapshotAfter = Math.min(Math.max(snapshotAfterRaw, subscribeAfter), total);
          const since = Math.min(sinceRaw, subscribeAfter);
          const stream = createStream();
          for (let seq = 1; seq <= subscribeAfter; seq += 1) await stream.produce({ seq, final: seq === total });
          let releaseRead!: () => void;
          const readGate = new Promise<void>((resolve) => (releaseRead = resolve));
          let snapshotTaken!: () => void;
          const snapshotReady = new Promise<void>((resolve) => (snapshotTaken = resolve));
          const iterator = replayStream<Ev>({
            live: stream.pubSub.subscribe<Ev>('s'),
            stored: async () => {
              for (let seq = subscribeAfter + 1; seq <= snapshotAfter; seq += 1) await stream.produce({ seq, final: seq === total });
              const snapshot = [...stream.rows]; // may include seq <= since: replay skips those
              snapshotTaken();
              await readGate;
              return snapshot;
            },
            since,
            isFinal: (event) => event.final === true,
          });
          const done = collect(iterator);
          await snapshotReady;
          for (let seq = snapshotAfter + 1; seq <= total; seq += 1) await stream.produce({ seq, final: seq === total });
          releaseRead();
          const expected = Array.from({ length: total - since }, (_, i) => since + i + 1);
          expect(await done).toEqual(expected);
        },
      ),
      { numRuns: 200, seed: 42 },
    );
  });

  it('passes unsequenced events through without consuming a seq', async () => {
    const pubSub = createMemoryPubSub();
    const iterator = replayStream<SequencedEvent & { name: string }>({
      live: pubSub.subscribe('s'),
      stored: async () => [{ seq: 1, name: 'a' }],
      since: 0,
      isFinal: (event) => event.name === 'end',
    });
    const names: string[] = [];
    const done = (async () => {
      for await (const event of iterator) names.push(event.name);
    })();
    await new Promise((resolve) => setTimeout(resolve, 0));
    await pubSub.publish('s', { name: 'paused' });
    await pubSub.publish('s', { seq: 1, name: 'dup' });
    await pubSub.publish('s', { seq: 2, name: 'b' });
    await pubSub.publish('s', { name: 'end' });
    await done;
    expect(names).toEqual(['a', 'paused', 'b', 'end']);
  });

  it('ends the live subscription when the consumer returns while waiting for an event', async () => {
    const pubSub = createMemoryPubSub();
    let liveEnded = false;
    const live = pubSub.subscribe<Ev>('s');
    const originalReturn = live.return?.bind(live);
    live.return = async (value?: unknown) => {
      liveEnded = true;
      return originalReturn ? originalReturn(value) : { value: undefined, done: true };
    };
    const iterator = replayStream<Ev>({ live, stored: async () => [], since: 0 });
    const pending = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 0));
    await iterator.return?.();
    expect(liveEnded).toBe(true);
    expect(await pending).toEqual({ value: undefined, done: true });
  });

  it('completes at once for a subscriber that already has the final event', async () => {
    const pubSub = createMemoryPubSub();
    const iterator = replayStream<Ev>({
      live: pubSub.subscribe<Ev>('s'),
      stored: async () => [{ seq: 1 }, { seq: 2, final: true }],
      since: 2,
      isFinal: (event) => event.final === true,
    });
    expect(await collect(iterator)).toEqual([]);
  });

  it('stops without reading live events when the stored read already holds the final event', async () => {
    const pubSub = createMemoryPubSub();
    const iterator = replayStream<Ev>({
      live: pubSub.subscribe<Ev>('s'),
      stored: async () => [{ seq: 1 }, { seq: 2, final: true }],
      since: 0,
      isFinal: (event) => event.final === true,
    });
    expect(await collect(iterator)).toEqual([1, 2]);
  });
});
