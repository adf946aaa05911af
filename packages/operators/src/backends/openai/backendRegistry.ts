/**
 * Named OpenAI-compatible backends side by side — typically `executor` (the model that runs the operators)
 * and `director` (an LLM that builds workflows, e.g. FlowSteer-8B on vLLM) — read from environment-style
 * variables and created once, so that every caller of a name shares its concurrency limit, stats and cache.
 *
 * Variables (all optional; values are trimmed, empty means unset):
 * | variable | meaning | default |
 * |---|---|---|
 * | `OPENAI_BASE_URL` | executor endpoint, e.g. `http://127.0.0.1:8000/v1` | `https://api.openai.com/v1` |
 * | `OPENAI_API_KEY` | executor key (local servers need none) | — |
 * | `FLOWSTEER_LLM_MODEL` | executor model | `gpt-4o-mini` on api.openai.com, else required |
 * | `FLOWSTEER_LLM_TEMPERATURE` | 0..2 | 0 |
 * | `FLOWSTEER_LLM_MAX_TOKENS` | completion token limit | server's |
 * | `FLOWSTEER_LLM_MAX_TOKENS_FIELD` | `max_tokens` or `max_completion_tokens` | `max_tokens` |
 * | `FLOWSTEER_LLM_CONCURRENCY` | requests in flight per backend | 4 |
 * | `FLOWSTEER_LLM_TIMEOUT_MS` | per attempt | 120000 |
 * | `FLOWSTEER_LLM_MAX_RETRIES` | retries after the first attempt | 4 |
 * | `FLOWSTEER_LLM_PRICES` | `model=in/out,…` USD per 1M tokens, over the defaults | — |
 * | `FLOWSTEER_DIRECTOR_MODEL` | director model; setting it defines the `director` backend | — |
 * | `FLOWSTEER_DIRECTOR_BASE_URL`, `_API_KEY`, `_TEMPERATURE`, `_MAX_TOKENS` | director overrides | executor's |
 *
 * The executor exists when `OPENAI_BASE_URL` or `OPENAI_API_KEY` is set.
 * @public
 */
import { CoreError } from '@flowsteer/core';
import { createOpenAiBackend, type OpenAiBackend, type OpenAiBackendStats } from './openAiBackend.ts';
import type { OpenAiBackendConfig } from './openAiConfig.ts';
import { parsePriceList } from './prices.ts';
import type { ResponseCache } from './responseCache.ts';

/** The OpenAI API, used when only a key is given. */
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** The paper's executor model, used against the OpenAI API when no model is named. */
export const OPENAI_DEFAULT_MODEL = 'gpt-4o-mini';

type Source = Readonly<Record<string, string | undefined>>;

/**
 * Reads the backend configs from environment-style variables (see the table above). Throws CONFIG_INVALID
 * naming every bad variable ("FLOWSTEER_LLM_TEMPERATURE: expected a number in 0..2, got \"hot\"").
 * Returns [] when no OpenAI-compatible backend is configured.
 */
export function parseBackendConfigs(source: Source): OpenAiBackendConfig[] {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = source[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const num = (name: string, min: number, max: number, integer: boolean): number | undefined => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      problems.push(`${name}: expected ${integer ? 'an integer' : 'a number'} in ${min}..${max}, got ${JSON.stringify(raw)}`);
      return undefined;
    }
    return value;
  };
  const url = (name: string): string | undefined => {
    const raw = read(name);
    if (raw !== undefined && !/^https?:\/\/[^\s/]+/.test(raw)) {
      problems.push(`${name}: expected an http(s) URL such as http://127.0.0.1:8000/v1, got ${JSON.stringify(raw.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@'))}`);
      return undefined;
    }
    return raw;
  };
  const field = (name: string): OpenAiBackendConfig['maxTokensField'] => {
    const raw = read(name);
    if (raw === undefined || raw === 'max_tokens' || raw === 'max_completion_tokens') return raw;
    problems.push(`${name}: expected max_tokens or max_completion_tokens, got ${JSON.stringify(raw)}`);
    return undefined;
  };

  const baseUrl = url('OPENAI_BASE_URL');
  const apiKey = read('OPENAI_API_KEY');
  const prices = parsePriceList(read('FLOWSTEER_LLM_PRICES') ?? '');
  problems.push(...prices.problems.map((problem) => `FLOWSTEER_LLM_PRICES: ${problem}`));
  const shared = {
    concurrency: num('FLOWSTEER_LLM_CONCURRENCY', 1, 10_000, true),
    timeoutMs: num('FLOWSTEER_LLM_TIMEOUT_MS', 1, 86_400_000, true),
    maxRetries: num('FLOWSTEER_LLM_MAX_RETRIES', 0, 100, true),
    maxTokensField: field('FLOWSTEER_LLM_MAX_TOKENS_FIELD'),
    prices: prices.prices,
  };
  const executorUrl = baseUrl ?? OPENAI_DEFAULT_BASE_URL;
  const configured = read('OPENAI_BASE_URL') !== undefined || apiKey !== undefined;
  const executorModel = read('FLOWSTEER_LLM_MODEL') ?? (executorUrl === OPENAI_DEFAULT_BASE_URL ? OPENAI_DEFAULT_MODEL : undefined);
  const executor: OpenAiBackendConfig | undefined = configured
    ? {
        name: 'executor',
        baseURL: executorUrl,
        apiKey,
        model: executorModel ?? '',
        temperature: num('FLOWSTEER_LLM_TEMPERATURE', 0, 2, false),
        maxTokens: num('FLOWSTEER_LLM_MAX_TOKENS', 1, 10_000_000, true),
        ...shared,
      }
    : undefined;
  if (configured && executorModel === undefined) {
    problems.push(`FLOWSTEER_LLM_MODEL: expected the name of a model served at ${executorUrl}, got nothing`);
  }
  if (!configured && read('FLOWSTEER_LLM_MODEL') !== undefined) {
    problems.push('OPENAI_BASE_URL: expected an endpoint (or OPENAI_API_KEY for the OpenAI API) since FLOWSTEER_LLM_MODEL is set, got nothing');
  }

  const directorModel = read('FLOWSTEER_DIRECTOR_MODEL');
  const directorUrl = url('FLOWSTEER_DIRECTOR_BASE_URL') ?? executorUrl;
  const director: OpenAiBackendConfig | undefined =
    directorModel === undefined
      ? undefined
      : {
          name: 'director',
          baseURL: directorUrl,
          apiKey: read('FLOWSTEER_DIRECTOR_API_KEY') ?? apiKey,
          model: directorModel,
          temperature: num('FLOWSTEER_DIRECTOR_TEMPERATURE', 0, 2, false) ?? executor?.temperature,
          maxTokens: num('FLOWSTEER_DIRECTOR_MAX_TOKENS', 1, 10_000_000, true) ?? executor?.maxTokens,
          ...shared,
        };
  if (problems.length > 0) throw new CoreError('CONFIG_INVALID', `[operators] invalid LLM backend settings — ${problems.join('; ')}`);
  return [executor, director].filter((config): config is OpenAiBackendConfig => config !== undefined);
}

/** Backends by name, created once. */
export interface BackendRegistry {
  /** The backend named `name`; CONFIG_INVALID naming the configured ones when there is none. */
  get(name: string): OpenAiBackend;
  has(name: string): boolean;
  names(): string[];
  /** Stats of every backend by name. */
  stats(): Record<string, OpenAiBackendStats>;
}

/**
 * Creates one backend per config (names must be unique; a config without a name is `default`). `cache`
 * is used by every config that brings none of its own.
 */
export function createBackendRegistry(configs: readonly OpenAiBackendConfig[], options: { cache?: ResponseCache } = {}): BackendRegistry {
  const backends = new Map<string, OpenAiBackend>();
  for (const config of configs) {
    const name = config.name ?? 'default';
    if (backends.has(name)) throw new CoreError('CONFIG_INVALID', `[operators] expected unique backend names, got "${name}" twice`);
    const cache = config.cache ?? options.cache;
    backends.set(name, createOpenAiBackend({ ...config, name, ...(cache ? { cache } : {}) }));
  }
  return {
    get(name) {
      const backend = backends.get(name);
      if (!backend) {
        const known = [...backends.keys()];
        throw new CoreError(
          'CONFIG_INVALID',
          `[operators] expected an LLM backend named "${name}", got ${known.length === 0 ? 'none configured (set OPENAI_BASE_URL or OPENAI_API_KEY)' : `only ${known.join(', ')}`}`,
        );
      }
      return backend;
    },
    has: (name) => backends.has(name),
    names: () => [...backends.keys()],
    stats: () => Object.fromEntries([...backends].map(([name, backend]) => [name, backend.stats()])),
  };
}
