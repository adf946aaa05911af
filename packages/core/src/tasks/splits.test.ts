import { describe, expect, it } from 'vitest';
import { isCoreError } from '../errors.ts';
import { hash01, splitTasks } from './splits.ts';

const tasks = Array.from({ length: 2000 }, (_, i) => ({ id: `ds/${i}` }));
const ids = (list: ReadonlyArray<{ id: string }>): string[] => list.map((t) => t.id);

describe('splitTasks', () => {
  it('gives the same split for the same seed', () => {
    expect(splitTasks(tasks, { testFraction: 0.2, seed: 42 })).toEqual(splitTasks(tasks, { testFraction: 0.2, seed: 42 }));
  });

  it('gives a different split for a different seed', () => {
    const a = new Set(ids(splitTasks(tasks, { testFraction: 0.2, seed: 1 }).test));
    const b = ids(splitTasks(tasks, { testFraction: 0.2, seed: 2 }).test);
    const overlap = b.filter((id) => a.has(id)).length;
    // Independent 20% samples overlap on about 20% of the test set.
    expect(overlap / b.length).toBeLessThan(0.35);
  });

  it('puts about testFraction of the tasks in test', () => {
    const { train, test } = splitTasks(tasks, { testFraction: 0.25, seed: 'abc' });
    expect(train.length + test.length).toBe(2000);
    expect(test.length).toBeGreaterThan(430);
    expect(test.length).toBeLessThan(570);
  });

  it('assigns each task independently of order and limit', () => {
    const full = new Set(ids(splitTasks(tasks, { testFraction: 0.3, seed: 7 }).test));
    const reversed = splitTasks([...tasks].reverse(), { testFraction: 0.3, seed: 7 });
    expect(new Set(ids(reversed.test))).toEqual(full);
    const limited = splitTasks(tasks.slice(0, 100), { testFraction: 0.3, seed: 7 });
    expect(ids(limited.test)).toEqual(ids(tasks.slice(0, 100)).filter((id) => full.has(id)));
  });

  it('keeps input order within each side', () => {
    const { train } = splitTasks(tasks, { testFraction: 0.5, seed: 3 });
    const positions = ids(train).map((id) => Number(id.split('/')[1]));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('handles the 0 and 1 fractions', () => {
    expect(splitTasks(tasks, { testFraction: 0, seed: 1 }).test).toEqual([]);
    expect(splitTasks(tasks, { testFraction: 1, seed: 1 }).train).toEqual([]);
  });

  it('rejects a fraction outside [0, 1] and a non-finite seed', () => {
    expect(() => splitTasks(tasks, { testFraction: 1.5, seed: 1 })).toThrow(/expected testFraction in \[0, 1\], got 1.5/);
    expect(() => splitTasks(tasks, { testFraction: Number.NaN, seed: 1 })).toThrow(/got NaN/);
    try {
      splitTasks(tasks, { testFraction: 0.1, seed: Infinity });
      expect.unreachable();
    } catch (error) {
      expect(isCoreError(error, 'CONFIG_INVALID')).toBe(true);
    }
  });
});

describe('hash01', () => {
  it('is in [0, 1), deterministic and spread out', () => {
    const values = tasks.map((t) => hash01('s', t.id));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(hash01('s', 'ds/1')).toBe(values[1]);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.47);
    expect(mean).toBeLessThan(0.53);
    const deciles = new Array<number>(10).fill(0);
    for (const v of values) deciles[Math.floor(v * 10)]! += 1;
    for (const count of deciles) expect(count).toBeGreaterThan(150);
  });
});
