/**
 * Per-dataset calibration of the simulated executor ("families"). Numbers are logits and rates for the
 * reference profile `sim-4o-mini`; other profiles shift them (see profiles.ts). They were tuned with
 * tests/bench/simCalibration.ts so that one direct operator lands near the paper's raw GPT-4o-mini and
 * the best structured workflows near (never above) the paper's FlowSteer scores (spec §7).
 * @internal
 */
import type { TaskKind } from '@flowsteer/core';

/** How one dataset behaves under the sim. */
export interface FamilyParams {
  readonly kind: TaskKind;
  /** Logit of one direct solve (AnswerGenerate; Programmer for code) on a median solvable task. */
  readonly base: number;
  /** How strongly a task's latent hardness `z` lowers that logit (task heterogeneity). */
  readonly spread: number;
  /** Share of tasks the reference model never gets right: caps what any workflow can reach. */
  readonly unsolvable: number;
  /**
   * Math/QA: logit change of Programmer versus AnswerGenerate (arithmetic-heavy sets gain, QA loses).
   * Code: logit change of the non-executing solvers (AnswerGenerate, Custom) versus Programmer.
   */
  readonly programmer: number;
  /** Logit bonus when a Plan output is upstream. */
  readonly plan: number;
  /** Logit bonus when a Decompose output is upstream. */
  readonly decompose: number;
  /** Probability that AnswerGenerate wraps its answer in a sentence (fails exact match without Format). */
  readonly verbose: number;
  /** Weight of the task's favourite wrong answer in its distractor pool (correlated errors). */
  readonly favourite: number;
  /** Weight of the text-length feature in the latent hardness (the rest is a per-task hash). */
  readonly lengthWeight: number;
  /** Unanswerable QA items: logit offset for abstaining correctly ("unanswerable") versus answering. */
  readonly abstain: number;
}

const defaults = {
  spread: 1.0,
  plan: 0.2,
  decompose: 0.15,
  verbose: 0.08,
  favourite: 0.45,
  lengthWeight: 0.45,
  abstain: 0,
} as const;

/** Families by dataset name; unknown datasets fall back to their kind (`math`, `qa`, `code`). */
export const FAMILIES: Readonly<Record<string, FamilyParams>> = {
  gsm8k: { ...defaults, kind: 'math', base: 2.8, spread: 1.0, unsolvable: 0.06, programmer: 1.1, plan: 0.15, verbose: 0.06 },
  math: { ...defaults, kind: 'math', base: 1.55, spread: 1.0, unsolvable: 0.11, programmer: -0.35, plan: 0.35, decompose: 0.3, verbose: 0.06, lengthWeight: 0.6 },
  mathqa: { ...defaults, kind: 'math', base: 1.8, spread: 1.0, unsolvable: 0.12, programmer: 0.3, plan: 0.25, verbose: 0.07 },
  hotpotqa: { ...defaults, kind: 'qa', base: 2.65, spread: 1.0, unsolvable: 0.22, programmer: -2.5, plan: 0.1, decompose: 0.35, verbose: 0.07 },
  squad_v2: { ...defaults, kind: 'qa', base: 2.95, spread: 0.9, unsolvable: 0.31, programmer: -2.5, plan: 0.05, decompose: 0.05, verbose: 0.06, abstain: -0.8 },
  triviaqa: { ...defaults, kind: 'qa', base: 1.9, spread: 1.0, unsolvable: 0.18, programmer: -2.5, plan: 0.05, decompose: 0.1, verbose: 0.08 },
  nq: { ...defaults, kind: 'qa', base: 1.0, spread: 1.0, unsolvable: 0.57, programmer: -2.5, plan: 0.05, decompose: 0.1, verbose: 0.1 },
  mbpp: { ...defaults, kind: 'code', base: 1.25, spread: 1.0, unsolvable: 0.24, programmer: -0.5, plan: 0.2, verbose: 0 },
  humaneval: { ...defaults, kind: 'code', base: 2.3, spread: 0.9, unsolvable: 0.135, programmer: -0.5, plan: 0.2, verbose: 0 },
  ds1000: { ...defaults, kind: 'code', base: 0.5, spread: 1.0, unsolvable: 0.35, programmer: -0.5, plan: 0.15, verbose: 0 },
  math_default: { ...defaults, kind: 'math', base: 1.6, unsolvable: 0.1, programmer: 0.3 },
  qa_default: { ...defaults, kind: 'qa', base: 1.4, unsolvable: 0.15, programmer: -2.5 },
  code_default: { ...defaults, kind: 'code', base: 1.2, unsolvable: 0.15, programmer: -0.5, verbose: 0 },
};

/** The family of a dataset (by name, else by kind). */
export function familyOf(dataset: string, kind: TaskKind): { name: string; params: FamilyParams } {
  const direct = FAMILIES[dataset];
  if (direct) return { name: dataset, params: direct };
  const name = `${kind}_default`;
  return { name, params: FAMILIES[name] as FamilyParams };
}
