/**
 * Plumbing shared by the subscription fields: authentication plus revocation, and iterator helpers whose
 * `return()` takes effect at once (graphql-ws calls it when a client unsubscribes; an async generator would
 * defer it until its next event, keeping the pub/sub subscription alive for streams that have gone quiet).
 * @public
 */
import { endOnRevocation } from '../auth/revocation.ts';
import { requireViewer } from '../auth/viewer.ts';
import { isTokenActive } from '../db/repositories/index.ts';
import { tokenTopic } from '../events/pubSub.ts';
import type { GraphqlContext } from './context.ts';

/**
 * Authenticates a subscription and returns a wrapper that ends it with UNAUTHENTICATED when the caller's token
 * is revoked. Call it BEFORE subscribing the source, so an unauthenticated caller never opens a subscription.
 * @public
 */
export function authorizeSubscription(ctx: GraphqlContext): <T>(source: AsyncIterator<T>) => AsyncIterableIterator<T> {
  const viewer = requireViewer(ctx);
  return (source) =>
    endOnRevocation(source, {
      revocations: ctx.pubSub.subscribe(tokenTopic(viewer.tokenId)),
      stillValid: () => isTokenActive(ctx.db, viewer.tokenId),
    });
}

/** Only the values of `source` that satisfy `keep`. @public */
export function filterIterator<T>(source: AsyncIterator<T>, keep: (value: T) => boolean): AsyncIterableIterator<T> {
  return {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done || keep(result.value)) return result;
      }
    },
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
