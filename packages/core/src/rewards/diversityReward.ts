/**
 * The paper's diversity-constrained reward with conditional release (spec §4.1):
 *
 *   R_div = min(1, w_checker·1[checker] + w_format·1[format] + w_operator·1[#ops ≥ minOperators] + w_control·1[control])
 *   R     = −1 + R_div + 1[R_div = 1]·R_answer
 *
 * Infeasible workflows get R ∈ [−1, 0) whatever their answer; feasible ones get R = R_answer ∈ [0, 1].
 * Structure is read from the canvas graph, not from a regex over the DSL, so a loop-only workflow does count as
 * a control structure (the reference code's `x\s*\d+` regex never matches its own loop syntax, spec §4.2, §9.4).
 * @public
 */
import { countOperators, hasControlStructure, operatorNameSet } from '../canvas/canvas.ts';
import type { Canvas } from '../canvas/types.ts';
import { CoreError } from '../errors.ts';

/** Weights, thresholds and ablation switches of the diversity reward. */
export interface DiversityRewardConfig {
  /** Weight of "has a checker operator". @default 0.2 */
  readonly checkerWeight: number;
  /** Weight of "has a Format operator". @default 0.2 */
  readonly formatWeight: number;
  /** Weight of "at least `minOperators` operators". @default 0.2 */
  readonly operatorWeight: number;
  /** Weight of "has a parallel, conditional or loop stage". @default 0.4 */
  readonly controlWeight: number;
  /** Operator-count threshold; children counted, loop bodies once (the paper's 5, not the code's 6). @default 5 */
  readonly minOperators: number;
  /** Operators that count as checkers. @default ['Verify', 'Test', 'Review'] */
  readonly checkerOperators: readonly string[];
  /** Operators that count as output formatting. @default ['Format'] */
  readonly formatOperators: readonly string[];
  /** Our extension: `R -= costWeight · tokens / 1000`. 0 disables it. @default 0 */
  readonly costWeight: number;
  /** `false` is the "w/o diversity reward" ablation: R_div is forced to 1, so R = R_answer. @default true */
  readonly useDiversity: boolean;
  /**
   * `false` is the "w/o conditional release" ablation: the answer reward is always added,
   * R = −1 + R_div + R_answer, so diversity still shapes the reward but no longer gates it. GRPO's plain
   * reward R = R_answer is `useDiversity: false` (either value of this flag).
   * @default true
   */
  readonly conditionalRelease: boolean;
}

/** The paper's configuration (rebuttal Table 11 weights, min_ops 5). */
export const DEFAULT_DIVERSITY_REWARD_CONFIG: DiversityRewardConfig = Object.freeze({
  checkerWeight: 0.2,
  formatWeight: 0.2,
  operatorWeight: 0.2,
  controlWeight: 0.4,
  minOperators: 5,
  checkerOperators: Object.freeze(['Verify', 'Test', 'Review']),
  formatOperators: Object.freeze(['Format']),
  costWeight: 0,
  useDiversity: true,
  conditionalRelease: true,
});

/** Weighted contributions of each diversity term (0 when the term's condition does not hold). */
export interface DiversityComponents {
  readonly checker: number;
  readonly format: number;
  readonly operator: number;
  readonly control: number;
}

/** Breakdown of one trajectory's reward. */
export interface RewardResult {
  /** R, including the cost term. */
  readonly total: number;
  /** R_div in [0, 1] (1 when `useDiversity` is false). */
  readonly diversity: number;
  readonly components: DiversityComponents;
  /** Whether the answer reward was added (R_div = 1, or always without conditional release). */
  readonly released: boolean;
  readonly answerScore: number;
  /** Amount subtracted by the cost term (`costWeight · tokens / 1000`). */
  readonly costPenalty: number;
}

/** Options of {@link computeReward}. */
export interface ComputeRewardOptions {
  /** Tokens the workflow's execution used, for the optional cost term. */
  readonly tokens?: number;
  /**
   * Withholds the answer reward whatever R_div: the environment's finish gate rejected the workflow of an
   * episode that ran out of rounds (`EnvConfig.gateOnTimeout`). @default false
   */
  readonly withheld?: boolean;
}

// R_div = 1 is tested with a tolerance: 0.2 + 0.2 + 0.2 + 0.4 is not exactly 1 in floating point.
const RELEASE_EPSILON = 1e-9;

/** The weighted diversity terms of a canvas and R_div = min(1, their sum). */
export function diversityScore(
  canvas: Canvas,
  config: DiversityRewardConfig = DEFAULT_DIVERSITY_REWARD_CONFIG,
): { diversity: number; components: DiversityComponents } {
  const names = operatorNameSet(canvas);
  const components: DiversityComponents = {
    checker: config.checkerOperators.some((op) => names.has(op)) ? config.checkerWeight : 0,
    format: config.formatOperators.some((op) => names.has(op)) ? config.formatWeight : 0,
    operator: countOperators(canvas) >= config.minOperators ? config.operatorWeight : 0,
    control: hasControlStructure(canvas) ? config.controlWeight : 0,
  };
  const sum = components.checker + components.format + components.operator + components.control;
  return { diversity: Math.min(1, sum >= 1 - RELEASE_EPSILON ? 1 : sum), components };
}

/**
 * Reward of a finished trajectory: `R = −1 + R_div + 1[R_div = 1]·R_answer − costWeight·tokens/1000`.
 * `answerScore` is the task score in [0, 1] (accuracy, F1 or pass@1). Throws CONFIG_INVALID on a bad config
 * or an answer score / token count out of range.
 */
export function computeReward(
  canvas: Canvas,
  answerScore: number,
  config: DiversityRewardConfig = DEFAULT_DIVERSITY_REWARD_CONFIG,
  options: ComputeRewardOptions = {},
): RewardResult {
  validateDiversityRewardConfig(config);
  if (!Number.isFinite(answerScore) || answerScore < 0 || answerScore > 1) {
    throw new CoreError('CONFIG_INVALID', `expected answerScore in [0, 1], got ${String(answerScore)}`);
  }
  const tokens = options.tokens ?? 0;
  if (!Number.isFinite(tokens) || tokens < 0) {
    throw new CoreError('CONFIG_INVALID', `expected tokens to be a finite number >= 0, got ${String(tokens)}`);
  }
  const { diversity: measured, components } = diversityScore(canvas, config);
  const diversity = config.useDiversity ? measured : 1;
  const released = options.withheld !== true && (!config.conditionalRelease || diversity === 1);
  const costPenalty = (config.costWeight * tokens) / 1000;
  const total = -1 + diversity + (released ? answerScore : 0) - costPenalty;
  return { total, diversity, components, released, answerScore, costPenalty };
}

/**
 * Merges `overrides` into the paper's defaults and validates the result.
 * @example resolveDiversityRewardConfig({ minOperators: 6 }) // the reference code's threshold
 */
export function resolveDiversityRewardConfig(overrides: Partial<DiversityRewardConfig> = {}): DiversityRewardConfig {
  const config = { ...DEFAULT_DIVERSITY_REWARD_CONFIG, ...overrides };
  validateDiversityRewardConfig(config);
  return config;
}

/** Throws CONFIG_INVALID listing every field that is out of range ("expected …, got …"). */
export function validateDiversityRewardConfig(config: DiversityRewardConfig): void {
  const problems: string[] = [];
  for (const key of ['checkerWeight', 'formatWeight', 'operatorWeight', 'controlWeight', 'costWeight'] as const) {
    const value: unknown = config[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      problems.push(`${key}: expected a finite number >= 0, got ${describe(value)}`);
    }
  }
  const minOperators: unknown = config.minOperators;
  if (typeof minOperators !== 'number' || !Number.isInteger(minOperators) || minOperators < 0) {
    problems.push(`minOperators: expected an integer >= 0, got ${describe(minOperators)}`);
  }
  for (const key of ['checkerOperators', 'formatOperators'] as const) {
    const value: unknown = config[key];
    if (!Array.isArray(value) || value.some((op) => typeof op !== 'string' || op === '')) {
      problems.push(`${key}: expected an array of operator names, got ${describe(value)}`);
    }
  }
  for (const key of ['useDiversity', 'conditionalRelease'] as const) {
    const value: unknown = config[key];
    if (typeof value !== 'boolean') problems.push(`${key}: expected a boolean, got ${describe(value)}`);
  }
  if (problems.length > 0) {
    throw new CoreError('CONFIG_INVALID', `invalid diversity reward config: ${problems.join('; ')}`);
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? JSON.stringify(value) : String(value);
}
