/**
 * Streams a JSONL dataset file into tasks. A bad line (invalid JSON, an invalid record, a duplicate id) is
 * reported with its file and line number and skipped; it never aborts the load. Only an unreadable file throws.
 * @public
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { CoreError } from '../errors.ts';
import { normalizeRecord } from './normalizeRecord.ts';
import type { Task } from './types.ts';

/** One skipped line of a dataset file. */
export interface DatasetLineError {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** What was wrong, prefixed with `<file>:<line>:`. */
  readonly message: string;
}

/** Options of {@link loadTasksFromFile}. */
export interface LoadTasksOptions {
  /** Stop after this many valid tasks (bad lines before that point are still reported). */
  readonly limit?: number;
}

/** Tasks read from a file plus the lines that were skipped. */
export interface LoadTasksResult {
  readonly tasks: Task[];
  readonly errors: DatasetLineError[];
}

/**
 * Reads `path` line by line (UTF-8, optional BOM, blank lines ignored) and normalises every record.
 * Throws DATASET_INVALID only when the file cannot be opened or read, or when `limit` is not an integer ≥ 0.
 */
export async function loadTasksFromFile(path: string, options: LoadTasksOptions = {}): Promise<LoadTasksResult> {
  const limit = options.limit ?? Infinity;
  if (limit !== Infinity && (!Number.isInteger(limit) || limit < 0)) {
    throw new CoreError('DATASET_INVALID', `expected limit to be an integer >= 0, got ${String(limit)}`);
  }
  const tasks: Task[] = [];
  const errors: DatasetLineError[] = [];
  if (limit === 0) return { tasks, errors };
  const seen = new Set<string>();
  const stream = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const rawLine of lines) {
      lineNumber++;
      const text = lineNumber === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine;
      if (text.trim() === '') continue;
      const report = (message: string): void => {
        errors.push({ file: path, line: lineNumber, message: `${path}:${lineNumber}: ${message}` });
      };
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        report(`invalid JSON (${error instanceof Error ? error.message : String(error)})`);
        continue;
      }
      const result = normalizeRecord(parsed, { file: path, line: lineNumber });
      if (!result.ok) {
        errors.push({ file: path, line: lineNumber, message: result.error });
        continue;
      }
      if (seen.has(result.task.id)) {
        report(`field "id": expected an id unique within the file, got the duplicate ${JSON.stringify(result.task.id)}`);
        continue;
      }
      seen.add(result.task.id);
      tasks.push(result.task);
      if (tasks.length >= limit) break;
    }
  } catch (error) {
    throw new CoreError('DATASET_INVALID', `cannot read dataset file "${path}": ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  } finally {
    lines.close();
    stream.destroy();
  }
  return { tasks, errors };
}
