/**
 * The paper's 12 benchmarks (spec §6) and where their JSONL files are found: an explicit data folder, then
 * `FLOWSTEER_DATA_DIR`, then `shared/datasets` beside the checkout, then the slices bundled in
 * `packages/core/data/samples` (so a fresh machine works without `../shared`).
 * @public
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreError } from '../errors.ts';
import { loadTasksFromFile, type LoadTasksResult } from './loadTasks.ts';
import type { TaskKind } from './types.ts';

/** Canonical names of the paper's benchmarks. */
export type DatasetName =
  | 'gsm8k'
  | 'math'
  | 'hotpotqa'
  | 'squad_v2'
  | 'mbpp'
  | 'humaneval'
  | 'triviaqa'
  | 'nq'
  | 'mathqa'
  | 'aime2025'
  | 'apps'
  | 'ds1000';

/** The metric the paper reports for a benchmark. */
export type DatasetMetric = 'accuracy' | 'em_f1' | 'pass@1';

/** One benchmark of the catalogue. */
export interface DatasetInfo {
  readonly name: DatasetName;
  /** Name as the paper's tables print it. */
  readonly displayName: string;
  readonly kind: TaskKind;
  readonly metric: DatasetMetric;
  /** In-distribution (train + test) or out-of-distribution (test only). */
  readonly split: 'iid' | 'ood';
  /** File name in a data folder; null when no file ships (the user must provide one). */
  readonly file: string | null;
  /** Why there is no file, when `file` is null. */
  readonly unavailableReason?: string;
}

/** The catalogue in the paper's table order (IID first). */
export const DATASETS: readonly DatasetInfo[] = Object.freeze([
  { name: 'gsm8k', displayName: 'GSM8K', kind: 'math', metric: 'accuracy', split: 'iid', file: 'gsm8k.jsonl' },
  { name: 'math', displayName: 'MATH', kind: 'math', metric: 'accuracy', split: 'iid', file: 'math.jsonl' },
  { name: 'hotpotqa', displayName: 'HotPotQA', kind: 'qa', metric: 'em_f1', split: 'iid', file: 'hotpotqa.jsonl' },
  { name: 'squad_v2', displayName: 'SQuAD v2', kind: 'qa', metric: 'em_f1', split: 'iid', file: 'squad_v2.jsonl' },
  { name: 'mbpp', displayName: 'MBPP', kind: 'code', metric: 'pass@1', split: 'iid', file: 'mbpp.jsonl' },
  { name: 'humaneval', displayName: 'HumanEval', kind: 'code', metric: 'pass@1', split: 'iid', file: 'humaneval.jsonl' },
  { name: 'triviaqa', displayName: 'TriviaQA', kind: 'qa', metric: 'em_f1', split: 'ood', file: 'triviaqa.jsonl' },
  { name: 'nq', displayName: 'NaturalQuestions', kind: 'qa', metric: 'em_f1', split: 'ood', file: 'nq.jsonl' },
  { name: 'mathqa', displayName: 'MathQA', kind: 'math', metric: 'accuracy', split: 'ood', file: 'mathqa.jsonl' },
  {
    name: 'aime2025', displayName: 'AIME 2025', kind: 'math', metric: 'accuracy', split: 'ood', file: null,
    unavailableReason: 'not shipped: the problems are (c) MAA with no redistribution licence',
  },
  {
    name: 'apps', displayName: 'APPS', kind: 'code', metric: 'pass@1', split: 'ood', file: null,
    unavailableReason: 'not shipped: no redistributable offline copy of the APPS test split',
  },
  { name: 'ds1000', displayName: 'DS-1000', kind: 'code', metric: 'pass@1', split: 'ood', file: 'ds1000.jsonl' },
] satisfies DatasetInfo[]);

// Compact spellings (lower case, letters and digits only) → canonical name.
const ALIASES: Readonly<Record<string, DatasetName>> = {
  squad: 'squad_v2',
  squadv2: 'squad_v2',
  naturalquestions: 'nq',
  nqopen: 'nq',
  aime: 'aime2025',
  hotpot: 'hotpotqa',
};

/** The catalogue entry for `name` (case, `-`/`_` and aliases such as `squad` or `aime` tolerated), or undefined. */
export function findDataset(name: string): DatasetInfo | undefined {
  const compact = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  const alias = ALIASES[compact];
  return DATASETS.find((d) => d.name === alias || d.name.replace(/_/g, '') === compact);
}

/** Where a dataset file was found. */
export interface ResolvedDataset {
  readonly path: string;
  /** `custom`: a user path; `shared`: a data folder (option, env or `../shared/datasets`); `bundled`: the samples. */
  readonly origin: 'shared' | 'bundled' | 'custom';
  /** Catalogue entry; null for a custom file. */
  readonly info: DatasetInfo | null;
}

/** Options of {@link resolveDataset}. */
export interface ResolveDatasetOptions {
  /** Folder searched first. */
  readonly dataDir?: string;
  /** Environment read for `FLOWSTEER_DATA_DIR`. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The `shared/datasets` folder beside the checkout; `null` skips it. @default <repo>/../shared/datasets */
  readonly sharedDir?: string | null;
  /** The bundled samples folder; `null` skips it. @default packages/core/data/samples */
  readonly bundledDir?: string | null;
}

/** `shared/datasets` beside the checkout: packages/core/src/tasks → five levels up. */
export const DEFAULT_SHARED_DIR = fileURLToPath(new URL('../../../../../shared/datasets', import.meta.url));

/** The sample slices committed with the package. */
export const BUNDLED_SAMPLES_DIR = fileURLToPath(new URL('../../data/samples', import.meta.url));

/**
 * Finds the JSONL file of a dataset. A name ending in `.jsonl` is a user file, returned as-is. Otherwise the
 * name must be in the catalogue and is looked up in `dataDir`, `FLOWSTEER_DATA_DIR`, the shared folder, then
 * the bundled samples. Throws DATASET_INVALID for an unknown name or a dataset with no file anywhere.
 */
export function resolveDataset(name: string, options: ResolveDatasetOptions = {}): ResolvedDataset {
  if (/\.jsonl$/i.test(name.trim())) return { path: name.trim(), origin: 'custom', info: null };
  const info = findDataset(name);
  if (!info) {
    throw new CoreError(
      'DATASET_INVALID',
      `unknown dataset "${name}"; expected one of ${DATASETS.map((d) => d.name).join(', ')} or a path to a .jsonl file`,
    );
  }
  const fileName = info.file ?? `${info.name}.jsonl`;
  const env = options.env ?? process.env;
  const dataDirs = [options.dataDir, env['FLOWSTEER_DATA_DIR'], options.sharedDir === undefined ? DEFAULT_SHARED_DIR : options.sharedDir];
  for (const dir of dataDirs) {
    if (dir && existsSync(join(dir, fileName))) return { path: join(dir, fileName), origin: 'shared', info };
  }
  const bundledDir = options.bundledDir === undefined ? BUNDLED_SAMPLES_DIR : options.bundledDir;
  if (info.file !== null && bundledDir && existsSync(join(bundledDir, fileName))) {
    return { path: join(bundledDir, fileName), origin: 'bundled', info };
  }
  const searched = [...dataDirs, info.file === null ? null : bundledDir].filter((d): d is string => Boolean(d));
  const why = info.unavailableReason ? `${info.displayName} is ${info.unavailableReason}; ` : '';
  throw new CoreError(
    'DATASET_INVALID',
    `${why}no ${fileName} found (searched ${searched.join(', ') || 'nothing'}); put ${fileName} in a data folder ` +
      `(dataDir option or FLOWSTEER_DATA_DIR) or pass a path to a .jsonl file`,
  );
}

/** Resolves a dataset (see {@link resolveDataset}) and loads it; bad lines are reported, not thrown. */
export async function loadDataset(
  name: string,
  options: ResolveDatasetOptions & { readonly limit?: number } = {},
): Promise<LoadTasksResult & { readonly resolved: ResolvedDataset }> {
  const resolved = resolveDataset(name, options);
  const result = await loadTasksFromFile(resolved.path, options.limit === undefined ? {} : { limit: options.limit });
  return { ...result, resolved };
}

