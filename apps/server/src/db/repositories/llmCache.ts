/**
 * The cache of real LLM responses, keyed by a hash of (model, messages, parameters) that the caller computes.
 * Entries are never overwritten: the first stored response for a key is the one every later call replays,
 * which keeps evaluations reproducible.
 * @public
 */
import { eq, sql } from 'drizzle-orm';
import type { AppDb } from '../client.ts';
import { llmCache } from '../schema.ts';

/** A cache entry. @public */
export type LlmCacheEntry = typeof llmCache.$inferSelect;

/** The entry for `key`, counting the hit in the same statement; undefined on a miss. @public */
export async function getCached(db: AppDb, key: string): Promise<LlmCacheEntry | undefined> {
  const [entry] = await db
    .update(llmCache)
    .set({ hits: sql`${llmCache.hits} + 1` })
    .where(eq(llmCache.key, key))
    .returning();
  return entry;
}

/**
 * Stores a response unless the key is already cached (two concurrent misses both call this; the first wins).
 * Returns true when this call stored it.
 * @public
 */
export async function putCached(
  db: AppDb,
  entry: { key: string; model: string; request: unknown; response: unknown },
): Promise<boolean> {
  const stored = await db.insert(llmCache).values(entry).onConflictDoNothing({ target: llmCache.key }).returning({ key: llmCache.key });
  return stored.length > 0;
}
