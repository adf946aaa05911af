/**
 * A result cache in front of a `CodeSandbox`, for deterministic programs (tests of generated code): the
 * same code, stdin and limits always give the same result, so repeated scoring of an unchanged program
 * costs nothing. Programs that read the clock, randomness or the file system may get a stale result.
 * @public
 */
import { createHash } from 'node:crypto';
import { CoreError } from '../errors.ts';
import type { CodeSandbox, SandboxResult, SandboxRunOptions } from './types.ts';

/** Options of `createCachedSandbox`. @public */
export interface CachedSandboxOptions {
  /** Results kept, least recently used evicted first; each holds up to 2 × outputBytes of text. @default 500 */
  readonly maxEntries?: number;
}

/** Cache counters: `hits` counts results served without starting a process (including joined in-flight runs). @public */
export interface CachedSandboxStats {
  readonly hits: number;
  readonly misses: number;
}

/** A `CodeSandbox` with a result cache. @public */
export interface CachedSandbox extends CodeSandbox {
  stats(): CachedSandboxStats;
}

interface InFlight {
  readonly key: string;
  readonly promise: Promise<SandboxResult>;
  readonly controller: AbortController;
  waiters: number;
}

/**
 * Wraps `inner` with an LRU cache keyed by sha256 of (code, stdin, limits). Hits return the stored result
 * with `cached: true`; concurrent identical calls share one in-flight run, which is aborted only when every
 * caller sharing it has aborted. Timed-out runs and thrown errors are not cached: they depend on load.
 * @public
 */
export function createCachedSandbox(inner: CodeSandbox, options: CachedSandboxOptions = {}): CachedSandbox {
  const maxEntries = options.maxEntries ?? 500;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new CoreError('CONFIG_INVALID', `expected maxEntries to be a positive integer, got ${String(maxEntries)}`);
  }
  const results = new Map<string, SandboxResult>();
  const inFlight = new Map<string, InFlight>();
  let hits = 0;
  let misses = 0;

  const remember = (key: string, result: SandboxResult): void => {
    if (result.timedOut) return;
    results.delete(key);
    results.set(key, result);
    if (results.size > maxEntries) {
      const oldest = results.keys().next();
      if (!oldest.done) results.delete(oldest.value);
    }
  };

  // A newer run of the same key may have replaced an abandoned one; only remove our own entry.
  const forget = (entry: InFlight): void => {
    if (inFlight.get(entry.key) === entry) inFlight.delete(entry.key);
  };

  const start = (key: string, code: string, runOptions: SandboxRunOptions): InFlight => {
    const controller = new AbortController();
    const promise = inner
      .runPython(code, { ...runOptions, signal: controller.signal })
      .then((result) => {
        remember(key, result);
        return result;
      })
      .finally(() => forget(entry));
    promise.catch(() => undefined); // every waiter observes the rejection itself
    const entry: InFlight = { key, promise, controller, waiters: 0 };
    inFlight.set(key, entry);
    return entry;
  };

  return {
    stats: () => ({ hits, misses }),
    async runPython(code: string, runOptions: SandboxRunOptions = {}): Promise<SandboxResult> {
      const { signal, ...rest } = runOptions;
      if (signal?.aborted) throw abortedError();
      const key = cacheKey(code, rest);
      const stored = results.get(key);
      if (stored) {
        hits += 1;
        results.delete(key); // refresh its LRU position
        results.set(key, stored);
        return { ...stored, cached: true };
      }
      let entry = inFlight.get(key);
      const joined = entry !== undefined;
      if (entry) hits += 1;
      else {
        misses += 1;
        entry = start(key, code, rest);
      }
      const result = await waitAs(entry, signal, forget);
      return joined ? { ...result, cached: true } : result;
    },
  };
}

/** Waits for a shared run on behalf of one caller; the caller's abort detaches it and aborts the run once nobody waits. */
function waitAs(entry: InFlight, signal: AbortSignal | undefined, forget: (entry: InFlight) => void): Promise<SandboxResult> {
  entry.waiters += 1;
  if (!signal) return entry.promise.finally(() => (entry.waiters -= 1));
  return new Promise<SandboxResult>((resolve, reject) => {
    const onAbort = (): void => {
      entry.waiters -= 1;
      if (entry.waiters === 0) {
        forget(entry); // later callers must start afresh, not join a run that is being killed
        entry.controller.abort();
      }
      reject(abortedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    entry.promise.then(
      (result) => {
        if (signal.aborted) return;
        signal.removeEventListener('abort', onAbort);
        entry.waiters -= 1;
        resolve(result);
      },
      (error: unknown) => {
        if (signal.aborted) return;
        signal.removeEventListener('abort', onAbort);
        entry.waiters -= 1;
        reject(error);
      },
    );
  });
}

function cacheKey(code: string, options: Omit<SandboxRunOptions, 'signal'>): string {
  const key = JSON.stringify([code, options.stdin ?? '', options.timeoutMs ?? null, options.memoryMb ?? null, options.outputBytes ?? null]);
  return createHash('sha256').update(key).digest('hex');
}

function abortedError(): CoreError {
  return new CoreError('ABORTED', 'expected the sandbox run to finish, got an abort signal');
}
