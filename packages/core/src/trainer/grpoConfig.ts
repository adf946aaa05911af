/**
 * Configuration of the CWRPO trainer and its ablations (spec §5, DESIGN.md §3 "Trainer (CWRPO)"), documented
 * field by field as TRL documents its trainer configs. `validateConfig()` merges the defaults of the chosen
 * algorithm and lists every problem as "field: expected …, got …".
 * @public
 */
import { CoreError } from '../errors.ts';
import type { DiversityRewardConfig } from '../rewards/diversityReward.ts';

/**
 * The policy-gradient objective.
 * - `cwrpo`: the paper's objective (spec §5.1): masked PPO-clip surrogate + KL to the reference policy, reward with
 *   diversity and conditional release.
 * - `grpo`: the same surrogate and KL on the plain task reward `R = R_answer` (no diversity term, no conditional release).
 * - `reinforce`: the reference code's shipped loss (spec §5.2): `−Â·mean masked log π`, no ratio, clip or KL, one epoch.
 * @public
 */
export type TrainerAlgorithm = 'cwrpo' | 'grpo' | 'reinforce';

/** How trajectories are grouped for advantage normalisation. @public */
export type AdvantageGroupBy = 'task' | 'source';

/** How demonstration trajectories enter the loss. @public */
export type DemoLossKind = 'bc' | 'importance';

/** The reward switches the trainer passes on to the environment's {@link DiversityRewardConfig}. @public */
export type RewardAblations = Pick<DiversityRewardConfig, 'useDiversity' | 'conditionalRelease'>;

/**
 * Every knob of one training run. Defaults follow the paper and reference config (spec §5.3) where they exist;
 * the rest are sized for the small tfjs Flow-Director.
 * @public
 */
export interface CwrpoConfig {
  /** Objective; see {@link TrainerAlgorithm}. Picks the defaults in {@link ALGORITHM_DEFAULTS}. @default 'cwrpo' */
  readonly algorithm: TrainerAlgorithm;
  /**
   * Reward ablations, copied into the environment's reward config: `useDiversity: false` is "w/o diversity"
   * (R = R_answer), `conditionalRelease: false` is "w/o conditional release" (R = −1 + R_div + R_answer).
   * @default { useDiversity: true, conditionalRelease: true } ({ false, false } for `grpo`)
   */
  readonly reward: RewardAblations;
  /**
   * Only the policy's own decisions enter the loss (spec §5.1 difference 1). `false` is the "no masking"
   * ablation: every recorded decision, including ones the environment forced, enters it.
   * @default true
   */
  readonly masking: boolean;
  /**
   * Advantage groups: `task` normalises the G rollouts of one task against each other (GRPO); `source` normalises
   * over all trajectories of one data source in the batch (the reference code, spec §5.2).
   * @default 'task'
   */
  readonly groupBy: AdvantageGroupBy;
  /** G, rollouts per task. Integer ≥ 1; ≥ 2 when `groupBy` is `task` (a group of one has zero advantage). @default 8 */
  readonly groupSize: number;
  /** Tasks sampled per iteration, balanced over sources. Integer ≥ 1. @default 8 */
  readonly tasksPerIteration: number;
  /** ε of the PPO-clip surrogate, in (0, 1). Unused by `reinforce`. @default 0.2 */
  readonly clipEpsilon: number;
  /** β, weight of the KL to the frozen reference policy; ≥ 0. Must be 0 for `reinforce`. @default 0.005 (0 for `reinforce`) */
  readonly klBeta: number;
  /** Weight of the entropy bonus; ≥ 0. @default 0 */
  readonly entropyCoef: number;
  /** Optimisation passes over each batch. Integer ≥ 1; exactly 1 for `reinforce` (it has no ratio). @default 2 (1 for `reinforce`) */
  readonly epochs: number;
  /** Trajectories per minibatch, integer ≥ 1. A batch smaller than this is a single minibatch. @default 32 */
  readonly miniBatchSize: number;
  /** Adam learning rate, > 0. @default 3e-4 */
  readonly learningRate: number;
  /** Global gradient-norm clip, > 0 (`Infinity` disables it). @default 1 */
  readonly maxGradNorm: number;
  /** Floor on the group std in the advantage denominator (spec §5.2), > 0. @default 0.01 */
  readonly stdFloor: number;
  /** Weight of the demonstration term in the total loss; ≥ 0 (0 ignores demonstrations). @default 0.1 */
  readonly demoWeight: number;
  /**
   * Demonstration term: `bc` = behaviour cloning `−mean log π`; `importance` = off-policy log-likelihood with clipped
   * importance weights `min(π/β, demoImportanceClip)` (needs the behaviour log-probs recorded with the demonstration).
   * @default 'bc'
   */
  readonly demoLoss: DemoLossKind;
  /** Upper clip of the demonstrations' importance weights, > 0. @default 2 */
  readonly demoImportanceClip: number;
  /** Checkpoint every N iterations (and always on stop); integer ≥ 0, 0 = only on stop. @default 10 */
  readonly checkpointEvery: number;
  /** Seed of every random draw (task sampling, rollouts, initial weights); integer in [0, 2³²). @default 42 */
  readonly seed: number;
  /** Training iterations (one batch of rollouts each); integer ≥ 1. @default 100 */
  readonly iterations: number;
  /** Environment rounds per episode (spec §1.7); integer ≥ 1. @default 20 */
  readonly maxRounds: number;
}

/** Same type under the name STYLE.md uses for the trainer config. @public */
export type GrpoConfig = CwrpoConfig;

/** A partial config; `reward` may itself be partial. @public */
export type CwrpoConfigInput = Partial<Omit<CwrpoConfig, 'reward'>> & { readonly reward?: Partial<RewardAblations> };

/** Defaults of the `cwrpo` algorithm. @public */
export const DEFAULT_CWRPO_CONFIG: CwrpoConfig = Object.freeze({
  algorithm: 'cwrpo',
  reward: Object.freeze({ useDiversity: true, conditionalRelease: true }),
  masking: true,
  groupBy: 'task',
  groupSize: 8,
  tasksPerIteration: 8,
  clipEpsilon: 0.2,
  klBeta: 0.005,
  entropyCoef: 0,
  epochs: 2,
  miniBatchSize: 32,
  learningRate: 3e-4,
  maxGradNorm: 1,
  stdFloor: 0.01,
  demoWeight: 0.1,
  demoLoss: 'bc',
  demoImportanceClip: 2,
  checkpointEvery: 10,
  seed: 42,
  iterations: 100,
  maxRounds: 20,
});

/**
 * What each algorithm changes relative to {@link DEFAULT_CWRPO_CONFIG}; explicit input still wins (and is then
 * validated against the algorithm's constraints).
 * @public
 */
export const ALGORITHM_DEFAULTS: Readonly<Record<TrainerAlgorithm, CwrpoConfigInput>> = Object.freeze({
  cwrpo: {},
  grpo: { reward: { useDiversity: false, conditionalRelease: false } },
  reinforce: { klBeta: 0, epochs: 1 },
});

/**
 * Merges `input` over the algorithm's defaults and validates the result.
 * Throws CONFIG_INVALID listing every problem ("field: expected …, got …").
 * @example validateConfig({ algorithm: 'grpo', groupSize: 4 })
 * @public
 */
export function validateConfig(input: CwrpoConfigInput = {}): CwrpoConfig {
  const algorithm = input.algorithm ?? DEFAULT_CWRPO_CONFIG.algorithm;
  const preset: CwrpoConfigInput = ALGORITHM_DEFAULTS[algorithm] ?? {};
  const config: CwrpoConfig = {
    ...DEFAULT_CWRPO_CONFIG,
    ...preset,
    ...input,
    reward: { ...DEFAULT_CWRPO_CONFIG.reward, ...preset.reward, ...input.reward },
  };
  const problems = configProblems(config);
  if (problems.length > 0) {
    throw new CoreError('CONFIG_INVALID', `invalid trainer config — ${problems.join('; ')}`);
  }
  return config;
}

function configProblems(c: CwrpoConfig): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, field: string, expected: string, value: unknown): void => {
    if (!ok) problems.push(`${field}: expected ${expected}, got ${describe(value)}`);
  };
  const isInt = (v: unknown, min: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min;
  const isNum = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);
  const finite = (v: unknown): v is number => isNum(v) && Number.isFinite(v);

  check(['cwrpo', 'grpo', 'reinforce'].includes(c.algorithm), 'algorithm', "'cwrpo', 'grpo' or 'reinforce'", c.algorithm);
  check(typeof c.reward.useDiversity === 'boolean', 'reward.useDiversity', 'a boolean', c.reward.useDiversity);
  check(typeof c.reward.conditionalRelease === 'boolean', 'reward.conditionalRelease', 'a boolean', c.reward.conditionalRelease);
  check(typeof c.masking === 'boolean', 'masking', 'a boolean', c.masking);
  check(c.groupBy === 'task' || c.groupBy === 'source', 'groupBy', "'task' or 'source'", c.groupBy);
  if (c.groupBy === 'task') {
    check(isInt(c.groupSize, 2), 'groupSize', "an integer >= 2 when groupBy is 'task' (a group of one has zero advantage)", c.groupSize);
  } else {
    check(isInt(c.groupSize, 1), 'groupSize', 'an integer >= 1', c.groupSize);
  }
  check(isInt(c.tasksPerIteration, 1), 'tasksPerIteration', 'an integer >= 1', c.tasksPerIteration);
  check(finite(c.clipEpsilon) && c.clipEpsilon > 0 && c.clipEpsilon < 1, 'clipEpsilon', 'a number in (0, 1)', c.clipEpsilon);
  check(finite(c.klBeta) && c.klBeta >= 0, 'klBeta', 'a finite number >= 0', c.klBeta);
  check(finite(c.entropyCoef) && c.entropyCoef >= 0, 'entropyCoef', 'a finite number >= 0', c.entropyCoef);
  check(isInt(c.epochs, 1), 'epochs', 'an integer >= 1', c.epochs);
  check(isInt(c.miniBatchSize, 1), 'miniBatchSize', 'an integer >= 1', c.miniBatchSize);
  check(finite(c.learningRate) && c.learningRate > 0, 'learningRate', 'a finite number > 0', c.learningRate);
  check(isNum(c.maxGradNorm) && c.maxGradNorm > 0, 'maxGradNorm', 'a number > 0 (Infinity disables clipping)', c.maxGradNorm);
  check(finite(c.stdFloor) && c.stdFloor > 0, 'stdFloor', 'a finite number > 0', c.stdFloor);
  check(finite(c.demoWeight) && c.demoWeight >= 0, 'demoWeight', 'a finite number >= 0', c.demoWeight);
  check(c.demoLoss === 'bc' || c.demoLoss === 'importance', 'demoLoss', "'bc' or 'importance'", c.demoLoss);
  check(finite(c.demoImportanceClip) && c.demoImportanceClip > 0, 'demoImportanceClip', 'a finite number > 0', c.demoImportanceClip);
  check(isInt(c.checkpointEvery, 0), 'checkpointEvery', 'an integer >= 0', c.checkpointEvery);
  check(isInt(c.seed, 0) && c.seed < 2 ** 32, 'seed', 'an integer in [0, 2^32)', c.seed);
  check(isInt(c.iterations, 1), 'iterations', 'an integer >= 1', c.iterations);
  check(isInt(c.maxRounds, 1), 'maxRounds', 'an integer >= 1', c.maxRounds);
  if (c.algorithm === 'reinforce') {
    // REINFORCE has no ratio: a second epoch on the same batch would be an uncorrected off-policy update, and a
    // KL weight would be silently ignored by its loss, so both are rejected rather than quietly dropped.
    check(c.epochs === 1, 'epochs', "1 for algorithm 'reinforce' (no importance ratio)", c.epochs);
    check(c.klBeta === 0, 'klBeta', "0 for algorithm 'reinforce' (its loss has no KL term)", c.klBeta);
  }
  return problems;
}

function describe(value: unknown): string {
  return typeof value === 'string' || (typeof value === 'object' && value !== null) ? JSON.stringify(value) : String(value);
}
