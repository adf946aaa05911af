/**
 * The response cache of real LLM backends: deterministic (temperature-0) replies keyed by a hash of
 * (model, messages, sampling parameters), so a re-run of the same evaluation costs nothing and replays
 * exactly what the model said the first time. The interface is storage-agnostic: an in-memory map here,
 * the `llm_cache` table in the server (`apps/server/src/llm/dbResponseCache.ts`).
 * @public
 */
import { createHash } from 'node:crypto';
import type { LlmMessage, LlmUsage } from '@flowsteer/core';

/** Sampling parameters that change what a model answers; every one of them is part of the key. */
export interface CacheableParams {
  readonly temperature: number;
  readonly maxTokens: number | undefined;
}

/** What a cache stores for one key: the request it answers (for inspection) and the reply. */
export interface ResponseCacheEntry {
  readonly model: string;
  readonly request: { readonly messages: readonly LlmMessage[]; readonly params: CacheableParams };
  readonly text: string;
  /** Usage the original call was billed for. */
  readonly usage: LlmUsage;
  /** Latency of the original call. */
  readonly latencyMs: number;
  /** The API's `finish_reason` of the original call (`stop`, `length`, …). */
  readonly finishReason: string;
}

/**
 * A store of responses. Implementations may be asynchronous and shared between processes; `put` of a key
 * that is already stored keeps the first entry (replays stay reproducible). A failing `get`/`put` is not
 * fatal: the backend counts it and calls the model as if the cache were absent.
 */
export interface ResponseCache {
  get(key: string): Promise<ResponseCacheEntry | undefined>;
  put(key: string, entry: ResponseCacheEntry): Promise<void>;
}

/**
 * The cache key: SHA-256 (hex) of the canonical JSON (sorted keys, no undefined) of model, messages and
 * parameters. Two requests share a key exactly when an OpenAI-compatible server would receive the same
 * model, the same messages in the same order and the same sampling parameters.
 */
export function responseCacheKey(model: string, messages: readonly LlmMessage[], params: CacheableParams): string {
  const payload = { model, messages: messages.map((m) => ({ role: m.role, content: m.content })), params };
  return createHash('sha256').update(canonicalJson(payload)).digest('hex');
}

/** JSON with object keys sorted at every depth and `undefined` members dropped. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) sorted[key] = sortKeys(member);
  }
  return sorted;
}

/** An in-memory {@link ResponseCache} with its size; entries live as long as the process. */
export interface MemoryResponseCache extends ResponseCache {
  readonly size: number;
}

/** Creates an in-memory cache (first write of a key wins, as in the database cache). */
export function createMemoryResponseCache(): MemoryResponseCache {
  const entries = new Map<string, ResponseCacheEntry>();
  return {
    get size() {
      return entries.size;
    },
    async get(key) {
      return entries.get(key);
    },
    async put(key, entry) {
      if (!entries.has(key)) entries.set(key, entry);
    },
  };
}

/**
 * Reads a stored entry back, or undefined when it does not have the expected shape (written by another
 * version, or edited by hand): a bad entry is a miss, never a crash.
 */
export function toResponseCacheEntry(value: unknown): ResponseCacheEntry | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const entry = value as Partial<ResponseCacheEntry>;
  const usage = entry.usage as Partial<LlmUsage> | undefined;
  const request = entry.request as Partial<ResponseCacheEntry['request']> | undefined;
  if (typeof entry.model !== 'string' || typeof entry.text !== 'string' || typeof entry.finishReason !== 'string') return undefined;
  if (!usage || typeof usage.promptTokens !== 'number' || typeof usage.completionTokens !== 'number') return undefined;
  if (typeof entry.latencyMs !== 'number' || !request || !Array.isArray(request.messages) || !request.params) return undefined;
  return entry as ResponseCacheEntry;
}
