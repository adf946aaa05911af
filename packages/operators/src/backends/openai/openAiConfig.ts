/**
 * Configuration of an OpenAI-compatible backend and its validation: every problem is collected and
 * reported at once as CONFIG_INVALID ("expected … got …"), before any request is made.
 * @public
 */
import { CoreError } from '@flowsteer/core';
import type { PriceTable } from './prices.ts';
import type { ResponseCache } from './responseCache.ts';
import type { AttemptFailure } from './retryPolicy.ts';

/** Settings of one OpenAI-compatible backend (OpenAI, vLLM, Ollama, llama.cpp server, LM Studio …). */
export interface OpenAiBackendConfig {
  /** Registry name, e.g. `executor` or `director` (shown in errors). @default 'default' */
  readonly name?: string;
  /** Base URL up to and including the API version, e.g. `https://api.openai.com/v1`, `http://127.0.0.1:8000/v1`. */
  readonly baseURL: string;
  /** Bearer key; local servers ignore it (a placeholder is sent when empty). Never appears in errors. */
  readonly apiKey?: string | undefined;
  /** Model name the server serves. */
  readonly model: string;
  /** Temperature of requests that set none. 0 makes replies cacheable. @default 0 */
  readonly temperature?: number | undefined;
  /** Completion token limit of requests that set none; unset lets the server decide. */
  readonly maxTokens?: number | undefined;
  /**
   * Request field carrying the token limit: `max_tokens` (vLLM, Ollama, llama.cpp, older OpenAI models) or
   * `max_completion_tokens` (OpenAI o-series and gpt-5, which reject `max_tokens`). @default 'max_tokens'
   */
  readonly maxTokensField?: 'max_tokens' | 'max_completion_tokens' | undefined;
  /** Requests in flight at once; more wait in FIFO order. A request keeps its slot through its retries. @default 4 */
  readonly concurrency?: number | undefined;
  /** Limit of one attempt, from sending the request to reading the whole body. @default 120000 */
  readonly timeoutMs?: number | undefined;
  /** Retries after the first attempt (429, 408, 409, 5xx, timeouts, connection errors, malformed replies). @default 4 */
  readonly maxRetries?: number | undefined;
  /** Backoff ceiling of the first retry; doubles per retry, full jitter. @default 500 */
  readonly retryBaseDelayMs?: number | undefined;
  /** Largest backoff ceiling. @default 20000 */
  readonly retryMaxDelayMs?: number | undefined;
  /** Longest `retry-after` honoured; a server asking for more makes the request fail at once. @default 60000 */
  readonly maxRetryAfterMs?: number | undefined;
  /** Prices (USD per 1M tokens) merged over `DEFAULT_MODEL_PRICES`. */
  readonly prices?: PriceTable | undefined;
  /** Where temperature-0 replies are stored and replayed from; none: no caching. */
  readonly cache?: ResponseCache | undefined;
  /** Observer of retries, truncated replies and cache failures (logging). */
  readonly onEvent?: ((event: OpenAiBackendEvent) => void) | undefined;
  /** Uniform [0, 1) source of the backoff jitter. @default Math.random */
  readonly random?: (() => number) | undefined;
}

/** What a backend reports to `onEvent`. */
export type OpenAiBackendEvent =
  | { readonly type: 'retry'; readonly backend: string; readonly attempt: number; readonly delayMs: number; readonly failure: AttemptFailure }
  | { readonly type: 'truncated'; readonly backend: string; readonly model: string; readonly completionTokens: number }
  | { readonly type: 'cacheError'; readonly backend: string; readonly operation: 'get' | 'put'; readonly error: unknown };

/** A validated config with every default applied. */
export interface ResolvedOpenAiConfig {
  readonly name: string;
  readonly baseURL: string;
  readonly apiKey: string;
  readonly model: string;
  readonly temperature: number;
  readonly maxTokens: number | undefined;
  readonly maxTokensField: 'max_tokens' | 'max_completion_tokens';
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly maxRetryAfterMs: number;
  /** `POST` target without credentials, user info or query string, for messages. */
  readonly endpoint: string;
}

/** Defaults of the optional settings. */
export const OPENAI_BACKEND_DEFAULTS = Object.freeze({
  name: 'default',
  temperature: 0,
  maxTokensField: 'max_tokens' as const,
  concurrency: 4,
  timeoutMs: 120_000,
  maxRetries: 4,
  retryBaseDelayMs: 500,
  retryMaxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
});

// Sent when no key is configured: the SDK refuses an empty key, local servers accept anything.
const PLACEHOLDER_KEY = 'no-key';

/** Validates `config` and applies defaults; throws CONFIG_INVALID listing every problem. */
export function resolveOpenAiConfig(config: OpenAiBackendConfig): ResolvedOpenAiConfig {
  const problems: string[] = [];
  const name = config.name ?? OPENAI_BACKEND_DEFAULTS.name;
  const number = (field: string, value: number | undefined, fallback: number, min: number, max: number, integer: boolean): number => {
    if (value === undefined) return fallback;
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      problems.push(`${field}: expected ${integer ? 'an integer' : 'a number'} in ${min}..${max}, got ${String(value)}`);
      return fallback;
    }
    return value;
  };
  let endpoint = '';
  try {
    const url = new URL(config.baseURL);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    endpoint = `${url.origin}${url.pathname.replace(/\/+$/, '')}/chat/completions`;
  } catch {
    problems.push(`baseURL: expected an http(s) URL such as http://127.0.0.1:8000/v1, got ${JSON.stringify(redactUrl(String(config.baseURL)))}`);
  }
  if (typeof config.model !== 'string' || config.model.trim() === '') problems.push(`model: expected a model name, got ${JSON.stringify(config.model)}`);
  const field = config.maxTokensField ?? OPENAI_BACKEND_DEFAULTS.maxTokensField;
  if (field !== 'max_tokens' && field !== 'max_completion_tokens') {
    problems.push(`maxTokensField: expected max_tokens or max_completion_tokens, got ${JSON.stringify(field)}`);
  }
  const resolved: ResolvedOpenAiConfig = {
    name,
    baseURL: config.baseURL,
    apiKey: config.apiKey === undefined || config.apiKey.trim() === '' ? PLACEHOLDER_KEY : config.apiKey.trim(),
    model: typeof config.model === 'string' ? config.model.trim() : '',
    temperature: number('temperature', config.temperature, OPENAI_BACKEND_DEFAULTS.temperature, 0, 2, false),
    maxTokens: config.maxTokens === undefined ? undefined : number('maxTokens', config.maxTokens, 1, 1, 10_000_000, true),
    maxTokensField: field,
    concurrency: number('concurrency', config.concurrency, OPENAI_BACKEND_DEFAULTS.concurrency, 1, 10_000, true),
    timeoutMs: number('timeoutMs', config.timeoutMs, OPENAI_BACKEND_DEFAULTS.timeoutMs, 1, 86_400_000, true),
    maxRetries: number('maxRetries', config.maxRetries, OPENAI_BACKEND_DEFAULTS.maxRetries, 0, 100, true),
    retryBaseDelayMs: number('retryBaseDelayMs', config.retryBaseDelayMs, OPENAI_BACKEND_DEFAULTS.retryBaseDelayMs, 0, 3_600_000, true),
    retryMaxDelayMs: number('retryMaxDelayMs', config.retryMaxDelayMs, OPENAI_BACKEND_DEFAULTS.retryMaxDelayMs, 0, 3_600_000, true),
    maxRetryAfterMs: number('maxRetryAfterMs', config.maxRetryAfterMs, OPENAI_BACKEND_DEFAULTS.maxRetryAfterMs, 0, 86_400_000, true),
    endpoint,
  };
  for (const [model, price] of Object.entries(config.prices ?? {})) {
    if (!(price.inputPerMTok >= 0 && price.outputPerMTok >= 0)) {
      problems.push(`prices.${model}: expected non-negative inputPerMTok and outputPerMTok, got ${JSON.stringify(price)}`);
    }
  }
  if (problems.length > 0) {
    throw new CoreError('CONFIG_INVALID', `[operators] openai backend "${name}": ${problems.join('; ')}`);
  }
  return Object.freeze(resolved);
}

/** Hides a password in `scheme://user:password@host` (keys must never reach logs). */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
