/**
 * Named sim profiles: which real model a profile imitates, how skilled it is relative to the calibrated
 * reference (`sim-4o-mini`), how its checkers, reviser, ensembler and formatter behave, and what the
 * imitated model would charge and how fast it would answer.
 * @public
 */

/** Behaviour and price of one simulated model. */
export interface SimProfile {
  /** Profile name; always starts with `sim-`. */
  readonly name: string;
  /** The real model this profile imitates (for labels; never called). */
  readonly imitates: string;
  /** Logit added to every solve probability (0 for the calibrated reference). */
  readonly skill: number;
  /**
   * Reach exponent: the share of a dataset within the profile's reach is (1 - unsolvable)^reachExponent,
   * so > 1 loses more of the hard tail (weaker models) and < 1 recovers part of it (stronger models).
   */
  readonly reachExponent: number;
  /** Multiplies the probability of verbose answers. */
  readonly verbosity: number;
  /** Verify: P(flag | wrong answer) and P(flag | right answer). */
  readonly verifyRecall: number;
  readonly verifyFalseAlarm: number;
  /** Review: P(flag | wrong answer) and P(flag | right answer). */
  readonly reviewRecall: number;
  readonly reviewFalseAlarm: number;
  /** Revise on a flagged wrong answer: P(fix) = reviseFix + reviseSkill * P(solve), plus a bonus when the feedback names the right answer. */
  readonly reviseFix: number;
  readonly reviseSkill: number;
  /** Revise on a right answer that was flagged (false alarm) / not flagged: P(breaking it). */
  readonly reviseBreakFlagged: number;
  readonly reviseBreakUnflagged: number;
  /** ScEnsemble / Aggregate: P(choosing the majority answer). */
  readonly selectMajority: number;
  /** Format: P(extracting the wrong piece of a verbose answer). */
  readonly formatError: number;
  /** Programmer (math): P(a generated program crashes) on the first attempt; halves on each retry. */
  readonly programCrash: number;
  /** Test reflect-and-rewrite: P(fix) = codeFix + codeFixSkill * P(solve). */
  readonly codeFix: number;
  readonly codeFixSkill: number;
  /** USD per million prompt / completion tokens of the imitated model. */
  readonly inputPricePerMTok: number;
  readonly outputPricePerMTok: number;
  /** Simulated latency: fixed overhead plus per-token generation time. */
  readonly latencyBaseMs: number;
  readonly msPerOutputToken: number;
  readonly msPerInputToken: number;
}

const reference: SimProfile = {
  name: 'sim-4o-mini',
  imitates: 'gpt-4o-mini',
  skill: 0,
  reachExponent: 1,
  verbosity: 1,
  verifyRecall: 0.55,
  verifyFalseAlarm: 0.08,
  reviewRecall: 0.45,
  reviewFalseAlarm: 0.1,
  reviseFix: 0.05,
  reviseSkill: 0.55,
  reviseBreakFlagged: 0.25,
  reviseBreakUnflagged: 0.03,
  selectMajority: 0.9,
  formatError: 0.015,
  programCrash: 0.08,
  codeFix: 0.15,
  codeFixSkill: 0.35,
  inputPricePerMTok: 0.15,
  outputPricePerMTok: 0.6,
  latencyBaseMs: 380,
  msPerOutputToken: 13,
  msPerInputToken: 0.02,
};

/** All built-in profiles by name. `sim-4o-mini` is the calibrated default. */
export const SIM_PROFILES: Readonly<Record<string, SimProfile>> = {
  'sim-4o-mini': reference,
  'sim-weak': {
    ...reference,
    name: 'sim-weak',
    imitates: 'a 7B-class open model',
    skill: -1.1,
    reachExponent: 1.8,
    verbosity: 2,
    verifyRecall: 0.35,
    verifyFalseAlarm: 0.18,
    reviewRecall: 0.3,
    reviewFalseAlarm: 0.2,
    reviseFix: 0.02,
    reviseSkill: 0.4,
    reviseBreakFlagged: 0.4,
    reviseBreakUnflagged: 0.08,
    selectMajority: 0.75,
    formatError: 0.06,
    programCrash: 0.2,
    codeFix: 0.12,
    codeFixSkill: 0.4,
    inputPricePerMTok: 0.05,
    outputPricePerMTok: 0.1,
    latencyBaseMs: 250,
    msPerOutputToken: 8,
  },
  'sim-strong': {
    ...reference,
    name: 'sim-strong',
    imitates: 'a frontier model (gpt-4o class)',
    skill: 0.9,
    reachExponent: 0.5,
    verbosity: 0.6,
    verifyRecall: 0.72,
    verifyFalseAlarm: 0.05,
    reviewRecall: 0.62,
    reviewFalseAlarm: 0.06,
    reviseFix: 0.1,
    reviseSkill: 0.6,
    reviseBreakFlagged: 0.15,
    reviseBreakUnflagged: 0.02,
    selectMajority: 0.95,
    formatError: 0.008,
    programCrash: 0.04,
    codeFix: 0.35,
    codeFixSkill: 0.5,
    inputPricePerMTok: 2.5,
    outputPricePerMTok: 10,
    latencyBaseMs: 500,
    msPerOutputToken: 18,
  },
};

/** Names of the built-in profiles. */
export const SIM_PROFILE_NAMES: readonly string[] = Object.keys(SIM_PROFILES);

/** The default profile name. */
export const DEFAULT_SIM_PROFILE = 'sim-4o-mini';
