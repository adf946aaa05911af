/**
 * What every job runs on, built once per server: the operator registry, the code sandbox, the policy action
 * space, gold-carrying tasks by dataset, and the executor backend. The jobs layer is the only server code that
 * holds gold data (the simulated executor and the scorers need it); nothing from here reaches a client except
 * through the episode rows, which store task views and scores only.
 * @public
 */
import {
  ActionSpace,
  createCachedSandbox,
  createPythonSandbox,
  createTemplateLibrary,
  findDataset,
  selectTfBackend,
  type TfBackendInfo,
  type CodeSandbox,
  type LlmBackend,
  type OperatorRegistry,
  type Task,
  type TfBackendPreference,
} from '@flowsteer/core';
import {
  createBackendRegistry,
  createOperatorRegistry,
  createSimBackend,
  DEFAULT_SIM_PROFILE,
  SIM_PROFILE_NAMES,
  type BackendRegistry,
  type OpenAiBackendConfig,
  type OpenAiBackendStats,
  type ResponseCache,
} from '@flowsteer/operators';
import { AppError } from '../errors.ts';
import { createCachedDatasetLoader } from '../datasets/cachedDatasetLoader.ts';

/** Executor backends the jobs know: the simulator, and `openai` (runnable when the server has an endpoint configured). @public */
export const JOB_BACKENDS = ['sim', 'openai'] as const;

/** Options of {@link createJobRuntime}. @public */
export interface JobRuntimeOptions {
  /** Folder searched first for dataset files (`Env.datasetsDir`). */
  readonly datasetsDir?: string;
  /** `shared/datasets` beside the checkout; `null` skips it (tests use the bundled samples). */
  readonly sharedDir?: string | null;
  /** Bundled samples; `null` skips them. */
  readonly bundledDir?: string | null;
  /**
   * TensorFlow.js backend, selected once before the first policy is built (tfjs has one engine per process).
   * @default 'auto'
   */
  readonly tfBackend?: TfBackendPreference;
  /** Code sandbox; default: the Python sandbox behind a result cache. */
  readonly sandbox?: CodeSandbox;
  /**
   * OpenAI-compatible backends (`Env.llm`): `executor` makes the `openai` backend runnable, `director` serves the
   * `llm` policy. Created once and shared by every job, so their concurrency limits hold server-wide.
   */
  readonly llm?: readonly OpenAiBackendConfig[];
  /** Store of temperature-0 replies for those backends: `createDbResponseCache(db)` in the server. */
  readonly responseCache?: ResponseCache;
}

/** Shared dependencies of the training, agent and evaluation jobs. @public */
export interface JobRuntime {
  readonly registry: OperatorRegistry;
  readonly sandbox: CodeSandbox;
  /** The action space every job policy uses (the registry's operators, the built-in templates). */
  readonly space: ActionSpace;
  /** Backends that can run here: `sim`, plus `openai` when an executor endpoint is configured (for the catalogue). */
  readonly backends: readonly string[];
  /** Throws BAD_USER_INPUT unless the backend and profile can run here (saying what to set for `openai`). */
  assertBackend(backend: string, profile?: string): void;
  /** A fresh executor for one episode. `tasks` are those the simulator may look up (it alone reads their gold). */
  backendFor(options: { readonly backend: string; readonly profile?: string | undefined; readonly seed: number; readonly tasks: ReadonlyMap<string, Task> }): LlmBackend;
  /** "SIMULATED executor (…) — not LLM results" for the sim backend: shown with every result. */
  label(backend: string, profile?: string): string;
  /** The LLM that directs for the `llm` policy (`FLOWSTEER_DIRECTOR_MODEL`), or undefined when none is configured. */
  directorBackend(): LlmBackend | undefined;
  /** Counters (calls, cache hits, retries, errors, billed tokens and cost) of each real backend by name. */
  llmStats(): Record<string, OpenAiBackendStats>;
  /** Tasks of a dataset with their gold data, in file order, cached; `limit` keeps the first N. */
  loadTasks(dataset: string, limit?: number): Promise<Task[]>;
  /** Selects the TensorFlow.js backend once; every job awaits it before touching a policy. Resolves with what was chosen. */
  ready(): Promise<TfBackendInfo>;
}

/** Creates the job runtime; nothing is loaded until a job asks. @public */
export function createJobRuntime(options: JobRuntimeOptions = {}): JobRuntime {
  const registry = createOperatorRegistry();
  const sandbox = options.sandbox ?? createCachedSandbox(createPythonSandbox());
  const space = new ActionSpace({ operators: registry.names(), templates: createTemplateLibrary() });
  let tfReady: Promise<TfBackendInfo> | undefined;
  const llm: BackendRegistry = createBackendRegistry(options.llm ?? [], options.responseCache ? { cache: options.responseCache } : {});
  const backends: readonly string[] = llm.has('executor') ? ['sim', 'openai'] : ['sim'];

  const assertBackend = (backend: string, profile?: string): void => {
    if (!(JOB_BACKENDS as readonly string[]).includes(backend)) {
      throw new AppError('BAD_USER_INPUT', `expected a backend in [${JOB_BACKENDS.join(', ')}], got '${backend}'`);
    }
    if (backend === 'openai') {
      if (!llm.has('executor')) {
        throw new AppError(
          'BAD_USER_INPUT',
          "expected backend 'openai' to be configured on this server, got no endpoint: set OPENAI_BASE_URL (e.g. http://127.0.0.1:8000/v1) and FLOWSTEER_LLM_MODEL, or OPENAI_API_KEY for the OpenAI API, then restart it",
        );
      }
      if (profile !== undefined) {
        throw new AppError('BAD_USER_INPUT', `expected no sim profile with backend 'openai' (its model is FLOWSTEER_LLM_MODEL), got '${profile}'`);
      }
      return;
    }
    if (profile !== undefined && !SIM_PROFILE_NAMES.includes(profile)) {
      throw new AppError('BAD_USER_INPUT', `expected a sim profile in [${SIM_PROFILE_NAMES.join(', ')}], got '${profile}'`);
    }
  };

  const load = createCachedDatasetLoader(options, (result) => result.tasks);

  return {
    registry,
    sandbox,
    space,
    assertBackend,
    backends,
    backendFor({ backend, profile, seed, tasks }) {
      assertBackend(backend, profile);
      // One shared real backend: its concurrency limit and cache span every episode and job.
      if (backend === 'openai') return llm.get('executor');
      return createSimBackend({ profile: profile ?? DEFAULT_SIM_PROFILE, seed, oracle: (taskId) => tasks.get(taskId) });
    },
    label(backend, profile) {
      if (backend === 'openai' && llm.has('executor')) {
        const executor = llm.get('executor');
        return `LLM executor ${executor.model} at ${executor.endpoint} (OpenAI-compatible)`;
      }
      return backend === 'sim' ? `SIMULATED executor (${profile ?? DEFAULT_SIM_PROFILE}) — not LLM results` : backend;
    },
    directorBackend() {
      return llm.has('director') ? llm.get('director') : undefined;
    },
    llmStats: () => llm.stats(),
    async loadTasks(dataset, limit) {
      const canonical = findDataset(dataset)?.name ?? dataset;
      const tasks = await load(canonical);
      return limit === undefined ? tasks : tasks.slice(0, limit);
    },
    ready() {
      tfReady ??= selectTfBackend(options.tfBackend ?? 'auto', { fallback: true });
      return tfReady;
    },
  };
}
