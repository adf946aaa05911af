import { chatCompletion, createMemoryResponseCache, startFakeOpenAiServer } from '@flowsteer/operators';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.ts';
import { createJobRuntime } from '../../src/jobs/jobRuntime.ts';

describe('job runtime with an OpenAI-compatible backend', () => {
  it('refuses backend openai on a server without an endpoint, saying what to set', () => {
    const runtime = createJobRuntime({ sharedDir: null, tfBackend: 'cpu' });
    expect(runtime.backends).toEqual(['sim']);
    expect(runtime.directorBackend()).toBeUndefined();
    let error: unknown;
    try {
      runtime.assertBackend('openai');
    } catch (thrown) {
      error = thrown;
    }
    expect(isAppError(error, 'BAD_USER_INPUT')).toBe(true);
    expect((error as Error).message).toMatch(/expected backend 'openai' to be configured on this server, got no endpoint: set OPENAI_BASE_URL/);
  });

  it('runs every episode on one shared backend that is not simulated, through the response cache', async () => {
    const fake = await startFakeOpenAiServer([{ body: chatCompletion('5') }]);
    try {
      const runtime = createJobRuntime({
        sharedDir: null,
        tfBackend: 'cpu',
        llm: [
          { name: 'executor', baseURL: fake.baseURL, model: 'qwen2.5-7b' },
          { name: 'director', baseURL: fake.baseURL, model: 'flowsteer-8b' },
        ],
        responseCache: createMemoryResponseCache(),
      });
      expect(runtime.backends).toEqual(['sim', 'openai']);
      expect(() => runtime.assertBackend('openai', 'sim-weak')).toThrow(/expected no sim profile with backend 'openai'/);
      const a = runtime.backendFor({ backend: 'openai', seed: 1, tasks: new Map() });
      const b = runtime.backendFor({ backend: 'openai', seed: 2, tasks: new Map() });
      expect(a).toBe(b);
      expect(a).toMatchObject({ name: 'openai', simulated: false, model: 'qwen2.5-7b' });
      expect(runtime.label('openai')).toBe(`LLM executor qwen2.5-7b at ${fake.baseURL}/chat/completions (OpenAI-compatible)`);
      expect(runtime.directorBackend()).toMatchObject({ model: 'flowsteer-8b' });
      const messages = [{ role: 'user' as const, content: 'What is 2 + 3?' }];
      await a.complete({ messages });
      expect((await b.complete({ messages })).cached).toBe(true);
      expect(fake.requests).toHaveLength(1);
      expect(runtime.llmStats()['executor']).toMatchObject({ requests: 2, cacheHits: 1, cacheMisses: 1 });
    } finally {
      await fake.close();
    }
  });
});
