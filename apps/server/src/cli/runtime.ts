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
import { createOperatorRegistry, createSimBackend, DEFAULT_SIM_PROFILE, SIM_PROFILE_NAMES } from '@flowsteer/operators';

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

/** Executor dependencies for a command. */
export interface Runtime {
  readonly registry: OperatorRegistry;
  readonly backend: LlmBackend;
  readonly sandbox: CodeSandbox & { stats(): { hits: number; misses: number } };
  /** Label that must accompany every result produced with this runtime. */
  readonly label: string;
}

export interface RuntimeOptions {
  readonly backend: string;
  readonly profile?: string;
  readonly seed?: number;
  /** Tasks the simulated executor may look up (it alone reads their gold data). */
  readonly tasks: readonly Task[];
}

/** Creates registry + backend + sandbox. Only the `sim` backend exists so far. */
export function createRuntime(options: RuntimeOptions): Runtime {
  if (options.backend !== 'sim') {
    throw new CoreError('CONFIG_INVALID', `[cli] unknown backend '${options.backend}'; expected sim (real LLM backends arrive with the openai backend)`);
  }
  const profile = options.profile ?? DEFAULT_SIM_PROFILE;
  if (!SIM_PROFILE_NAMES.includes(profile)) {
    throw new CoreError('CONFIG_INVALID', `[cli] unknown sim profile '${profile}'; expected one of ${SIM_PROFILE_NAMES.join(', ')}`);
  }
  const byId = new Map(options.tasks.map((task) => [task.id, task]));
  const backend = createSimBackend({ profile, seed: options.seed ?? 0, oracle: (taskId) => byId.get(taskId) });
  return {
    registry: createOperatorRegistry(),
    backend,
    sandbox: createCachedSandbox(createPythonSandbox()),
    label: `SIMULATED executor (${backend.model}) — not LLM results`,
  };
}
