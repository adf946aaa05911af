/**
 * The persistent response cache of real LLM backends: `ResponseCache` over the `llm_cache` table, on PGlite
 * or PostgreSQL alike. Temperature-0 replies stored by one run are replayed by every later run (and by other
 * server processes sharing the database); the first reply stored for a key is kept for good, so replays stay
 * reproducible. The table counts hits per entry.
 * @public
 */
import { toResponseCacheEntry, type ResponseCache, type ResponseCacheEntry } from '@flowsteer/operators';
import type { AppDb } from '../db/client.ts';
import { getCached, putCached } from '../db/repositories/llmCache.ts';

/** The reply part of an entry, as stored in the `response` column (the request has its own column). */
type StoredReply = Omit<ResponseCacheEntry, 'model' | 'request'>;

/** Creates the database-backed cache. An entry that no longer has the expected shape reads as a miss. @public */
export function createDbResponseCache(db: AppDb): ResponseCache {
  return {
    async get(key) {
      const row = await getCached(db, key);
      if (!row) return undefined;
      const reply = (row.response ?? {}) as Partial<StoredReply>;
      return toResponseCacheEntry({ ...reply, model: row.model, request: row.request });
    },
    async put(key, entry) {
      const { model, request, ...reply } = entry;
      const stored: StoredReply = reply;
      await putCached(db, { key, model, request, response: stored });
    },
  };
}
