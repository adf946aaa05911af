import { chatCompletion, createOpenAiBackend, startFakeOpenAiServer, type ResponseCacheEntry } from '@flowsteer/operators';
import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { llmCache } from '../../src/db/schema.ts';
import { createDbResponseCache } from '../../src/llm/dbResponseCache.ts';
import { forEachDatabase } from '../db/databases.ts';

const entry: ResponseCacheEntry = {
  model: 'gpt-4o-mini',
  request: { messages: [{ role: 'user', content: 'What is 2 + 3?' }], params: { temperature: 0, maxTokens: 64 } },
  text: '5',
  usage: { promptTokens: 12, completionTokens: 1 },
  latencyMs: 321,
  finishReason: 'stop',
};

forEachDatabase('dbResponseCache', (ctx) => {
  it('stores an entry and reads it back, counting hits; the first entry of a key is kept', async () => {
    const cache = createDbResponseCache(ctx.db);
    expect(await cache.get('k1')).toBeUndefined();
    await cache.put('k1', entry);
    await cache.put('k1', { ...entry, text: 'overwritten?' });
    expect(await cache.get('k1')).toEqual(entry);
    expect(await cache.get('k1')).toEqual(entry);
    const [row] = await ctx.db.select().from(llmCache).where(eq(llmCache.key, 'k1'));
    expect(row).toMatchObject({ model: 'gpt-4o-mini', hits: 2, request: entry.request });
  });

  it('reads a row of another shape as a miss', async () => {
    await ctx.db.insert(llmCache).values({ key: 'odd', model: 'm', request: {}, response: { text: 1 } });
    expect(await createDbResponseCache(ctx.db).get('odd')).toBeUndefined();
  });

  it('lets a second run replay temperature-0 replies without calling the model', async () => {
    const fake = await startFakeOpenAiServer([{ body: chatCompletion('5', { promptTokens: 100, completionTokens: 2 }) }]);
    try {
      const messages = [{ role: 'user' as const, content: 'What is 2 + 3?' }];
      const firstRun = createOpenAiBackend({ baseURL: fake.baseURL, model: 'gpt-4o-mini', cache: createDbResponseCache(ctx.db) });
      expect((await firstRun.complete({ messages })).cached).toBeUndefined();
      const secondRun = createOpenAiBackend({ baseURL: fake.baseURL, model: 'gpt-4o-mini', cache: createDbResponseCache(ctx.db) });
      const replayed = await secondRun.complete({ messages });
      expect(replayed).toMatchObject({ text: '5', cached: true, costUsd: 0, usage: { promptTokens: 100, completionTokens: 2 } });
      expect(fake.requests).toHaveLength(1);
      expect(secondRun.cacheHitRate()).toBe(1);
    } finally {
      await fake.close();
    }
  });
});
