/**
 * The read-only catalogue the API exposes: operators (from the registry), datasets (core's catalogue) and their
 * tasks. Tasks leave this module only as core's `TaskView` (problem text and public tests), never with gold
 * answers, hidden tests or `meta` (reference solutions live there).
 * @public
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DATASETS, findDataset, toTaskView, type DatasetInfo, type OperatorSpec, type TaskView } from '@flowsteer/core';
import { createOperatorRegistry, listOperatorSpecs } from '@flowsteer/operators';
import { createCachedDatasetLoader } from '../datasets/cachedDatasetLoader.ts';

/** A catalogue dataset and whether it can be loaded here. @public */
export interface DatasetEntry {
  readonly info: DatasetInfo;
  /** Where the file was found, or null when it cannot be loaded. */
  readonly origin: 'shared' | 'bundled' | 'custom' | null;
  /** Number of tasks loaded, or null when unavailable. */
  readonly count: number | null;
  /** Why it cannot be loaded, when it cannot. */
  readonly unavailableReason: string | null;
  /** Licence and source from the data folder's `manifest.json`, when it has one. */
  readonly licence: string | null;
  readonly source: string | null;
}

/** Catalogue service shared by every request (datasets are loaded once, on first use). @public */
export interface Catalog {
  /** Executor backends this server can run. */
  readonly backends: readonly string[];
  /** True when results of `backend` come from the simulator. */
  isSimulated(backend: string): boolean;
  operators(): readonly OperatorSpec[];
  datasets(): Promise<readonly DatasetEntry[]>;
  /** Canonical dataset name for a user spelling (`squad` → `squad_v2`), or undefined. */
  canonicalDataset(name: string): string | undefined;
  /** Tasks of a loadable dataset as views (no gold); BAD_USER_INPUT-worthy failures are thrown as core errors. */
  tasks(dataset: string): Promise<readonly TaskView[]>;
  /** The view of one task by id (`<dataset>/<native id>`), or undefined. */
  findTask(taskId: string): Promise<TaskView | undefined>;
}

/** Options of {@link createCatalog}. @public */
export interface CatalogOptions {
  /** Folder searched first for dataset files (`Env.datasetsDir`). */
  readonly datasetsDir?: string;
  /** `shared/datasets` beside the checkout; `null` skips it (tests use the bundled samples only). */
  readonly sharedDir?: string | null;
  /** Bundled samples folder; `null` skips it. */
  readonly bundledDir?: string | null;
  /** Backends offered. @default ['sim'] */
  readonly backends?: readonly string[];
}

interface Loaded {
  readonly views: readonly TaskView[];
  readonly origin: DatasetEntry['origin'];
  readonly licence: string | null;
  readonly source: string | null;
}

/** Creates the catalogue. Nothing is read from disk until a dataset is asked for. @public */
export function createCatalog(options: CatalogOptions = {}): Catalog {
  const registry = createOperatorRegistry();
  const operatorSpecs = listOperatorSpecs(registry);
  const backends = options.backends ?? ['sim'];
  const load = createCachedDatasetLoader<Loaded>(options, async (result, name) => ({
    views: result.tasks.map(toTaskView),
    origin: result.resolved.origin,
    ...(await readProvenance(result.resolved.path, name)),
  }));

  return {
    backends,
    isSimulated: (backend) => backend === 'sim',
    operators: () => operatorSpecs,
    async datasets() {
      return Promise.all(
        DATASETS.map(async (info): Promise<DatasetEntry> => {
          try {
            const loaded = await load(info.name);
            const { origin, licence, source } = loaded;
            return { info, origin, count: loaded.views.length, unavailableReason: null, licence, source };
          } catch (error) {
            const unavailableReason = error instanceof Error ? error.message : String(error);
            return { info, origin: null, count: null, unavailableReason, licence: null, source: null };
          }
        }),
      );
    },
    canonicalDataset: (name) => findDataset(name)?.name,
    async tasks(dataset) {
      const canonical = findDataset(dataset)?.name ?? dataset;
      return (await load(canonical)).views;
    },
    async findTask(taskId) {
      const slash = taskId.indexOf('/');
      if (slash <= 0) return undefined;
      const dataset = findDataset(taskId.slice(0, slash))?.name;
      if (!dataset) return undefined;
      try {
        return (await load(dataset)).views.find((view) => view.id === taskId);
      } catch {
        return undefined;
      }
    },
  };
}

// The shared data folder has a manifest with licence and source per dataset; the bundled samples do not.
async function readProvenance(path: string, name: string): Promise<{ licence: string | null; source: string | null }> {
  try {
    const manifest = JSON.parse(await readFile(join(dirname(path), 'manifest.json'), 'utf8')) as {
      datasets?: Record<string, { license?: unknown; source?: unknown }>;
    };
    const entry = manifest.datasets?.[name];
    return {
      licence: typeof entry?.license === 'string' ? entry.license : null,
      source: typeof entry?.source === 'string' ? entry.source : null,
    };
  } catch {
    return { licence: null, source: null };
  }
}
