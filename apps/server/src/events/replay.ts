/**
 * Gap-free, duplicate-free streams for late subscribers: "subscribe to live events first, then read what is
 * stored since X, then continue with live events, skipping every seq already sent".
 *
 * Why this order: an event published between reading the database and subscribing would be lost. Subscribing
 * first means such an event is buffered by the live subscription, and it is either already in the stored read
 * (then skipped by seq) or delivered after it.
 * @public
 */

/** Anything with an optional per-stream sequence number. Events without `seq` are unsequenced. @public */
export interface SequencedEvent {
  readonly seq?: number;
}

/** Options of {@link replayStream}. @public */
export interface ReplayOptions<E extends SequencedEvent> {
  /**
   * Live events, ALREADY subscribed (e.g. `pubSub.subscribe(topic)` called before `replayStream`). A lazy
   * iterable is started before the stored read, but subscribing eagerly is what guarantees no gap.
   */
  readonly live: AsyncIterable<E>;
  /**
   * Stored events in ascending seq order; those with seq <= `since` may be included (they are skipped). Include
   * the final event whenever the stream has ended, so a subscriber that already had it still gets completion.
   */
  readonly stored: (since: number) => Promise<readonly E[]>;
  /** Last seq the subscriber already has; 0 for everything. */
  readonly since: number;
  /** True for the event after which the stream ends (an episode's result, a run's terminal status). */
  readonly isFinal?: (event: E) => boolean;
}

/**
 * Yields stored events after `since`, then live ones, each sequenced event at most once and in seq order; the
 * stream ends after the final event (delivered, or skipped because the subscriber already had it), when `live`
 * ends, or when the consumer calls `return()`.
 *
 * Unsequenced events (no `seq`, e.g. a run's pause) are passed through in arrival order. `return()` ends the
 * live subscription at once, even while waiting for the next live event (a plain async generator would wait
 * for that event, leaking the subscription of a stream that never publishes again).
 * @public
 */
export function replayStream<E extends SequencedEvent>(options: ReplayOptions<E>): AsyncIterableIterator<E> {
  const liveIterator = options.live[Symbol.asyncIterator]();
  const generator = run(options, liveIterator);
  return {
    next: () => generator.next(),
    async return() {
      await liveIterator.return?.();
      return generator.return(undefined);
    },
    async throw(error: unknown) {
      await liveIterator.return?.();
      return generator.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

async function* run<E extends SequencedEvent>(options: ReplayOptions<E>, live: AsyncIterator<E>): AsyncGenerator<E, void> {
  const isFinal = options.isFinal ?? (() => false);
  let lastSeq = options.since;
  const accept = (event: E): boolean => {
    if (typeof event.seq !== 'number') return true;
    if (event.seq <= lastSeq) return false;
    lastSeq = event.seq;
    return true;
  };
  // Pull once before the stored read: starts a lazy live iterable and keeps its first event.
  let pending: Promise<IteratorResult<E>> | undefined = live.next();
  try {
    for (const event of await options.stored(options.since)) {
      if (accept(event)) yield event;
      // A final event ends the stream even when the subscriber already had it (skipped as a duplicate).
      if (isFinal(event)) return;
    }
    while (pending) {
      const result: IteratorResult<E> = await pending;
      if (result.done) return;
      pending = undefined;
      const event = result.value;
      if (accept(event)) yield event;
      if (isFinal(event)) return;
      pending = live.next();
    }
  } finally {
    // A pending live.next() is settled by return(): the subscription must not outlive the stream.
    pending?.catch(() => undefined);
    await live.return?.();
  }
}
