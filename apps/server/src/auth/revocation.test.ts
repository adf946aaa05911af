import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.ts';
import { createMemoryPubSub } from '../events/memoryPubSub.ts';
import { endOnRevocation } from './revocation.ts';

describe('endOnRevocation', () => {
  it('forwards events until a revocation arrives, then fails with UNAUTHENTICATED and ends both subscriptions', async () => {
    const pubSub = createMemoryPubSub();
    const guarded = endOnRevocation(pubSub.subscribe<number>('data'), { revocations: pubSub.subscribe('token:1'), stillValid: async () => true });
    await pubSub.publish('data', 1);
    expect(await guarded.next()).toEqual({ value: 1, done: false });
    const pending = guarded.next();
    await pubSub.publish('token:1', { tokenId: '1' });
    const error = await pending.then(() => undefined, (e: unknown) => e);
    expect(isAppError(error, 'UNAUTHENTICATED')).toBe(true);
    expect(await guarded.next()).toEqual({ value: undefined, done: true });
  });

  it('fails at the first pull when the token was revoked before listening started', async () => {
    const pubSub = createMemoryPubSub();
    const guarded = endOnRevocation(pubSub.subscribe<number>('data'), { revocations: pubSub.subscribe('token:1'), stillValid: async () => false });
    await pubSub.publish('data', 1);
    const error = await guarded.next().then(() => undefined, (e: unknown) => e);
    expect(isAppError(error, 'UNAUTHENTICATED')).toBe(true);
  });

  it('ends the source when the consumer returns', async () => {
    const pubSub = createMemoryPubSub();
    const source = pubSub.subscribe<number>('data');
    const guarded = endOnRevocation(source, { revocations: pubSub.subscribe('token:1'), stillValid: async () => true });
    await guarded.return?.();
    await pubSub.publish('data', 1);
    expect(await source.next()).toEqual({ value: undefined, done: true });
  });
});
