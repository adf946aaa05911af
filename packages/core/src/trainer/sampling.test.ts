import { describe, expect, it } from 'vitest';
import { SeededRng } from '../util/random.ts';
import { sampleTasksBalanced, shuffleInPlace } from './sampling.ts';

const tasks = [
  ...Array.from({ length: 10 }, (_, i) => ({ id: `gsm8k/${i}`, dataset: 'gsm8k' })),
  ...Array.from({ length: 2 }, (_, i) => ({ id: `mbpp/${i}`, dataset: 'mbpp' })),
  ...Array.from({ length: 5 }, (_, i) => ({ id: `hotpotqa/${i}`, dataset: 'hotpotqa' })),
];
const countBy = (items: readonly { dataset: string }[]) => items.reduce<Record<string, number>>((acc, t) => ({ ...acc, [t.dataset]: (acc[t.dataset] ?? 0) + 1 }), {});

describe('sampleTasksBalanced', () => {
  it('gives every source the same share however unequal the sources are', () => {
    expect(countBy(sampleTasksBalanced(tasks, 6, new SeededRng(1)))).toEqual({ gsm8k: 2, mbpp: 2, hotpotqa: 2 });
    const uneven = countBy(sampleTasksBalanced(tasks, 7, new SeededRng(2)));
    expect(Object.values(uneven).sort()).toEqual([2, 2, 3]);
  });

  it('draws without replacement within a source until it is exhausted', () => {
    const drawn = sampleTasksBalanced(tasks, 9, new SeededRng(3));
    const gsm = drawn.filter((t) => t.dataset === 'gsm8k').map((t) => t.id);
    expect(new Set(gsm).size).toBe(gsm.length);
    expect(drawn.filter((t) => t.dataset === 'mbpp')).toHaveLength(3); // 2 distinct, then reused
  });

  it('depends only on the RNG state', () => {
    const rng = new SeededRng(4);
    const first = sampleTasksBalanced(tasks, 6, rng);
    const second = sampleTasksBalanced(tasks, 6, rng);
    const replay = new SeededRng(4);
    expect(sampleTasksBalanced([...tasks].reverse(), 6, replay).map((t) => t.dataset)).toEqual(first.map((t) => t.dataset));
    expect(sampleTasksBalanced(tasks, 6, new SeededRng(rng.state))).not.toEqual(second);
  });

  it('rejects an empty task list and a bad count', () => {
    expect(() => sampleTasksBalanced([], 2, new SeededRng(0))).toThrow(/at least one task/);
    expect(() => sampleTasksBalanced(tasks, 0, new SeededRng(0))).toThrow(/count >= 1/);
  });
});

describe('shuffleInPlace', () => {
  it('permutes deterministically', () => {
    const a = shuffleInPlace([1, 2, 3, 4, 5, 6], new SeededRng(9));
    expect([...a].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(shuffleInPlace([1, 2, 3, 4, 5, 6], new SeededRng(9))).toEqual(a);
  });
});
