/**
 * A real LLM backend over the `openai` SDK against any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama,
 * llama.cpp server, LM Studio). Around each `chat.completions.create` call it adds what a long evaluation
 * or training run needs: a FIFO concurrency limit, our own retry policy (the SDK's retries are off, so
 * there is exactly one), a per-attempt timeout that also covers reading the body, abort on the caller's
 * signal at any point, token and cost accounting, and a cache of temperature-0 replies.
 *
 * Every failure ends as a CoreError — ABORTED, TIMEOUT, BACKEND_FAILED, CONFIG_INVALID — whose message
 * names the backend, the endpoint (never the key), the model, the attempts made and what the server said.
 * Responses are never `simulated`.
 * @public
 */
import { CoreError, isCoreError } from '@flowsteer/core';
import type { LlmBackend, LlmMessage, LlmRequest, LlmResponse, LlmUsage } from '@flowsteer/core';
import OpenAI from 'openai';
import { billedUsageOf, readCompletion, type CompletionReply } from './completionReply.ts';
import { createConcurrencyLimiter } from './concurrencyLimiter.ts';
import { redactUrl, resolveOpenAiConfig, type OpenAiBackendConfig, type OpenAiBackendEvent, type ResolvedOpenAiConfig } from './openAiConfig.ts';
import { costOf, priceFor, type ResolvedPrice } from './prices.ts';
import { responseCacheKey, type CacheableParams, type ResponseCacheEntry } from './responseCache.ts';
import { backoffDelay, classifyFailure, type AttemptFailure } from './retryPolicy.ts';

/** Counters since the backend was created (or since `resetStats`). */
export interface OpenAiBackendStats {
  /** `complete` calls. */
  readonly requests: number;
  /** HTTP attempts sent (first tries and retries). */
  readonly httpRequests: number;
  /** Calls answered from the cache, or by joining an identical call already in flight. */
  readonly cacheHits: number;
  /** Cacheable (temperature-0) calls that had to ask the model. */
  readonly cacheMisses: number;
  /** Cache reads or writes that failed (the call then went to the model / the reply was still returned). */
  readonly cacheErrors: number;
  readonly retries: number;
  /** Calls that ended in an error other than ABORTED. */
  readonly errors: number;
  readonly aborted: number;
  /** Replies cut at the token limit (partial text returned). */
  readonly truncated: number;
  /** Billed tokens and cost of the calls that reached the model (failed ones included). */
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly costUsd: number;
  /** Tokens the cache hits would have cost, and that cost. */
  readonly cachedPromptTokens: number;
  readonly cachedCompletionTokens: number;
  readonly savedCostUsd: number;
}

/** The OpenAI-compatible backend. */
export interface OpenAiBackend extends LlmBackend {
  readonly name: 'openai';
  readonly simulated: false;
  /** The config's `name`: the role this backend plays (`executor`, `director`, …). */
  readonly role: string;
  /** The chat completions URL, without credentials. */
  readonly endpoint: string;
  /** Price applied to this model (`known: false`: priced at 0). */
  readonly price: ResolvedPrice;
  /** The resolved settings without the key (a password in the base URL is masked). */
  readonly config: Omit<ResolvedOpenAiConfig, 'apiKey'>;
  stats(): OpenAiBackendStats;
  /** Cache hits / cacheable calls, or undefined before the first cacheable call. */
  cacheHitRate(): number | undefined;
  /** Zeroes the counters (e.g. between evaluation runs sharing one backend). */
  resetStats(): void;
}

type MutableStats = { -readonly [K in keyof OpenAiBackendStats]: OpenAiBackendStats[K] };

const emptyStats = (): MutableStats => ({
  requests: 0,
  httpRequests: 0,
  cacheHits: 0,
  cacheMisses: 0,
  cacheErrors: 0,
  retries: 0,
  errors: 0,
  aborted: 0,
  truncated: 0,
  promptTokens: 0,
  completionTokens: 0,
  costUsd: 0,
  cachedPromptTokens: 0,
  cachedCompletionTokens: 0,
  savedCostUsd: 0,
});

/** Where a model call is, for the message of an abort. */
interface CallProgress {
  phase: 'while queued' | 'while in flight' | 'while waiting to retry';
}

/** An identical cacheable call in flight, shared by every caller that asks for it meanwhile. */
interface SharedCall {
  readonly promise: Promise<LlmResponse>;
  readonly controller: AbortController;
  readonly progress: CallProgress;
  waiters: number;
}

/**
 * Creates the backend. Throws CONFIG_INVALID for a bad config (nothing is sent before).
 * @example
 * ```ts
 * const backend = createOpenAiBackend({ baseURL: 'http://127.0.0.1:8000/v1', model: 'Qwen/Qwen3-8B', concurrency: 8, cache: createMemoryResponseCache() });
 * const reply = await backend.complete({ messages: [{ role: 'user', content: 'What is 2+3?' }] });
 * console.log(reply.text, reply.usage, reply.costUsd, backend.stats());
 * ```
 */
export function createOpenAiBackend(input: OpenAiBackendConfig): OpenAiBackend {
  const config = resolveOpenAiConfig(input);
  const { apiKey, ...rest } = config;
  const publicConfig = Object.freeze({ ...rest, baseURL: redactUrl(rest.baseURL) });
  const price = priceFor(config.model, input.prices);
  const random = input.random ?? Math.random;
  const cache = input.cache;
  const limiter = createConcurrencyLimiter(config.concurrency);
  // organization/project null: the SDK would otherwise read OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment.
  const client = new OpenAI({ baseURL: config.baseURL, apiKey, organization: null, project: null, maxRetries: 0, timeout: config.timeoutMs });
  const inflight = new Map<string, SharedCall>();
  let stats = emptyStats();
  const where = `openai backend "${config.name}" (model ${config.model} at ${config.endpoint})`;

  const abortedError = (phase: string): CoreError => new CoreError('ABORTED', `[operators] ${where}: request aborted ${phase}`);
  const emit = (event: OpenAiBackendEvent): void => {
    try {
      input.onEvent?.(event);
    } catch {
      // An observer must not break a call.
    }
  };
  const bill = (usage: LlmUsage): number => {
    const cost = costOf(price, usage);
    stats.promptTokens += usage.promptTokens;
    stats.completionTokens += usage.completionTokens;
    stats.costUsd += cost;
    return cost;
  };

  /** One HTTP attempt, bounded by the timeout, ended by `signal`. */
  async function attempt(messages: readonly LlmMessage[], params: CacheableParams, signal: AbortSignal | undefined): Promise<CompletionReply> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, config.timeoutMs);
    const forward = (): void => controller.abort();
    signal?.addEventListener('abort', forward, { once: true });
    stats.httpRequests += 1;
    try {
      const limit = params.maxTokens;
      const body: OpenAI.ChatCompletionCreateParamsNonStreaming = {
        model: config.model,
        messages: messages.map((m): OpenAI.ChatCompletionMessageParam => ({ role: m.role, content: m.content })),
        temperature: params.temperature,
        ...(limit === undefined ? {} : config.maxTokensField === 'max_tokens' ? { max_tokens: limit } : { max_completion_tokens: limit }),
      };
      const result: unknown = await client.chat.completions.create(body, { signal: controller.signal, maxRetries: 0, timeout: config.timeoutMs });
      return readCompletion(result, messages);
    } catch (error) {
      if (signal?.aborted) throw abortedError('while in flight');
      const billed = billedUsageOf(error);
      if (billed) bill(billed);
      throw new AttemptFailed(classifyFailure(error, timedOut));
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forward);
    }
  }

  /** Attempts until success, a non-retryable failure or `maxRetries` retries; abortable between attempts. */
  async function callModel(
    messages: readonly LlmMessage[],
    params: CacheableParams,
    signal: AbortSignal | undefined,
    progress: CallProgress,
  ): Promise<{ reply: CompletionReply; latencyMs: number }> {
    return limiter.run(
      async () => {
        const started = performance.now();
        for (let attemptNo = 1; ; attemptNo += 1) {
          progress.phase = 'while in flight';
          try {
            const reply = await attempt(messages, params, signal);
            return { reply, latencyMs: Math.round(performance.now() - started) };
          } catch (error) {
            if (!(error instanceof AttemptFailed)) throw error;
            const { failure } = error;
            if (!failure.retryable || attemptNo > config.maxRetries) throw finalError(failure, attemptNo);
            if (failure.retryAfterMs !== undefined && failure.retryAfterMs > config.maxRetryAfterMs) {
              throw finalError(failure, attemptNo, `the server asked to wait ${failure.retryAfterMs} ms, more than maxRetryAfterMs ${config.maxRetryAfterMs}`);
            }
            const delayMs = failure.retryAfterMs ?? backoffDelay(attemptNo - 1, { baseDelayMs: config.retryBaseDelayMs, maxDelayMs: config.retryMaxDelayMs, random });
            stats.retries += 1;
            emit({ type: 'retry', backend: config.name, attempt: attemptNo, delayMs, failure });
            progress.phase = 'while waiting to retry';
            await sleep(delayMs, signal, () => abortedError(progress.phase));
          }
        }
      },
      { signal, onAbort: () => abortedError('while queued') },
    );
  }

  function finalError(failure: AttemptFailure, attempts: number, reason?: string): CoreError {
    const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
    const hint = hintFor(failure, config);
    const message = `[operators] ${where}: ${failure.detail} — gave up after ${tries}${reason ? ` (${reason})` : ''}${hint ? `; ${hint}` : ''}`;
    return new CoreError(failure.kind === 'timeout' ? 'TIMEOUT' : 'BACKEND_FAILED', message, { cause: failure.cause, retryable: failure.retryable });
  }

  /** Calls the model and turns the reply into a response (billing it). */
  async function fresh(
    messages: readonly LlmMessage[],
    params: CacheableParams,
    signal: AbortSignal | undefined,
    progress: CallProgress,
  ): Promise<{ response: LlmResponse; reply: CompletionReply }> {
    const { reply, latencyMs } = await callModel(messages, params, signal, progress);
    const costUsd = bill(reply.usage);
    if (reply.truncated) {
      stats.truncated += 1;
      emit({ type: 'truncated', backend: config.name, model: config.model, completionTokens: reply.usage.completionTokens });
    }
    return { reply, response: { text: reply.text, usage: reply.usage, latencyMs, costUsd, model: config.model, simulated: false } };
  }

  function replay(entry: Pick<ResponseCacheEntry, 'text' | 'usage'>, started: number): LlmResponse {
    stats.cacheHits += 1;
    stats.cachedPromptTokens += entry.usage.promptTokens;
    stats.cachedCompletionTokens += entry.usage.completionTokens;
    stats.savedCostUsd += costOf(price, entry.usage);
    const latencyMs = Math.round(performance.now() - started);
    return { text: entry.text, usage: entry.usage, latencyMs, costUsd: 0, model: config.model, simulated: false, cached: true };
  }

  async function readCache(key: string): Promise<ResponseCacheEntry | undefined> {
    try {
      return await cache?.get(key);
    } catch (error) {
      stats.cacheErrors += 1;
      emit({ type: 'cacheError', backend: config.name, operation: 'get', error });
      return undefined;
    }
  }

  /** Starts the one model call for `key`; it is aborted only when every caller waiting on it has left. */
  function share(key: string, messages: readonly LlmMessage[], params: CacheableParams): SharedCall {
    const controller = new AbortController();
    const progress: CallProgress = { phase: 'while queued' };
    const promise = (async () => {
      try {
        const { response, reply } = await fresh(messages, params, controller.signal, progress);
        const entry: ResponseCacheEntry = {
          model: config.model,
          request: { messages: messages.map((m) => ({ role: m.role, content: m.content })), params },
          text: reply.text,
          usage: reply.usage,
          latencyMs: response.latencyMs,
          finishReason: reply.finishReason,
        };
        try {
          await cache?.put(key, entry);
        } catch (error) {
          stats.cacheErrors += 1;
          emit({ type: 'cacheError', backend: config.name, operation: 'put', error });
        }
        return response;
      } finally {
        inflight.delete(key);
      }
    })();
    // Rejections reach every waiter through `raceAbort`; this only silences a call nobody waits for any more.
    promise.catch(() => undefined);
    const shared: SharedCall = { promise, controller, progress, waiters: 0 };
    inflight.set(key, shared);
    return shared;
  }

  async function complete(request: LlmRequest): Promise<LlmResponse> {
    const { signal } = request;
    stats.requests += 1;
    if (signal?.aborted) throw abortedError('before it was sent');
    const params: CacheableParams = { temperature: request.temperature ?? config.temperature, maxTokens: request.maxTokens ?? config.maxTokens };
    if (!cache || params.temperature !== 0) {
      const progress: CallProgress = { phase: 'while queued' };
      return (await raceAbort(fresh(request.messages, params, signal, progress), signal, () => abortedError(progress.phase))).response;
    }
    const started = performance.now();
    const key = responseCacheKey(config.model, request.messages, params);
    const stored = await raceAbort(readCache(key), signal, () => abortedError('while reading the cache'));
    if (stored) return replay(stored, started);
    let shared = inflight.get(key);
    const joined = shared !== undefined;
    if (!shared) {
      stats.cacheMisses += 1;
      shared = share(key, request.messages, params);
    }
    shared.waiters += 1;
    try {
      const { progress } = shared;
      const response = await raceAbort(shared.promise, signal, () => abortedError(progress.phase));
      return joined ? replay(response, started) : response;
    } finally {
      shared.waiters -= 1;
      if (shared.waiters === 0) {
        // Nobody waits any more (every caller aborted, or it settled): a later caller must start afresh.
        if (inflight.get(key) === shared) inflight.delete(key);
        shared.controller.abort();
      }
    }
  }

  return {
    name: 'openai',
    model: config.model,
    simulated: false,
    role: config.name,
    endpoint: config.endpoint,
    price,
    config: publicConfig,
    async complete(request) {
      try {
        return await complete(request);
      } catch (error) {
        if (isCoreError(error, 'ABORTED')) stats.aborted += 1;
        else stats.errors += 1;
        throw error;
      }
    },
    stats: () => ({ ...stats }),
    cacheHitRate() {
      const cacheable = stats.cacheHits + stats.cacheMisses;
      return cacheable === 0 ? undefined : stats.cacheHits / cacheable;
    },
    resetStats() {
      stats = emptyStats();
    },
  };
}

/** An attempt's classified failure, internal to the retry loop. */
class AttemptFailed extends Error {
  constructor(readonly failure: AttemptFailure) {
    super(failure.detail);
  }
}

function hintFor(failure: AttemptFailure, config: ResolvedOpenAiConfig): string | undefined {
  if (failure.kind === 'connection') return `is an OpenAI-compatible server listening at ${config.endpoint}?`;
  if (failure.kind === 'timeout') return `each attempt may take ${config.timeoutMs} ms (timeoutMs)`;
  if (failure.status === 401 || failure.status === 403) return 'check the API key (OPENAI_API_KEY)';
  if (failure.status === 404) return `check the model name and that the base URL ends with the API version (e.g. /v1)`;
  return undefined;
}

/** Resolves or rejects with `promise`, or rejects with `onAbort()` as soon as `signal` aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, onAbort: () => Error): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

function sleep(ms: number, signal: AbortSignal | undefined, onAbort: () => Error): Promise<void> {
  if (signal?.aborted) return Promise.reject(onAbort());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = (): void => {
      clearTimeout(timer);
      reject(onAbort());
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}
