/**
 * A lock file with the owner's pid inside a PGlite data folder. PGlite is a single-process database: two
 * processes (or two `openDatabase` calls in one process) writing one folder corrupt it, and PGlite's own
 * `postmaster.pid` is a fixed fake, so nothing else would stop it.
 * @internal
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../errors.ts';

/** File name of the lock inside the data folder. @internal */
export const LOCK_FILE_NAME = 'flowsteer.lock';

/** A held lock; `release()` removes the file and is idempotent. @internal */
export interface DataDirLock {
  readonly path: string;
  release(): void;
}

// Folders this process holds: a pid check alone cannot tell "held by me" from "left by a dead process that
// had my pid", which happens after a restart in a container (pids start over).
const heldHere = new Set<string>();

/**
 * Takes the lock on `folder` (an absolute path), replacing a stale one whose process is gone.
 * Throws AppError CONFLICT when a live process, this one included, holds it.
 * @internal
 */
export function acquireDataDirLock(folder: string): DataDirLock {
  const path = join(folder, LOCK_FILE_NAME);
  if (heldHere.has(folder)) {
    throw new AppError('CONFLICT', `expected the PGlite data folder ${folder} to be free, got it already open in this process (pid ${process.pid})`);
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      heldHere.add(folder);
      return { path, release: () => release(folder, path) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner(path);
    if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
      throw new AppError(
        'CONFLICT',
        `expected the PGlite data folder ${folder} to be free, got it held by process ${owner} (${path}); ` +
          'stop that server or use another --data-dir / DATABASE_URL',
      );
    }
    // Stale: the owner died without closing (SIGKILL, crash). Remove it and try once more, so two processes
    // racing for the same stale lock cannot both win: only one `wx` open succeeds.
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new AppError('CONFLICT', `expected to take the lock ${path}, got it taken by another process while replacing a stale one`);
}

function release(folder: string, path: string): void {
  if (!heldHere.delete(folder)) return;
  try {
    unlinkSync(path);
  } catch {
    // Already gone (the folder was deleted): nothing left to release.
  }
}

function readOwner(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; it still holds the folder.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
