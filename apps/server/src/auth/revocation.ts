/**
 * Ends open subscriptions when the API token they were opened with is revoked. A long-lived WebSocket would
 * otherwise keep streaming to a caller whose access was withdrawn.
 *
 * Mechanism: `revokeApiToken` publishes on `token:<id>` (see `tokenTopic`); every guarded subscription listens
 * on its token's topic and fails with UNAUTHENTICATED as soon as that event arrives, and before each event it
 * forwards (so an event already buffered is not delivered after the revocation). The first pull also re-reads
 * the token from the database, closing the window between authenticating and listening on the topic.
 * @public
 */
import { AppError } from '../errors.ts';

/** Options of {@link endOnRevocation}. @public */
export interface RevocationGuardOptions {
  /** Revocation notices for the token, ALREADY subscribed (e.g. `pubSub.subscribe(tokenTopic(id))`). */
  readonly revocations: AsyncIterator<unknown>;
  /** Re-checks the token at the first pull (e.g. `isTokenActive(db, tokenId)`). */
  readonly stillValid: () => Promise<boolean>;
}

/**
 * Wraps a subscription's source so it throws UNAUTHENTICATED once the token is revoked, ending both the source
 * and the revocation listener; `return()` ends both too.
 * @public
 */
export function endOnRevocation<T>(source: AsyncIterator<T>, options: RevocationGuardOptions): AsyncIterableIterator<T> {
  let revoked = false;
  let ended = false;
  let checked = false;
  let wake: (() => void) | undefined;
  const revokedSignal = new Promise<'revoked'>((resolve) => {
    wake = () => resolve('revoked');
  });

  // One pull is enough: any message on the token topic means "revoked".
  options.revocations.next().then(
    (result) => {
      if (!result.done) {
        revoked = true;
        wake?.();
      }
    },
    () => undefined,
  );

  const finish = async (): Promise<void> => {
    if (ended) return;
    ended = true;
    await Promise.allSettled([source.return?.(), options.revocations.return?.()]);
  };
  const revokedError = async (): Promise<never> => {
    await finish();
    throw new AppError('UNAUTHENTICATED', 'the API token of this subscription was revoked; expected a valid token, got a revoked one');
  };

  return {
    async next(): Promise<IteratorResult<T>> {
      if (ended) return { value: undefined, done: true };
      if (!checked) {
        checked = true;
        if (!(await options.stillValid())) revoked = true;
      }
      if (revoked) return revokedError();
      const pending = source.next();
      const winner = await Promise.race([pending, revokedSignal]);
      if (winner === 'revoked' || revoked) {
        pending.catch(() => undefined);
        return revokedError();
      }
      if (winner.done) await finish();
      return winner;
    },
    async return(): Promise<IteratorResult<T>> {
      await finish();
      return { value: undefined, done: true };
    },
    async throw(error: unknown): Promise<IteratorResult<T>> {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
