/**
 * Stable names of the trainer's logged metrics (CleanRL style `group/name`). Dashboards, JSONL logs and
 * benchmarks key on these strings, so they only ever gain entries; docs/trainer.md says what each one means.
 * @public
 */

/** Every metric the trainer logs, by camelCase key. @public */
export const METRICS = Object.freeze({
  /** Clipped surrogate (or REINFORCE) loss. */
  lossPolicy: 'loss/policy',
  /** k3 estimate of KL(π_θ ‖ π_ref), before β. */
  lossKl: 'loss/kl',
  /** Mean policy entropy that the entropy bonus multiplies (before the coefficient). */
  lossEntropy: 'loss/entropy',
  /** Demonstration loss (behaviour cloning or importance-weighted), before its weight. */
  lossDemo: 'loss/demo',
  /** Total minimised loss. */
  lossTotal: 'loss/total',
  rewardMean: 'reward/mean',
  rewardMin: 'reward/min',
  rewardMax: 'reward/max',
  /** Share of trajectories whose workflow satisfies the diversity constraints (R_div = 1). */
  rewardFeasibleFrac: 'reward/feasibleFrac',
  /** Mean task score R_answer (accuracy, F1 or pass@1), whether or not it was released. */
  answerScore: 'answer/score',
  /** Share of episodes that show a shortcut behaviour (spec §8). */
  shortcutRate: 'shortcut/rate',
  episodeTurns: 'episode/turns',
  episodeOps: 'episode/ops',
  episodeTokens: 'episode/tokens',
  /** Mean entropy of the policy's decision distributions during rollouts. */
  policyEntropy: 'policy/entropy',
  /** Share of decisions whose ratio left [1 − ε, 1 + ε]. */
  policyClipFrac: 'policy/clipFrac',
  /** Mean (ρ − 1) − log ρ: KL from the rollout policy to the updated one. */
  policyApproxKl: 'policy/approxKl',
  /** Share of trajectories in groups with no reward spread (their advantage is 0). */
  advZeroStdFrac: 'adv/zeroStdFrac',
  timeRolloutS: 'time/rolloutS',
  timeUpdateS: 'time/updateS',
  /** Environment steps per second of rollout wall time. */
  throughputStepsPerS: 'throughput/stepsPerS',
  /** Global gradient norm before clipping. */
  gradNorm: 'grad/norm',
  lr: 'lr',
} as const);

/** One of the stable metric names (`'loss/policy'`, `'reward/mean'`, …). @public */
export type MetricName = (typeof METRICS)[keyof typeof METRICS];

/** One logged row: any subset of the metrics. @public */
export type MetricRecord = Partial<Record<MetricName, number>>;

const METRIC_NAMES: ReadonlySet<string> = new Set(Object.values(METRICS));

/** True when `name` is one of the stable metric names. @public */
export function isMetricName(name: string): name is MetricName {
  return METRIC_NAMES.has(name);
}

/**
 * Mean, min and max of `values`, for the `x/mean|min|max` metrics. An empty list gives NaN for all three
 * (nothing was measured; a 0 would be read as a measurement).
 * @public
 */
export function summarize(values: readonly number[]): { mean: number; min: number; max: number } {
  if (values.length === 0) return { mean: Number.NaN, min: Number.NaN, max: Number.NaN };
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { mean: sum / values.length, min, max };
}
