import { describe, expect, it } from 'vitest';
import { canonicalJson, createMemoryResponseCache, responseCacheKey, toResponseCacheEntry } from './responseCache.ts';

describe('responseCacheKey', () => {
  it('is stable under key order and changes with model, messages and parameters', () => {
    const messages = [{ role: 'user' as const, content: 'hi' }];
    const key = responseCacheKey('m', messages, { temperature: 0, maxTokens: undefined });
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(responseCacheKey('m', [{ content: 'hi', role: 'user' }], { maxTokens: undefined, temperature: 0 })).toBe(key);
    expect(responseCacheKey('m2', messages, { temperature: 0, maxTokens: undefined })).not.toBe(key);
    expect(responseCacheKey('m', messages, { temperature: 0, maxTokens: 5 })).not.toBe(key);
    expect(responseCacheKey('m', [{ role: 'system', content: 'hi' }], { temperature: 0, maxTokens: undefined })).not.toBe(key);
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [2, { f: 1, e: 0 }] } })).toBe('{"a":{"c":[2,{"e":0,"f":1}]},"b":1}');
  });

  it('reads back only well-formed entries', () => {
    const entry = { model: 'm', request: { messages: [], params: { temperature: 0 } }, text: 't', usage: { promptTokens: 1, completionTokens: 2 }, latencyMs: 3, finishReason: 'stop' };
    expect(toResponseCacheEntry(entry)).toEqual(entry);
    expect(toResponseCacheEntry({ ...entry, usage: null })).toBeUndefined();
    expect(toResponseCacheEntry('text')).toBeUndefined();
  });
});

describe('createMemoryResponseCache', () => {
  it('keeps the first entry stored for a key', async () => {
    const cache = createMemoryResponseCache();
    const entry = { model: 'm', request: { messages: [], params: { temperature: 0, maxTokens: undefined } }, text: 'first', usage: { promptTokens: 1, completionTokens: 1 }, latencyMs: 1, finishReason: 'stop' };
    await cache.put('k', entry);
    await cache.put('k', { ...entry, text: 'second' });
    expect((await cache.get('k'))?.text).toBe('first');
    expect(await cache.get('missing')).toBeUndefined();
    expect(cache.size).toBe(1);
  });
});
