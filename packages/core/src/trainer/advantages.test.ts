import { describe, expect, it } from 'vitest';
import { isCoreError } from '../errors.ts';
import { groupRelativeAdvantages } from './advantages.ts';

const floor = { stdFloor: 0.01 };

describe('groupRelativeAdvantages (hand-computed table)', () => {
  it.each([
    // name, rewards, keys, expected Â
    // μ = 0.5, σ = 0.5 → ±0.5/0.5
    ['two-member group', [1, 0], ['a', 'a'], [1, -1]],
    // μ = 2.5, population σ = √((2.25 + 0.25 + 0.25 + 2.25)/4) = √1.25 = 1.118034 (the sample std √(5/3) would give ∓1.1619)
    ['population std, not sample std', [1, 2, 3, 4], ['a', 'a', 'a', 'a'], [-1.3416408, -0.4472136, 0.4472136, 1.3416408]],
    // μ = 0.5, deviations ∓0.3, 0; σ = √(0.18/3) = √0.06 = 0.2449490 → ∓√1.5
    ['zero-deviation member of a varied group', [0.2, 0.8, 0.5], ['t', 't', 't'], [-1.2247449, 1.2247449, 0]],
    // conditional-release rewards: μ = −0.15, σ = √(2.27/4) = 0.7533260
    ['infeasible and feasible rewards', [-1, -0.6, 0, 1], ['a', 'a', 'a', 'a'], [-1.1283296, -0.5973510, 0.1991170, 1.5265636]],
    // μ = 0.5025, σ = √(7.5e-5/4) = 0.00433 < floor → deviations (−0.0025, −0.0025, −0.0025, 0.0075) / 0.01
    ['std below the floor divides by the floor', [0.5, 0.5, 0.5, 0.51], ['a', 'a', 'a', 'a'], [-0.25, -0.25, -0.25, 0.75]],
    ['a group of one gets zero', [0.7], ['solo'], [0]],
    ['an all-equal group gets zero', [-0.6, -0.6, -0.6], ['a', 'a', 'a'], [0, 0, 0]],
    // keys, not positions, define groups: t1 = [1, 0] → ±1; t2 = [5, 5] → 0
    ['interleaved groups', [1, 5, 0, 5], ['t1', 't2', 't1', 't2'], [1, 0, -1, 0]],
  ] as const)('%s', (_name, rewards, keys, expected) => {
    const { advantages } = groupRelativeAdvantages(rewards, keys, floor);
    expect(advantages).toHaveLength(expected.length);
    advantages.forEach((a, i) => expect(a).toBeCloseTo(expected[i] as number, 6));
  });

  it('groups by source: every trajectory of a source is normalised against that source', () => {
    // gsm8k [0, 1, 1]: μ = 2/3, σ = √((4/9 + 1/9 + 1/9)/3) = √2/3 = 0.4714045 → (−2/3, 1/3, 1/3)/σ = (−1.4142136, 0.7071068, 0.7071068)
    // hotpotqa [0.5, 0.9]: μ = 0.7, σ = 0.2 → (−1, 1); mbpp [1]: alone → 0
    const rewards = [0, 0.5, 1, 1, 0.9, 1];
    const sources = ['gsm8k', 'hotpotqa', 'gsm8k', 'mbpp', 'hotpotqa', 'gsm8k'];
    const result = groupRelativeAdvantages(rewards, sources, floor);
    const expected = [-1.4142136, -1, 0.7071068, 0, 1, 0.7071068];
    result.advantages.forEach((a, i) => expect(a).toBeCloseTo(expected[i] as number, 6));
    expect(result.zeroStdFraction).toBeCloseTo(1 / 6, 12);
    expect(result.groupStats.map((g) => g.key)).toEqual(['gsm8k', 'hotpotqa', 'mbpp']);
    expect(result.groupStats[0]?.n).toBe(3);
    expect(result.groupStats[0]?.mean).toBeCloseTo(2 / 3, 12);
    expect(result.groupStats[0]?.std).toBeCloseTo(Math.SQRT2 / 3, 12);
    expect(result.groupStats[1]).toMatchObject({ key: 'hotpotqa', n: 2 });
    expect(result.groupStats[1]?.std).toBeCloseTo(0.2, 12);
  });

  it('gives exactly zero to an all-equal group whose float mean differs from its members', () => {
    // (0.1 + 0.1 + 0.1)/3 = 0.10000000000000002: the raw formula would give ≈ −1.4e-15, not 0
    const result = groupRelativeAdvantages([0.1, 0.1, 0.1], ['a', 'a', 'a'], floor);
    expect(result.advantages).toEqual([0, 0, 0]);
    expect(result.zeroStdFraction).toBe(1);
  });

  it('reports the share of trajectories in zero-spread groups', () => {
    // groups: a = [1, 0] (varied), b = [0.3, 0.3] (equal), c = [1] (alone) → 3 of 5 trajectories
    const result = groupRelativeAdvantages([1, 0, 0.3, 0.3, 1], ['a', 'a', 'b', 'b', 'c'], floor);
    expect(result.zeroStdFraction).toBeCloseTo(0.6, 12);
    expect(groupRelativeAdvantages([1, 0], ['a', 'a'], floor).zeroStdFraction).toBe(0);
  });

  it('uses the configured floor', () => {
    // σ = 0.0043 < both floors: (0.51 − 0.5025)/0.1 = 0.075
    const { advantages } = groupRelativeAdvantages([0.5, 0.5, 0.5, 0.51], ['a', 'a', 'a', 'a'], { stdFloor: 0.1 });
    expect(advantages[3]).toBeCloseTo(0.075, 9);
  });

  it('returns empty results for an empty batch', () => {
    expect(groupRelativeAdvantages([], [], floor)).toEqual({ advantages: [], zeroStdFraction: 0, groupStats: [] });
  });

  it('rejects mismatched lengths, non-finite rewards and a non-positive floor', () => {
    const codeOf = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (error) {
        return isCoreError(error) ? error.code : 'not a CoreError';
      }
      return undefined;
    };
    expect(codeOf(() => groupRelativeAdvantages([1, 2], ['a'], floor))).toBe('INTERNAL');
    expect(codeOf(() => groupRelativeAdvantages([1, Number.NaN], ['a', 'a'], floor))).toBe('INTERNAL');
    expect(codeOf(() => groupRelativeAdvantages([1, 2], ['a', 'a'], { stdFloor: 0 }))).toBe('CONFIG_INVALID');
  });
});
