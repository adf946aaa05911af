/**
 * Environment configuration with documented defaults (the reference environment's values, spec §1).
 * @public
 */
import { CoreError } from '../errors.ts';
import {
  DEFAULT_DIVERSITY_REWARD_CONFIG,
  validateDiversityRewardConfig,
  type DiversityRewardConfig,
} from '../rewards/diversityReward.ts';
import type { QaRewardMetric } from '../rewards/taskScore.ts';
import { DEFAULT_FINISH_GATE, type FinishGateConfig } from './finishGate.ts';

export interface EnvConfig {
  /** Every step is a round: invalid replies, rejected finishes and prompt turns included. @default 20 */
  readonly maxRounds: number;
  /** add/modify/structures ask for each prompt on the following turns (spec §1.4). @default true */
  readonly twoStepPrompts: boolean;
  /** Execute the workflow after every completed edit (spec §3.1.5). @default true */
  readonly executeEachEdit: boolean;
  readonly finishGate: FinishGateConfig;
  /**
   * An episode that runs out of rounds without an accepted finish is held to the finish gate: when the gate
   * would reject its workflow, the answer reward is not released (R = −1 + R_div) and it does not count as
   * feasible. The reference code scores it as it stands (spec §1.7, §9.8), which lets a workflow that could
   * never finish — no solver, say — earn its answer by running out the clock; a policy trained on that learns
   * never to finish. `false` reproduces the reference code.
   * @default true
   */
  readonly gateOnTimeout: boolean;
  readonly reward: DiversityRewardConfig;
  /** QA training reward: F1 (reference code) or EM. @default 'f1' */
  readonly qaRewardMetric: QaRewardMetric;
  /** Per-execution wall-clock limit. @default 600000 */
  readonly executionTimeoutMs: number;
  /** Per-execution token budget. @default 200000 */
  readonly tokenBudget: number;
  /** Characters of the last execution result quoted in feedback. @default 500 */
  readonly feedbackResultChars: number;
}

export const DEFAULT_ENV_CONFIG: EnvConfig = {
  maxRounds: 20,
  twoStepPrompts: true,
  executeEachEdit: true,
  finishGate: DEFAULT_FINISH_GATE,
  gateOnTimeout: true,
  reward: DEFAULT_DIVERSITY_REWARD_CONFIG,
  qaRewardMetric: 'f1',
  executionTimeoutMs: 600_000,
  tokenBudget: 200_000,
  feedbackResultChars: 500,
};

/** A partial config whose nested objects may be partial too. */
export type EnvConfigInput = Partial<Omit<EnvConfig, 'finishGate' | 'reward'>> & {
  readonly finishGate?: Partial<FinishGateConfig>;
  readonly reward?: Partial<DiversityRewardConfig>;
};

/** Merges overrides into the defaults and validates ("expected … got …"). */
export function resolveEnvConfig(input: EnvConfigInput = {}): EnvConfig {
  const config: EnvConfig = {
    ...DEFAULT_ENV_CONFIG,
    ...input,
    finishGate: { ...DEFAULT_FINISH_GATE, ...input.finishGate },
    reward: { ...DEFAULT_DIVERSITY_REWARD_CONFIG, ...input.reward },
  };
  const problems: string[] = [];
  if (!Number.isInteger(config.maxRounds) || config.maxRounds < 1) problems.push(`maxRounds: expected an integer >= 1, got ${config.maxRounds}`);
  if (!(config.executionTimeoutMs > 0)) problems.push(`executionTimeoutMs: expected > 0, got ${config.executionTimeoutMs}`);
  if (!(config.tokenBudget > 0)) problems.push(`tokenBudget: expected > 0, got ${config.tokenBudget}`);
  if (typeof config.gateOnTimeout !== 'boolean') problems.push(`gateOnTimeout: expected a boolean, got ${String(config.gateOnTimeout)}`);
  if (config.qaRewardMetric !== 'f1' && config.qaRewardMetric !== 'em') problems.push(`qaRewardMetric: expected 'f1' or 'em', got ${String(config.qaRewardMetric)}`);
  if (!Number.isInteger(config.finishGate.minTotalOperators) || config.finishGate.minTotalOperators < 0) {
    problems.push(`finishGate.minTotalOperators: expected an integer >= 0, got ${config.finishGate.minTotalOperators}`);
  }
  if (problems.length > 0) throw new CoreError('CONFIG_INVALID', `[core] invalid environment config — ${problems.join('; ')}`);
  validateDiversityRewardConfig(config.reward);
  return config;
}
