import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCoreError } from '../errors.ts';
import { BUNDLED_SAMPLES_DIR, DATASETS, DEFAULT_SHARED_DIR, findDataset, loadDataset, resolveDataset } from './datasets.ts';

const emptyDir = mkdtempSync(join(tmpdir(), 'flowsteer-empty-'));
const userDir = mkdtempSync(join(tmpdir(), 'flowsteer-user-'));
writeFileSync(join(userDir, 'gsm8k.jsonl'), `${JSON.stringify({ id: 'gsm8k/u1', dataset: 'gsm8k', kind: 'math', question: 'q', answer: '1' })}\n`);
writeFileSync(join(userDir, 'aime2025.jsonl'), `${JSON.stringify({ id: 'aime2025/1', dataset: 'aime2025', kind: 'math', question: 'q', answer: '70' })}\n`);
const isolated = { env: {}, sharedDir: null } as const;

describe('catalogue', () => {
  it('lists the paper 12 benchmarks, 6 IID and 6 OOD, with their metrics', () => {
    expect(DATASETS).toHaveLength(12);
    expect(DATASETS.filter((d) => d.split === 'iid').map((d) => d.name)).toEqual(['gsm8k', 'math', 'hotpotqa', 'squad_v2', 'mbpp', 'humaneval']);
    expect(DATASETS.filter((d) => d.metric === 'em_f1').map((d) => d.name)).toEqual(['hotpotqa', 'squad_v2', 'triviaqa', 'nq']);
    expect(DATASETS.filter((d) => d.file === null).map((d) => d.name)).toEqual(['aime2025', 'apps']);
  });

  it('finds names case- and separator-insensitively, with aliases', () => {
    expect(findDataset('SQuAD-v2')?.name).toBe('squad_v2');
    expect(findDataset('squad')?.name).toBe('squad_v2');
    expect(findDataset('DS-1000')?.name).toBe('ds1000');
    expect(findDataset('aime')?.name).toBe('aime2025');
    expect(findDataset('natural_questions')?.name).toBe('nq');
    expect(findDataset('imagenet')).toBeUndefined();
  });

  it('has a bundled sample for every dataset with a file', () => {
    for (const d of DATASETS) if (d.file) expect(existsSync(join(BUNDLED_SAMPLES_DIR, d.file)), d.name).toBe(true);
  });
});

describe('resolveDataset', () => {
  it('returns a .jsonl path as-is as custom', () => {
    expect(resolveDataset('./my/tasks.jsonl')).toEqual({ path: './my/tasks.jsonl', origin: 'custom', info: null });
  });

  it('prefers dataDir, then FLOWSTEER_DATA_DIR', () => {
    expect(resolveDataset('gsm8k', { ...isolated, dataDir: userDir })).toMatchObject({ path: join(userDir, 'gsm8k.jsonl'), origin: 'shared' });
    expect(resolveDataset('gsm8k', { env: { FLOWSTEER_DATA_DIR: userDir }, sharedDir: null }).path).toBe(join(userDir, 'gsm8k.jsonl'));
    expect(resolveDataset('gsm8k', { ...isolated, dataDir: emptyDir, env: { FLOWSTEER_DATA_DIR: userDir } }).path).toBe(join(userDir, 'gsm8k.jsonl'));
  });

  it('falls back to the bundled samples', () => {
    expect(resolveDataset('math', { ...isolated, dataDir: emptyDir })).toMatchObject({ path: join(BUNDLED_SAMPLES_DIR, 'math.jsonl'), origin: 'bundled' });
  });

  it.skipIf(!existsSync(join(DEFAULT_SHARED_DIR, 'gsm8k.jsonl')))('finds shared/datasets beside the checkout', () => {
    expect(resolveDataset('gsm8k', { env: {} })).toMatchObject({ path: join(DEFAULT_SHARED_DIR, 'gsm8k.jsonl'), origin: 'shared' });
  });

  it('rejects an unknown name listing the known ones', () => {
    try {
      resolveDataset('imagenet');
      expect.unreachable();
    } catch (error) {
      expect(isCoreError(error, 'DATASET_INVALID')).toBe(true);
      expect((error as Error).message).toContain('unknown dataset "imagenet"; expected one of gsm8k, math, hotpotqa');
    }
  });

  it('explains that AIME 2025 and APPS ship no file, and uses a user file when there is one', () => {
    expect(() => resolveDataset('aime2025', isolated)).toThrow(/AIME 2025 is not shipped.*no aime2025\.jsonl found/);
    expect(() => resolveDataset('apps', isolated)).toThrow(/APPS is not shipped/);
    expect(resolveDataset('aime', { ...isolated, dataDir: userDir }).path).toBe(join(userDir, 'aime2025.jsonl'));
  });

  it('errors when no folder has the file', () => {
    expect(() => resolveDataset('nq', { ...isolated, bundledDir: null })).toThrow(/no nq\.jsonl found/);
  });
});

describe('loadDataset', () => {
  it('resolves and loads with a limit', async () => {
    const { tasks, errors, resolved } = await loadDataset('squad_v2', { ...isolated, limit: 5 });
    expect(resolved.origin).toBe('bundled');
    expect(errors).toEqual([]);
    expect(tasks).toHaveLength(5);
    expect(tasks.every((t) => t.kind === 'qa' && t.dataset === 'squad_v2')).toBe(true);
  });
});
