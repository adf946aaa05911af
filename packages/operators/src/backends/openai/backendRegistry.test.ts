import { describe, expect, it } from 'vitest';
import { createBackendRegistry, parseBackendConfigs } from './backendRegistry.ts';
import { createMemoryResponseCache } from './responseCache.ts';

describe('parseBackendConfigs', () => {
  it('configures nothing without OPENAI_BASE_URL or OPENAI_API_KEY', () => {
    expect(parseBackendConfigs({})).toEqual([]);
  });

  it('defaults to the OpenAI API and gpt-4o-mini when only a key is given', () => {
    expect(parseBackendConfigs({ OPENAI_API_KEY: 'sk-x' })).toMatchObject([{ name: 'executor', baseURL: 'https://api.openai.com/v1', apiKey: 'sk-x', model: 'gpt-4o-mini' }]);
  });

  it('reads an executor and a director that inherits the endpoint', () => {
    const configs = parseBackendConfigs({
      OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1',
      FLOWSTEER_LLM_MODEL: 'Qwen/Qwen2.5-7B-Instruct',
      FLOWSTEER_LLM_TEMPERATURE: '0',
      FLOWSTEER_LLM_MAX_TOKENS: '1024',
      FLOWSTEER_LLM_CONCURRENCY: '16',
      FLOWSTEER_LLM_TIMEOUT_MS: '30000',
      FLOWSTEER_LLM_MAX_RETRIES: '2',
      FLOWSTEER_LLM_PRICES: 'Qwen/Qwen2.5-7B-Instruct=0.1/0.2',
      FLOWSTEER_DIRECTOR_MODEL: 'flowsteer-8b',
      FLOWSTEER_DIRECTOR_TEMPERATURE: '0.6',
    });
    expect(configs).toMatchObject([
      { name: 'executor', baseURL: 'http://127.0.0.1:8000/v1', model: 'Qwen/Qwen2.5-7B-Instruct', temperature: 0, maxTokens: 1024, concurrency: 16, timeoutMs: 30_000, maxRetries: 2 },
      { name: 'director', baseURL: 'http://127.0.0.1:8000/v1', model: 'flowsteer-8b', temperature: 0.6, maxTokens: 1024 },
    ]);
    expect(configs[0]?.prices).toEqual({ 'Qwen/Qwen2.5-7B-Instruct': { inputPerMTok: 0.1, outputPerMTok: 0.2 } });
  });

  it('lists every bad variable at once, expected vs got', () => {
    expect(() =>
      parseBackendConfigs({ OPENAI_BASE_URL: 'localhost:8000', FLOWSTEER_LLM_TEMPERATURE: 'hot', FLOWSTEER_LLM_CONCURRENCY: '0', FLOWSTEER_LLM_MAX_TOKENS_FIELD: 'max' }),
    ).toThrow(
      /OPENAI_BASE_URL: expected an http\(s\) URL .*got "localhost:8000".*FLOWSTEER_LLM_CONCURRENCY: expected an integer in 1\.\.10000, got "0".*FLOWSTEER_LLM_MAX_TOKENS_FIELD: expected max_tokens or max_completion_tokens, got "max".*FLOWSTEER_LLM_TEMPERATURE: expected a number in 0\.\.2, got "hot"/,
    );
  });

  it('asks for a model name when the endpoint is not the OpenAI API', () => {
    expect(() => parseBackendConfigs({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' })).toThrow(/FLOWSTEER_LLM_MODEL: expected the name of a model served at http:\/\/127\.0\.0\.1:11434\/v1, got nothing/);
    expect(() => parseBackendConfigs({ FLOWSTEER_LLM_MODEL: 'm' })).toThrow(/OPENAI_BASE_URL: expected an endpoint/);
  });
});

describe('createBackendRegistry', () => {
  it('creates one backend per name, shares the cache, and names the configured ones on a miss', () => {
    const cache = createMemoryResponseCache();
    const registry = createBackendRegistry(
      [
        { name: 'executor', baseURL: 'http://127.0.0.1:1/v1', model: 'a' },
        { name: 'director', baseURL: 'http://127.0.0.1:1/v1', model: 'b' },
      ],
      { cache },
    );
    expect(registry.names()).toEqual(['executor', 'director']);
    expect(registry.get('executor')).toBe(registry.get('executor'));
    expect(registry.get('director')).toMatchObject({ name: 'openai', role: 'director', model: 'b' });
    expect(() => registry.get('judge')).toThrow(/expected an LLM backend named "judge", got only executor, director/);
    expect(Object.keys(registry.stats())).toEqual(['executor', 'director']);
    expect(() => createBackendRegistry([{ baseURL: 'http://x/v1', model: 'a' }, { baseURL: 'http://x/v1', model: 'b' }])).toThrow(/unique backend names, got "default" twice/);
  });

  it('rejects a bad config before sending anything', () => {
    expect(() => createBackendRegistry([{ name: 'executor', baseURL: 'ftp://x', model: '', concurrency: 0 }])).toThrow(
      /openai backend "executor": baseURL: expected an http\(s\) URL .*got "ftp:\/\/x"; model: expected a model name, got ""; concurrency: expected an integer in 1\.\.10000, got 0/,
    );
  });
});
