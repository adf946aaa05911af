import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { isCoreError } from '../../errors.ts';
import { disposeTfBackends, formatTfBackendInfo, readDawnFlags, readTfBackendPreference, selectTfBackend } from './tfBackend.ts';
import { tf } from './tf.ts';

function isInstalled(specifier: string): boolean {
  try {
    createRequire(import.meta.url).resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

const tfjsNodeInstalled = isInstalled('@tensorflow/tfjs-node');
const previous = tf.engine().backendName;

afterAll(async () => {
  disposeTfBackends();
  if (previous) await tf.setBackend(previous);
});

describe('selectTfBackend', () => {
  it('selects cpu on request, activates it and logs one line', async () => {
    const lines: string[] = [];
    const info = await selectTfBackend('cpu', { log: (line) => lines.push(line) });
    expect(info).toMatchObject({ name: 'cpu', requested: 'cpu', tfjsVersion: tf.version.tfjs });
    expect(info.wasm).toBeUndefined();
    expect(tf.getBackend()).toBe('cpu');
    expect(lines).toEqual([formatTfBackendInfo(info)]);
    expect(lines[0]).toMatch(/backend: cpu \(requested cpu; cpu chosen: /);
  });

  it('selects wasm with SIMD and without threads under Node', async () => {
    const info = await selectTfBackend('wasm');
    expect(info.name).toBe('wasm');
    expect(info.wasm).toEqual({ simd: true, threads: false });
    expect(info.reason).toContain('wasm chosen: SIMD, single-threaded');
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.sum(tf.tensor1d([1, 2, 3])).dataSync()[0]).toBe(6);
  });

  it('returns the same info on a second call and re-activates that backend', async () => {
    const first = await selectTfBackend('wasm');
    await selectTfBackend('cpu');
    const second = await selectTfBackend('wasm');
    expect(second).toBe(first);
    expect(tf.getBackend()).toBe('wasm');
  });

  it.skipIf(tfjsNodeInstalled)('rejects an unavailable explicit tensorflow backend with CONFIG_INVALID', async () => {
    const error: unknown = await selectTfBackend('tensorflow').catch((e: unknown) => e);
    expect(isCoreError(error, 'CONFIG_INVALID')).toBe(true);
    expect(String(error)).toMatch(/expected TF backend 'tensorflow' to be available, got tensorflow: @tensorflow\/tfjs-node is not installed/);
  });

  it.skipIf(tfjsNodeInstalled)('falls back from tensorflow to wasm when fallback is set', async () => {
    const info = await selectTfBackend('tensorflow', { fallback: true });
    expect(info).toMatchObject({ name: 'wasm', requested: 'tensorflow' });
    expect(info.attempts.map((a) => [a.backend, a.ok])).toEqual([
      ['tensorflow', false],
      ['wasm', true],
    ]);
    expect(info.reason).toMatch(/^tensorflow skipped: .*not installed.*; wasm chosen: /);
  });

  it('tries webgpu first under auto and explains every skipped backend', async () => {
    const info = await selectTfBackend('auto');
    expect(info.requested).toBe('auto');
    expect(info.attempts[0]?.backend).toBe('webgpu');
    expect(info.attempts.at(-1)).toMatchObject({ backend: info.name, ok: true });
    expect(info.attempts.slice(0, -1).every((a) => !a.ok && a.detail.length > 0)).toBe(true);
    if (info.name === 'webgpu') expect(info.adapter?.software).toBe(false);
    else expect(info.name).toBe(tfjsNodeInstalled ? 'tensorflow' : 'wasm');
    // The probe cost of each candidate is part of the report (here: webgpu finds no adapter in ~20 ms).
    expect(info.reason).toMatch(/webgpu (skipped|chosen): .* \[\d+ ms\]/);
  });

  it('rejects an unknown preference', async () => {
    const error: unknown = await selectTfBackend('gpu' as 'auto').catch((e: unknown) => e);
    expect(isCoreError(error, 'CONFIG_INVALID')).toBe(true);
  });
});

describe('readTfBackendPreference', () => {
  it('reads FLOWSTEER_TF_BACKEND and defaults to auto', () => {
    expect(readTfBackendPreference({})).toBe('auto');
    expect(readTfBackendPreference({ FLOWSTEER_TF_BACKEND: ' WASM ' })).toBe('wasm');
    expect(() => readTfBackendPreference({ FLOWSTEER_TF_BACKEND: 'cuda' })).toThrow(
      /expected FLOWSTEER_TF_BACKEND to be one of auto \| webgpu \| tensorflow \| wasm \| cpu, got 'cuda'/,
    );
  });

  it('splits FLOWSTEER_DAWN_FLAGS on whitespace, keeping commas inside a flag', () => {
    expect(readDawnFlags({ FLOWSTEER_DAWN_FLAGS: 'backend=opengles  enable-dawn-features=a,b' })).toEqual([
      'backend=opengles',
      'enable-dawn-features=a,b',
    ]);
    expect(readDawnFlags({})).toEqual([]);
  });
});
