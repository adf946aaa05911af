/**
 * Builds what a CLI command runs on: tasks from datasets, the operator registry, the LLM backend and the
 * code sandbox. The one place that maps CLI names (`--backend sim --profile …`) to implementations.
 * @public
 */
import {
  CoreError,
  createCachedSandbox,
  createPythonSandbox,
  loadDataset,
  type CodeSandbox,
  type DatasetLineError,
  type LlmBackend,
  type OperatorRegistry,
  type Task,
} from '@flowsteer/core';
import {
  createMemoryResponseCache,
  createOpenAiBackend,
  createOperatorRegistry,
  createSimBackend,
  DEFAULT_SIM_PROFILE,
  SIM_PROFILE_NAMES,
  type OpenAiBackend,
  type OpenAiBackendConfig,
  type OpenAiBackendEvent,
  type ResponseCache,
} from '@flowsteer/operators';
import { loadLlmEnv } from '../env.ts';

/** Where each dataset came from and how many records loaded. */
export interface LoadedDataset {
  readonly dataset: string;
  readonly path: string;
  readonly origin: 'shared' | 'bundled' | 'custom';
  readonly count: number;
  readonly errors: readonly DatasetLineError[];
}

/** Loads the comma-separated datasets; bad lines are reported, never fatal. */
export async function loadDatasets(names: readonly string[], options: { limit?: number; dataDir?: string } = {}): Promise<{ tasks: Task[]; loaded: LoadedDataset[] }> {
  const tasks: Task[] = [];
  const loaded: LoadedDataset[] = [];
  for (const name of names) {
    const result = await loadDataset(name, {
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    });
    tasks.push(...result.tasks);
    loaded.push({ dataset: name, path: result.resolved.path, origin: result.resolved.origin, count: result.tasks.length, errors: result.errors });
  }
  return { tasks, loaded };
}

/** Executor backends the CLI can run. */
export const CLI_BACKENDS = ['sim', 'openai'] as const;

/** Executor dependencies for a command. */
export interface Runtime {
  readonly registry: OperatorRegistry;
  readonly backend: LlmBackend;
  readonly sandbox: CodeSandbox & { stats(): { hits: number; misses: number } };
  /** Label that must accompany every result produced with this runtime. */
  readonly label: string;
  /** The executor of one episode: a fresh seeded simulator for `sim`; the one shared backend for `openai`. */
  backendFor(seed: number): LlmBackend;
  /**
   * A real LLM by configured name (`executor`, `director`) or, any other name, that model at the director's
   * (else the executor's) endpoint — what `--policy llm:<name>` runs on. Created once per name, on first use;
   * CONFIG_INVALID saying what to set when no endpoint is configured.
   */
  llmBackend(name: string): LlmBackend;
  /** One line per real LLM backend used so far: calls, cache hit rate, retries, errors, billed tokens and cost. */
  usageLines(): string[];
}

export interface RuntimeOptions {
  readonly backend: string;
  readonly profile?: string;
  readonly seed?: number;
  /** Tasks the simulated executor may look up (it alone reads their gold data). */
  readonly tasks: readonly Task[];
  /** `--model`: the openai executor's model (else `FLOWSTEER_LLM_MODEL`). */
  readonly model?: string;
  /** `--base-url`: the openai executor's endpoint (else `OPENAI_BASE_URL`). */
  readonly baseUrl?: string;
  /** LLM backend configs; default: read from the environment (on first use), `model`/`baseUrl` applied. */
  readonly llm?: readonly OpenAiBackendConfig[];
  /** Store of temperature-0 replies, shared by every real backend. @default an in-memory cache for this process */
  readonly cache?: ResponseCache;
  /** Where retries, truncated replies and cache failures are reported (stderr in the commands). */
  readonly log?: (line: string) => void;
}

/** Creates registry + backend + sandbox for `sim` (the simulated executor) or `openai` (any OpenAI-compatible endpoint). */
export function createRuntime(options: RuntimeOptions): Runtime {
  if (!(CLI_BACKENDS as readonly string[]).includes(options.backend)) {
    throw new CoreError('CONFIG_INVALID', `[cli] unknown backend '${options.backend}'; expected one of ${CLI_BACKENDS.join(', ')}`);
  }
  const llm = createLlmBackends(options);
  const common = { registry: createOperatorRegistry(), sandbox: createCachedSandbox(createPythonSandbox()), llmBackend: llm.get, usageLines: llm.usageLines };
  if (options.backend === 'openai') {
    if (options.profile !== undefined) {
      throw new CoreError('CONFIG_INVALID', `[cli] --profile picks a sim profile; expected no --profile with --backend openai (use --model), got '${options.profile}'`);
    }
    const backend = llm.get('executor');
    const { temperature } = backend.config;
    return {
      ...common,
      backend,
      label: `LLM executor ${backend.model} at ${backend.endpoint} (OpenAI-compatible, temperature ${temperature})`,
      backendFor: () => backend,
    };
  }
  if (options.model !== undefined || options.baseUrl !== undefined) {
    throw new CoreError('CONFIG_INVALID', `[cli] --model and --base-url choose a real LLM executor; expected them with --backend openai, got --backend ${options.backend}`);
  }
  const profile = options.profile ?? DEFAULT_SIM_PROFILE;
  if (!SIM_PROFILE_NAMES.includes(profile)) {
    throw new CoreError('CONFIG_INVALID', `[cli] unknown sim profile '${profile}'; expected one of ${SIM_PROFILE_NAMES.join(', ')}`);
  }
  const byId = new Map(options.tasks.map((task) => [task.id, task]));
  const backendFor = (seed: number): LlmBackend => createSimBackend({ profile, seed, oracle: (taskId) => byId.get(taskId) });
  const backend = backendFor(options.seed ?? 0);
  return { ...common, backend, label: `SIMULATED executor (${backend.model}) — not LLM results`, backendFor };
}

/** The real backends of one command, created by name on first use and sharing one cache. */
function createLlmBackends(options: RuntimeOptions): { get(name: string): OpenAiBackend; usageLines(): string[] } {
  const created = new Map<string, OpenAiBackend>();
  const cache = options.cache ?? createMemoryResponseCache();
  let configs: readonly OpenAiBackendConfig[] | undefined;
  const log = options.log;
  const build = (config: OpenAiBackendConfig): OpenAiBackend =>
    createOpenAiBackend({ ...config, cache, ...(log ? { onEvent: (event: OpenAiBackendEvent) => log(describeEvent(event)) } : {}) });
  return {
    get(name) {
      const existing = created.get(name);
      if (existing) return existing;
      configs ??= options.llm ?? loadLlmEnv({ FLOWSTEER_LLM_MODEL: options.model, OPENAI_BASE_URL: options.baseUrl });
      const named = configs.find((config) => config.name === name);
      const endpoint = configs.find((config) => config.name === 'director') ?? configs.find((config) => config.name === 'executor');
      let backend: OpenAiBackend;
      if (named && name === 'executor') {
        backend = build({ ...named, ...(options.model === undefined ? {} : { model: options.model }), ...(options.baseUrl === undefined ? {} : { baseURL: options.baseUrl }) });
      } else if (named) {
        backend = build(named);
      } else if (endpoint && name !== 'executor' && name !== 'director') {
        backend = build({ ...endpoint, name, model: name });
      } else {
        throw new CoreError(
          'CONFIG_INVALID',
          `[cli] expected an OpenAI-compatible endpoint for the LLM "${name}", got none configured; pass --base-url URL (e.g. http://127.0.0.1:8000/v1) ` +
            'or set OPENAI_BASE_URL (OPENAI_API_KEY alone means the OpenAI API), and FLOWSTEER_DIRECTOR_MODEL for a director',
        );
      }
      created.set(name, backend);
      return backend;
    },
    usageLines: () => [...created.values()].map(formatUsageLine),
  };
}

/** "LLM usage (executor gpt-4o-mini): 120 calls, cache hit rate 25.0% (30/120), 2 retries, 0 errors, billed 51234 prompt + 8123 completion tokens, $0.01256 (saved $0.00411)". */
export function formatUsageLine(backend: OpenAiBackend): string {
  const s = backend.stats();
  const rate = backend.cacheHitRate();
  const hitRate = rate === undefined ? 'no cacheable (temperature-0) calls' : `cache hit rate ${(100 * rate).toFixed(1)}% (${s.cacheHits}/${s.cacheHits + s.cacheMisses})`;
  return (
    `LLM usage (${backend.role} ${backend.model}): ${s.requests} calls, ${hitRate}, ${s.httpRequests} HTTP requests, ${s.retries} retries, ${s.errors} errors` +
    `${s.truncated > 0 ? `, ${s.truncated} truncated replies` : ''}, billed ${s.promptTokens} prompt + ${s.completionTokens} completion tokens, ` +
    `$${s.costUsd.toFixed(5)}${s.savedCostUsd > 0 ? ` (cache saved $${s.savedCostUsd.toFixed(5)})` : ''}${backend.price.known ? '' : ` (no price known for ${backend.model}: cost counted as 0)`}`
  );
}

function describeEvent(event: OpenAiBackendEvent): string {
  switch (event.type) {
    case 'retry':
      return `llm ${event.backend}: attempt ${event.attempt} failed (${event.failure.detail}); retrying in ${event.delayMs} ms`;
    case 'truncated':
      return `llm ${event.backend}: reply of ${event.model} cut at the token limit (${event.completionTokens} completion tokens); the partial text is used`;
    case 'cacheError':
      return `llm ${event.backend}: response cache ${event.operation} failed (${event.error instanceof Error ? event.error.message : String(event.error)})`;
  }
}
