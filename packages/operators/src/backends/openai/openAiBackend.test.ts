import { isCoreError, type CoreError, type LlmMessage } from '@flowsteer/core';
import { afterEach, describe, expect, it } from 'vitest';
import { chatCompletion, startFakeOpenAiServer, type FakeOpenAiServer, type FakeScript } from './fakeOpenAiServer.ts';
import { createOpenAiBackend, type OpenAiBackend } from './openAiBackend.ts';
import type { OpenAiBackendConfig, OpenAiBackendEvent } from './openAiConfig.ts';
import { createMemoryResponseCache } from './responseCache.ts';

const messages: LlmMessage[] = [
  { role: 'system', content: 'You solve math problems.' },
  { role: 'user', content: 'What is 2 + 3?' },
];

let server: FakeOpenAiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(script: FakeScript, config: Partial<OpenAiBackendConfig> = {}): Promise<{ backend: OpenAiBackend; fake: FakeOpenAiServer; events: OpenAiBackendEvent[] }> {
  const fake = await startFakeOpenAiServer(script);
  server = fake;
  const events: OpenAiBackendEvent[] = [];
  const backend = createOpenAiBackend({
    name: 'executor',
    baseURL: fake.baseURL,
    apiKey: 'sk-secret-test-key',
    model: 'gpt-4o-mini',
    timeoutMs: 2_000,
    maxRetries: 2,
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 5,
    onEvent: (event) => events.push(event),
    ...config,
  });
  return { backend, fake, events };
}

async function failure(promise: Promise<unknown>): Promise<CoreError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!isCoreError(error)) throw new Error(`expected a CoreError, got ${String(error)}`);
  return error;
}

describe('createOpenAiBackend', () => {
  it('sends the chat completion through the SDK and reports usage, cost and model; never simulated', async () => {
    const { backend, fake } = await setup([{ body: chatCompletion('5', { promptTokens: 1_000, completionTokens: 200 }) }], { maxTokens: 64 });
    const response = await backend.complete({ messages });
    expect(response).toMatchObject({ text: '5', usage: { promptTokens: 1_000, completionTokens: 200 }, model: 'gpt-4o-mini', simulated: false });
    // gpt-4o-mini: $0.15 / 1M input, $0.60 / 1M output.
    expect(response.costUsd).toBeCloseTo((1_000 * 0.15 + 200 * 0.6) / 1e6, 12);
    expect(response.cached).toBeUndefined();
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.body).toMatchObject({ model: 'gpt-4o-mini', messages, temperature: 0, max_tokens: 64 });
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-secret-test-key');
    expect(backend.stats()).toMatchObject({ requests: 1, httpRequests: 1, retries: 0, errors: 0, promptTokens: 1_000, completionTokens: 200 });
    expect(backend.stats().costUsd).toBeCloseTo(response.costUsd, 12);
    expect(backend).toMatchObject({ name: 'openai', role: 'executor', simulated: false, model: 'gpt-4o-mini' });
  });

  it('prices unknown (local) models at 0 and takes overrides', async () => {
    const { backend } = await setup([{ body: chatCompletion('ok', { promptTokens: 100, completionTokens: 100 }) }], { model: 'qwen3-8b' });
    expect((await backend.complete({ messages })).costUsd).toBe(0);
    expect(backend.price.known).toBe(false);
    const priced = createOpenAiBackend({ baseURL: server!.baseURL, model: 'qwen3-8b', prices: { 'qwen3-8b': { inputPerMTok: 1, outputPerMTok: 2 } } });
    expect((await priced.complete({ messages })).costUsd).toBeCloseTo(300 / 1e6, 12);
  });

  it('waits as long as retry-after-ms says after a 429, then succeeds', async () => {
    const { backend, fake, events } = await setup([
      { status: 429, headers: { 'retry-after-ms': '60' }, body: { error: { message: 'Rate limit reached', type: 'requests' } } },
      { body: chatCompletion('5') },
    ]);
    const response = await backend.complete({ messages });
    expect(response.text).toBe('5');
    expect(fake.requests).toHaveLength(2);
    const [first, second] = fake.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(55);
    expect(events).toMatchObject([{ type: 'retry', attempt: 1, delayMs: 60, failure: { kind: 'http', status: 429, retryAfterMs: 60 } }]);
    expect(backend.stats()).toMatchObject({ retries: 1, httpRequests: 2, errors: 0 });
  });

  it('reads retry-after in seconds', async () => {
    const { backend, events } = await setup([{ status: 429, headers: { 'retry-after': '0.03' }, body: { error: { message: 'slow down' } } }, { body: chatCompletion('5') }]);
    await backend.complete({ messages });
    expect(events[0]).toMatchObject({ type: 'retry', delayMs: 30 });
  });

  it('fails at once when retry-after asks for more than maxRetryAfterMs', async () => {
    const { backend, fake } = await setup([{ status: 429, headers: { 'retry-after': '3600' }, body: { error: { message: 'quota exceeded' } } }]);
    const error = await failure(backend.complete({ messages }));
    expect(error.code).toBe('BACKEND_FAILED');
    expect(error.message).toMatch(/429 quota exceeded.*after 1 attempt .*asked to wait 3600000 ms/);
    expect(fake.requests).toHaveLength(1);
  });

  it('retries a 500 and succeeds', async () => {
    const { backend, fake } = await setup([{ status: 500, body: { error: { message: 'boom' } } }, { body: chatCompletion('5') }]);
    expect((await backend.complete({ messages })).text).toBe('5');
    expect(fake.requests).toHaveLength(2);
    expect(backend.stats().retries).toBe(1);
  });

  it('gives up after maxRetries on a persistent 500 with a clear error (status, attempts, endpoint, no key)', async () => {
    const { backend, fake } = await setup([{ status: 500, body: { error: { message: 'upstream exploded' } } }], { maxRetries: 2 });
    const error = await failure(backend.complete({ messages }));
    expect(error.code).toBe('BACKEND_FAILED');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('HTTP 500 upstream exploded');
    expect(error.message).toContain('after 3 attempts');
    expect(error.message).toContain(`${fake.baseURL}/chat/completions`);
    expect(error.message).not.toContain('sk-secret-test-key');
    expect(fake.requests).toHaveLength(3);
    expect(backend.stats()).toMatchObject({ errors: 1, retries: 2 });
  });

  it('does not retry a 401 and says to check the key', async () => {
    const { backend, fake } = await setup([{ status: 401, body: { error: { message: 'Incorrect API key provided' } } }]);
    const error = await failure(backend.complete({ messages }));
    expect(error.message).toMatch(/HTTP 401 Incorrect API key provided — gave up after 1 attempt; check the API key/);
    expect(error.retryable).toBe(false);
    expect(fake.requests).toHaveLength(1);
  });

  it('times out a hanging request, retries it, then fails with TIMEOUT', async () => {
    const { backend, fake } = await setup([{ hang: true }], { timeoutMs: 40, maxRetries: 1 });
    const error = await failure(backend.complete({ messages }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toMatch(/no response before the timeout — gave up after 2 attempts/);
    expect(fake.requests).toHaveLength(2);
  });

  it('times out a body that stalls after the headers, and recovers on the retry', async () => {
    const { backend, fake } = await setup([{ stallBody: true, body: chatCompletion('lost') }, { body: chatCompletion('5') }], { timeoutMs: 60 });
    expect((await backend.complete({ messages })).text).toBe('5');
    expect(fake.requests).toHaveLength(2);
  });

  it('reports a connection failure with a hint', async () => {
    const { backend } = await setup([{ body: chatCompletion('x') }], { maxRetries: 1 });
    await server!.close();
    server = undefined;
    const error = await failure(backend.complete({ messages }));
    expect(error.code).toBe('BACKEND_FAILED');
    expect(error.message).toMatch(/connection failed.*gave up after 2 attempts; is an OpenAI-compatible server listening/);
  });

  it('treats a malformed JSON body as a retryable failure and says what came back', async () => {
    const { backend, fake } = await setup([{ body: '{"choices": [ this is not json' }], { maxRetries: 1 });
    const error = await failure(backend.complete({ messages }));
    expect(error.code).toBe('BACKEND_FAILED');
    expect(error.message).toMatch(/not valid JSON.*gave up after 2 attempts/);
    expect(fake.requests).toHaveLength(2);
  });

  it('rejects a 200 that is not a chat completion (an HTML page, no choices)', async () => {
    const { backend } = await setup([{ body: '<html>proxy error</html>', contentType: 'text/html' }, { body: { object: 'chat.completion', choices: [] } }], { maxRetries: 0 });
    expect((await failure(backend.complete({ messages }))).message).toMatch(/expected a chat.completion JSON object, got "<html>proxy error<\/html>"/);
    expect((await failure(backend.complete({ messages }))).message).toMatch(/expected a non-empty "choices" array/);
  });

  it('returns a truncated reply with its partial text, and fails clearly when nothing came before the cut', async () => {
    const { backend, fake, events } = await setup([
      { body: chatCompletion('The answer is', { finishReason: 'length', completionTokens: 3 }) },
      { body: chatCompletion('', { finishReason: 'length', promptTokens: 50, completionTokens: 64 }) },
    ]);
    const partial = await backend.complete({ messages, maxTokens: 3 });
    expect(partial.text).toBe('The answer is');
    expect(events).toMatchObject([{ type: 'truncated', completionTokens: 3 }]);
    const error = await failure(backend.complete({ messages, maxTokens: 64 }));
    expect(error.code).toBe('BACKEND_FAILED');
    expect(error.message).toMatch(/cut at the token limit after 64 completion tokens before any content.*raise maxTokens/);
    expect(fake.requests).toHaveLength(2);
    // The failed call's tokens were billed and are not lost.
    expect(backend.stats()).toMatchObject({ truncated: 1, completionTokens: 3 + 64, promptTokens: 10 + 50 });
  });

  it('estimates usage when the server reports none', async () => {
    const { backend } = await setup([{ body: chatCompletion('12345678', { usage: false }) }]);
    const response = await backend.complete({ messages });
    expect(response.usage.completionTokens).toBe(2);
    expect(response.usage.promptTokens).toBeGreaterThan(0);
  });

  it('ends an in-flight request at once on abort', async () => {
    const { backend, fake } = await setup([{ hang: true }], { timeoutMs: 10_000 });
    const controller = new AbortController();
    const pending = backend.complete({ messages, signal: controller.signal });
    await waitFor(() => fake.requests.length === 1);
    controller.abort();
    const error = await failure(pending);
    expect(error.code).toBe('ABORTED');
    expect(error.message).toMatch(/aborted while in flight/);
    await waitFor(() => fake.active === 0);
    expect(backend.stats()).toMatchObject({ aborted: 1, errors: 0 });
  });

  it('ends a queued request at once on abort, without sending it', async () => {
    const { backend, fake } = await setup([{ hang: true }], { concurrency: 1, timeoutMs: 10_000 });
    const first = new AbortController();
    const second = new AbortController();
    const running = backend.complete({ messages, signal: first.signal });
    const queued = backend.complete({ messages: [{ role: 'user', content: 'other' }], signal: second.signal });
    await waitFor(() => fake.requests.length === 1);
    second.abort();
    expect((await failure(queued)).message).toMatch(/aborted while queued/);
    expect(fake.requests).toHaveLength(1);
    first.abort();
    expect((await failure(running)).code).toBe('ABORTED');
  });

  it('ends a request waiting to retry at once on abort', async () => {
    const { backend, fake } = await setup([{ status: 503, headers: { 'retry-after': '30' }, body: { error: { message: 'busy' } } }]);
    const controller = new AbortController();
    const pending = backend.complete({ messages, signal: controller.signal });
    await waitFor(() => backend.stats().retries === 1);
    controller.abort();
    expect((await failure(pending)).message).toMatch(/aborted while waiting to retry/);
    expect(fake.requests).toHaveLength(1);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    const { backend, fake } = await setup((request) => ({ delayMs: 15, body: chatCompletion(String((request.body['messages'] as LlmMessage[])[0]?.content)) }), { concurrency: 2 });
    const texts = await Promise.all(Array.from({ length: 6 }, (_, i) => backend.complete({ messages: [{ role: 'user', content: `q${i}` }] })));
    expect(texts.map((r) => r.text)).toEqual(['q0', 'q1', 'q2', 'q3', 'q4', 'q5']);
    expect(fake.maxActive).toBe(2);
    expect(fake.requests).toHaveLength(6);
  });
});

describe('response cache', () => {
  it('serves the second temperature-0 call from the cache: one request, cached, no new cost', async () => {
    const cache = createMemoryResponseCache();
    const { backend, fake } = await setup([{ body: chatCompletion('5', { promptTokens: 100, completionTokens: 10 }) }], { cache });
    const first = await backend.complete({ messages });
    const second = await backend.complete({ messages });
    expect(fake.requests).toHaveLength(1);
    expect(first.cached).toBeUndefined();
    expect(second).toMatchObject({ text: '5', cached: true, costUsd: 0, usage: { promptTokens: 100, completionTokens: 10 }, simulated: false });
    expect(backend.stats()).toMatchObject({ cacheHits: 1, cacheMisses: 1, promptTokens: 100, completionTokens: 10, cachedPromptTokens: 100, cachedCompletionTokens: 10 });
    expect(backend.stats().savedCostUsd).toBeCloseTo(first.costUsd, 12);
    expect(backend.cacheHitRate()).toBe(0.5);
    // A new backend over the same store (a second run) hits too.
    const again = createOpenAiBackend({ baseURL: fake.baseURL, model: 'gpt-4o-mini', cache });
    expect((await again.complete({ messages })).cached).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });

  it('does not cache temperature > 0, and keys on model, messages and max tokens', async () => {
    const cache = createMemoryResponseCache();
    const { backend, fake } = await setup([{ body: chatCompletion('5') }], { cache });
    await backend.complete({ messages, temperature: 0.7 });
    await backend.complete({ messages, temperature: 0.7 });
    expect(fake.requests).toHaveLength(2);
    expect(cache.size).toBe(0);
    await backend.complete({ messages, maxTokens: 10 });
    await backend.complete({ messages, maxTokens: 20 });
    await backend.complete({ messages: [...messages, { role: 'user', content: 'again' }] });
    expect(fake.requests).toHaveLength(5);
    expect(backend.stats()).toMatchObject({ cacheHits: 0, cacheMisses: 3 });
  });

  it('sends identical concurrent temperature-0 calls once', async () => {
    const { backend, fake } = await setup([{ delayMs: 20, body: chatCompletion('5') }], { cache: createMemoryResponseCache() });
    const replies = await Promise.all([backend.complete({ messages }), backend.complete({ messages }), backend.complete({ messages })]);
    expect(fake.requests).toHaveLength(1);
    expect(replies.map((r) => r.cached ?? false)).toEqual([false, true, true]);
  });

  it('keeps a shared call alive for the callers left when one aborts', async () => {
    const { backend, fake } = await setup([{ delayMs: 30, body: chatCompletion('5') }], { cache: createMemoryResponseCache() });
    const controller = new AbortController();
    const leaving = backend.complete({ messages, signal: controller.signal });
    const staying = backend.complete({ messages });
    await waitFor(() => fake.requests.length === 1);
    controller.abort();
    expect((await failure(leaving)).code).toBe('ABORTED');
    expect((await staying).text).toBe('5');
  });

  it('calls the model when the cache fails, and says so', async () => {
    const broken = { get: () => Promise.reject(new Error('db down')), put: () => Promise.reject(new Error('db down')) };
    const { backend, events } = await setup([{ body: chatCompletion('5') }], { cache: broken });
    expect((await backend.complete({ messages })).text).toBe('5');
    expect(backend.stats().cacheErrors).toBe(2);
    expect(events.map((e) => e.type)).toEqual(['cacheError', 'cacheError']);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
