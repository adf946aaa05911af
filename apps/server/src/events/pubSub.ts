/**
 * The pub/sub seam between producers (jobs, mutations) and subscriptions. One in-process implementation exists
 * (`memoryPubSub.ts`); a Redis or Postgres LISTEN/NOTIFY implementation can replace it for multi-instance fan-out
 * because nothing else depends on how messages travel.
 *
 * Payloads must be JSON-serialisable plain data: a networked implementation will serialise them.
 * @public
 */

/**
 * Topic-based publish/subscribe.
 *
 * Guarantees every implementation must keep:
 * - a subscriber receives, in publish order, every message published on its topic after `subscribe` returned
 *   (unless it overflows, see the implementation);
 * - `subscribe` is registered synchronously, so "subscribe, then read the database" leaves no gap
 *   (see `replay.ts`);
 * - aborting `signal`, calling `return()` on the iterator, or `close()` ends the iteration.
 * @public
 */
export interface PubSub {
  /** Delivers `payload` to the current subscribers of `topic`; resolves once it is handed over, never blocks on slow readers. */
  publish(topic: string, payload: unknown): Promise<void>;
  /** Starts receiving messages of `topic` now. */
  subscribe<T>(topic: string, signal?: AbortSignal): AsyncIterableIterator<T>;
  /** Ends every open iterator and refuses new subscriptions. */
  close(): Promise<void>;
}

/** Topic of an episode's event stream (`EpisodeEvent`, seq = step; the final result has seq = last step + 1). @public */
export function episodeTopic(episodeId: string): string {
  return `episode:${episodeId}`;
}

/** Topic of a training run's progress stream (`RunProgressEvent`, seq = iteration). @public */
export function runTopic(runId: string): string {
  return `run:${runId}`;
}

/** Topic of experiment changes (created, status changed). @public */
export const EXPERIMENTS_TOPIC = 'experiments';

/** Topic on which revoking API token `tokenId` is announced, so open subscriptions using it end. @public */
export function tokenTopic(tokenId: string): string {
  return `token:${tokenId}`;
}

/** Payload published on {@link EXPERIMENTS_TOPIC}. @public */
export interface ExperimentUpdatedEvent {
  readonly experimentId: string;
  /** What changed: `created`, `status` (a run started, paused, finished …) or `updated`. */
  readonly change: 'created' | 'status' | 'updated';
}

/** Payload published on {@link tokenTopic}. @public */
export interface TokenRevokedEvent {
  readonly tokenId: string;
}
