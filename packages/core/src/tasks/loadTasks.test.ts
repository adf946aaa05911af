import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCoreError } from '../errors.ts';
import { BUNDLED_SAMPLES_DIR } from './datasets.ts';
import { loadTasksFromFile } from './loadTasks.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowsteer-load-'));
const good = (id: string): string => JSON.stringify({ id, dataset: 'd', kind: 'math', question: 'q', answer: '1', source: 's', meta: {} });

function writeJsonl(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('loadTasksFromFile', () => {
  it('reports bad lines with file and line number and keeps loading', async () => {
    const path = writeJsonl('mixed.jsonl', [good('d/1'), '{not json', '', good('d/2'), JSON.stringify({ id: 'd/3', kind: 'math' }), good('d/1'), good('d/4')]);
    const { tasks, errors } = await loadTasksFromFile(path);
    expect(tasks.map((t) => t.id)).toEqual(['d/1', 'd/2', 'd/4']);
    expect(errors.map((e) => [e.file, e.line])).toEqual([
      [path, 2],
      [path, 5],
      [path, 6],
    ]);
    expect(errors[0]?.message).toMatch(new RegExp(`^${path}:2: invalid JSON \\(`));
    expect(errors[1]?.message).toBe(`${path}:5: field "dataset": expected a non-empty string, got nothing (missing)`);
    expect(errors[2]?.message).toContain('got the duplicate "d/1"');
  });

  it('stops after limit valid tasks', async () => {
    const path = writeJsonl('limit.jsonl', [good('d/1'), 'oops', good('d/2'), good('d/3')]);
    const { tasks, errors } = await loadTasksFromFile(path, { limit: 2 });
    expect(tasks.map((t) => t.id)).toEqual(['d/1', 'd/2']);
    expect(errors).toHaveLength(1);
    expect((await loadTasksFromFile(path, { limit: 0 })).tasks).toEqual([]);
  });

  it('strips a byte-order mark and accepts CRLF line endings', async () => {
    const path = join(dir, 'bom.jsonl');
    writeFileSync(path, `\uFEFF${good('d/1')}\r\n${good('d/2')}\r\n`);
    const { tasks, errors } = await loadTasksFromFile(path);
    expect(errors).toEqual([]);
    expect(tasks).toHaveLength(2);
  });

  it('throws DATASET_INVALID for a missing file or a bad limit', async () => {
    const missing = loadTasksFromFile(join(dir, 'missing.jsonl'));
    await expect(missing).rejects.toSatisfy((e) => isCoreError(e, 'DATASET_INVALID'));
    await expect(loadTasksFromFile(join(dir, 'missing.jsonl'))).rejects.toThrow(/cannot read dataset file .*missing\.jsonl.*ENOENT/);
    await expect(loadTasksFromFile(join(dir, 'limit.jsonl'), { limit: -1 })).rejects.toThrow(/expected limit to be an integer >= 0, got -1/);
  });

  it('loads a bundled sample in file order', async () => {
    const { tasks, errors } = await loadTasksFromFile(join(BUNDLED_SAMPLES_DIR, 'humaneval.jsonl'), { limit: 3 });
    expect(errors).toEqual([]);
    expect(tasks.map((t) => t.id)).toEqual(['humaneval/0', 'humaneval/1', 'humaneval/2']);
  });
});
