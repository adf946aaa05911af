import { describe, expect, it } from 'vitest';
import { METRICS, isMetricName, summarize } from './metrics.ts';

describe('METRICS', () => {
  it('holds the stable names the logs and dashboards key on', () => {
    expect(Object.values(METRICS).sort()).toEqual(
      [
        'loss/policy', 'loss/kl', 'loss/entropy', 'loss/demo', 'loss/total',
        'reward/mean', 'reward/min', 'reward/max', 'reward/feasibleFrac',
        'answer/score', 'shortcut/rate', 'episode/turns', 'episode/ops', 'episode/tokens',
        'policy/entropy', 'policy/clipFrac', 'policy/approxKl', 'adv/zeroStdFrac',
        'time/rolloutS', 'time/updateS', 'throughput/stepsPerS', 'grad/norm', 'lr',
      ].sort(),
    );
  });

  it('is frozen and free of duplicates', () => {
    expect(Object.isFrozen(METRICS)).toBe(true);
    expect(new Set(Object.values(METRICS)).size).toBe(Object.values(METRICS).length);
  });

  it('recognises metric names', () => {
    expect(isMetricName('adv/zeroStdFrac')).toBe(true);
    expect(isMetricName('adv/zerostdfrac')).toBe(false);
  });
});

describe('summarize', () => {
  it('returns mean, min and max', () => {
    expect(summarize([-1, 0.5, 1, -0.6])).toEqual({ mean: (-1 + 0.5 + 1 - 0.6) / 4, min: -1, max: 1 });
    expect(summarize([3])).toEqual({ mean: 3, min: 3, max: 3 });
  });

  it('returns NaN for an empty list rather than a fake measurement', () => {
    const s = summarize([]);
    expect(Number.isNaN(s.mean) && Number.isNaN(s.min) && Number.isNaN(s.max)).toBe(true);
  });
});
