/**
 * Which benchmarks a `flowsteer bench` run covers (`--suite iid|ood|all|<comma list>`) and loading them. AIME 2025
 * and APPS ship no file (licence, no offline copy): when the user supplies none they become "not supplied" rows
 * rather than errors, so one missing file never hides the other ten results.
 * @public
 */
import {
  DATASETS,
  findDataset,
  isCoreError,
  loadTasksFromFile,
  resolveDataset,
  type DatasetInfo,
  type DatasetLineError,
  type ResolvedDataset,
  type Task,
} from '@flowsteer/core';
import { AppError } from '../errors.ts';

/** Named suites: the paper's in-distribution and out-of-distribution sets (spec §6), or both. @public */
export const BENCH_SUITES = ['iid', 'ood', 'all'] as const;

/** A named suite. @public */
export type BenchSuite = (typeof BENCH_SUITES)[number];

/**
 * The catalogue entries a `--suite` value names, in the paper's table order (IID first). A comma list may mix
 * suite names and dataset names (aliases such as `squad` or `aime` work). BAD_USER_INPUT for anything unknown.
 * @public
 */
export function selectBenchDatasets(suite: string): DatasetInfo[] {
  const parts = suite.split(',').map((part) => part.trim()).filter(Boolean);
  if (parts.length === 0) throw new AppError('BAD_USER_INPUT', `[bench] --suite: expected ${suiteChoices()}, got '${suite}'`);
  const chosen = new Set<string>();
  for (const part of parts) {
    const lower = part.toLowerCase();
    if ((BENCH_SUITES as readonly string[]).includes(lower)) {
      for (const info of DATASETS) if (lower === 'all' || info.split === lower) chosen.add(info.name);
      continue;
    }
    const info = findDataset(part);
    if (!info) throw new AppError('BAD_USER_INPUT', `[bench] --suite: expected ${suiteChoices()}, got unknown dataset '${part}'`);
    chosen.add(info.name);
  }
  return DATASETS.filter((info) => chosen.has(info.name));
}

function suiteChoices(): string {
  return `iid, ood, all or a comma list of datasets (${DATASETS.map((d) => d.name).join(', ')})`;
}

/** One benchmark of a run: its tasks, or why there are none. @public */
export interface BenchDataset {
  readonly info: DatasetInfo;
  /** `not_supplied`: no file anywhere (AIME 2025, APPS unless the user adds them); `empty`: a file with no usable record. */
  readonly status: 'loaded' | 'not_supplied' | 'empty';
  readonly tasks: readonly Task[];
  readonly path?: string;
  readonly origin?: 'shared' | 'bundled' | 'custom';
  /** Lines of the file that could not be read as records (reported, never fatal). */
  readonly errors: readonly DatasetLineError[];
  /** Why the dataset has no tasks. */
  readonly reason?: string;
  /** Tasks left out because a trained policy saw them in training (`keep` returned false). */
  readonly excluded: number;
}

/** Options of {@link loadBenchDatasets}. @public */
export interface LoadBenchDatasetsOptions {
  /** First N tasks of each dataset (after `keep`). */
  readonly limit?: number;
  /** Folder searched first (else FLOWSTEER_DATA_DIR, ../shared/datasets, the bundled samples). */
  readonly dataDir?: string;
  /** Tasks to evaluate; e.g. the test side of a trained policy's split. @default every task */
  readonly keep?: (task: Task, info: DatasetInfo) => boolean;
}

/** Loads every selected benchmark; a dataset with no file becomes a `not_supplied` entry, never an exception. @public */
export async function loadBenchDatasets(infos: readonly DatasetInfo[], options: LoadBenchDatasetsOptions = {}): Promise<BenchDataset[]> {
  const loaded: BenchDataset[] = [];
  for (const info of infos) {
    let resolved: ResolvedDataset;
    try {
      resolved = resolveDataset(info.name, options.dataDir === undefined ? {} : { dataDir: options.dataDir });
    } catch (error) {
      if (!isCoreError(error, 'DATASET_INVALID')) throw error;
      loaded.push({ info, status: 'not_supplied', tasks: [], errors: [], reason: error.message.replace(/^\[core\] /, ''), excluded: 0 });
      continue;
    }
    // With a filter the limit applies after it, so N test-side tasks are evaluated, not N minus the train side.
    const result = await loadTasksFromFile(resolved.path, options.limit === undefined || options.keep ? {} : { limit: options.limit });
    const kept = options.keep ? result.tasks.filter((task) => options.keep?.(task, info)) : result.tasks;
    const tasks = options.limit === undefined ? kept : kept.slice(0, options.limit);
    const source = { path: resolved.path, origin: resolved.origin, errors: result.errors, excluded: result.tasks.length - kept.length };
    loaded.push(
      tasks.length > 0
        ? { info, status: 'loaded', tasks, ...source }
        : { info, status: 'empty', tasks, ...source, reason: `no usable records in ${resolved.path}${kept.length < result.tasks.length ? ' after leaving out the training split' : ''}` },
    );
  }
  return loaded;
}
