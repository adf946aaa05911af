/**
 * One dataset loader for the server's long-lived parts (the API's task catalogue and the jobs runtime): core's
 * `loadDataset` with the server's folders, memoised per dataset name.
 * @internal
 */
import { loadDataset } from '@flowsteer/core';

/** What core's `loadDataset` resolves with (tasks, bad lines, where the file was found). */
export type LoadedDatasetFile = Awaited<ReturnType<typeof loadDataset>>;

/** Where datasets are looked up (`Env.datasetsDir`, then `../shared/datasets`, then the bundled samples). */
export interface DatasetFolders {
  readonly datasetsDir?: string;
  /** `null` skips the shared folder (tests use the bundled samples). */
  readonly sharedDir?: string | null;
  /** `null` skips the bundled samples. */
  readonly bundledDir?: string | null;
}

/**
 * Returns `load(name)`, which reads each dataset once and maps it with `map`. A failed load (a missing file) is not
 * remembered: the file may be added while the server runs.
 */
export function createCachedDatasetLoader<T>(folders: DatasetFolders, map: (loaded: LoadedDatasetFile, name: string) => T | Promise<T>): (name: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (name) => {
    let pending = cache.get(name);
    if (!pending) {
      pending = loadDataset(name, {
        // `env: {}`: the server's env.ts is the only reader of process.env; its datasets folder arrives as dataDir.
        env: {},
        ...(folders.datasetsDir === undefined ? {} : { dataDir: folders.datasetsDir }),
        ...(folders.sharedDir === undefined ? {} : { sharedDir: folders.sharedDir }),
        ...(folders.bundledDir === undefined ? {} : { bundledDir: folders.bundledDir }),
      }).then((loaded) => map(loaded, name));
      pending.catch(() => cache.delete(name));
      cache.set(name, pending);
    }
    return pending;
  };
}
