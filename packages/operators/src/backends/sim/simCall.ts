/**
 * One sim request as the responders see it, and the probability model shared by all of them:
 * P(solve) from family, latent hardness, profile skill, operator, upstream guidance and prompt fit;
 * solvability; verbosity; the draw of an answer (gold or a correlated distractor).
 * @internal
 */
import type { SimProfile } from './profiles.ts';
import { judge } from './answers.ts';
import { combine, hashString, normalQuantile, sigmoid, unit, weightedIndex, type Rng } from './rng.ts';
import type { TaskModel } from './taskModel.ts';

/** Everything a responder needs for one reply. */
export interface SimCall {
  readonly model: TaskModel;
  readonly profile: SimProfile;
  readonly operator: string;
  readonly purpose: string;
  readonly attempt: number;
  readonly context: Readonly<Record<string, unknown>>;
  readonly instruction: string;
  /** Prompt fit of the node instruction for this operator: 1 fits, 0 neutral/default, -1 misfit. */
  readonly fit: number;
  readonly rng: Rng;
}

/** A string field of the call context ("" when absent). */
export function contextText(call: SimCall, key: string): string {
  const value = call.context[key];
  return typeof value === 'string' ? value : '';
}

/** A string-list field of the call context ([] when absent). */
export function contextList(call: SimCall, key: string): string[] {
  const value = call.context[key];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** P(correct) for tasks outside the model's reach: rare lucky hits only. */
export const UNSOLVABLE_P = 0.03;

const solvableCache = new WeakMap<TaskModel, Map<string, boolean>>();

/** Whether the profile can solve the task at all (the hard tail beyond its reach is fixed per task). */
export function isSolvable(model: TaskModel, profile: SimProfile): boolean {
  let byProfile = solvableCache.get(model);
  if (!byProfile) {
    byProfile = new Map();
    solvableCache.set(model, byProfile);
  }
  const hit = byProfile.get(profile.name);
  if (hit !== undefined) return hit;
  const share = 1 - (1 - model.family.unsolvable) ** profile.reachExponent;
  const solvable = model.z < normalQuantile(1 - share);
  byProfile.set(profile.name, solvable);
  return solvable;
}

/** Pseudo-operator for Verify's answer when it was handed no solution to check. */
export const VERIFY_FROM_SCRATCH = 'Verify(from scratch)';

/** Solve logit of `operator` on this call's task (see CONTEXT.md for the model). */
export function solveLogit(call: SimCall, operator = call.operator): number {
  const { family, z, task, unanswerable } = call.model;
  let logit = family.base + call.profile.skill - family.spread * z;
  if (task.kind === 'code') {
    if (operator === 'AnswerGenerate' || operator === 'Custom' || operator === 'Aggregate') logit += family.programmer;
  } else if (operator === 'Programmer') {
    logit += family.programmer;
  }
  if (operator === 'Custom') logit -= 0.15;
  if (operator === 'Verify') logit -= 0.1;
  // Verify shown no solution at all: a checking prompt answered from scratch, without a worked solution, is a
  // poor solver. Without this, checker-only workflows (no solver) would match real ones, a shortcut the paper's
  // diversity constraint is meant to suppress, not reward.
  if (operator === VERIFY_FROM_SCRATCH) logit -= 1.2;
  if (unanswerable) logit += family.abstain;
  if (call.context.hasGuidance === true) logit += /\?/.test(contextText(call, 'guidance')) ? family.decompose : family.plan;
  return logit + 0.15 * call.fit;
}

/** P(a solve call of `operator` gets the right answer). */
export function solveProbability(call: SimCall, operator = call.operator): number {
  return isSolvable(call.model, call.profile) ? sigmoid(solveLogit(call, operator)) : UNSOLVABLE_P;
}

const VERBOSE_FACTOR: Readonly<Record<string, number>> = { AnswerGenerate: 1, Custom: 4, Revise: 1.5, Aggregate: 0.6 };
const CONCISE = /\b(?:only|concise|just the|short|final answer|no explanation|bare|exact)\b/i;

/** P(the answer is written as a verbose sentence). */
export function verboseProbability(call: SimCall, operator = call.operator): number {
  const factor = VERBOSE_FACTOR[operator] ?? 1;
  const concise = CONCISE.test(call.instruction) ? 0.35 : 1;
  return Math.min(0.9, call.model.family.verbose * call.profile.verbosity * factor * concise);
}

/** Correlation of two solve attempts on one task by the same operator / by different operators. */
export const SAME_OPERATOR_CORRELATION = 0.55;
export const CROSS_OPERATOR_CORRELATION = 0.3;

/**
 * A success draw with marginal probability `p` whose outcomes are correlated across calls on the same
 * task (Gaussian copula). Real models at temperature 0 repeat themselves: three identical solvers agree
 * far more often than independent coins would, so ensembles of one operator gain less than ensembles
 * mixing operators. The shared parts depend on task, profile and operator only, not on the seed.
 */
export function correlatedChance(call: SimCall, operator: string, p: number): boolean {
  if (p <= 0) return false;
  if (p >= 1) return true;
  const base = combine(call.model.hash, hashString(call.profile.name));
  const shared = normalQuantile(unit(combine(base, 0x7a5c)));
  const own = normalQuantile(unit(combine(base, hashString(operator))));
  const noise = normalQuantile(call.rng.next());
  const latent =
    Math.sqrt(CROSS_OPERATOR_CORRELATION) * shared +
    Math.sqrt(SAME_OPERATOR_CORRELATION - CROSS_OPERATOR_CORRELATION) * own +
    Math.sqrt(1 - SAME_OPERATOR_CORRELATION) * noise;
  return latent < normalQuantile(p);
}

/** A wrong answer from the task's correlated pool. */
export function drawDistractor(call: SimCall): string {
  const pool = call.model.distractors();
  return pool.values[weightedIndex(pool.weights, call.rng.next())] ?? '0';
}

/** An answer decision: right (the gold) or a distractor. */
export interface AnswerDraw {
  readonly correct: boolean;
  readonly core: string;
}

/**
 * Draws a solver's answer. A solution handed in from upstream anchors it: a right one is usually kept,
 * a wrong one is often repeated (errors propagate), as real models do with a "previous result".
 */
export function drawAnswer(call: SimCall, operator = call.operator): AnswerDraw {
  let p = solveProbability(call, operator);
  const previous = contextText(call, 'previous');
  if (previous) {
    const upstream = judge(call.model, previous);
    if (upstream.correct) p = 1 - (1 - p) * 0.35;
    else if (upstream.core.length > 0 && upstream.core.length <= 120 && call.rng.chance(0.5)) return { correct: false, core: upstream.core };
  }
  return correlatedChance(call, operator, p) ? { correct: true, core: call.model.gold } : { correct: false, core: drawDistractor(call) };
}

/** A program decision for code tasks: the reference (-1) or mutant k, with its text. */
export function drawProgram(call: SimCall, pCorrect: number, avoid?: number): { label: number; code: string } {
  const { model, rng } = call;
  const mutants = model.mutants();
  if (!model.reference) return { label: 0, code: stubProgram(call) };
  if (mutants.length === 0 || correlatedChance(call, call.operator, pCorrect)) return { label: -1, code: model.reference };
  // The task's favourite mutant (its most likely bug) takes most of the weight: wrong attempts correlate.
  // Out of reach, the model is stuck on its two favourite bugs; otherwise cycling through every mutant
  // until one happens to be equivalent would "solve" the unsolvable tail.
  const favourite = (model.hash >>> 4) % Math.min(mutants.length, 3);
  const stuck = !isSolvable(model, call.profile);
  const runnerUp = (favourite + 1) % mutants.length;
  const weights: number[] = mutants.map((_, k) => (k === avoid ? 0 : k === favourite ? 3 : stuck ? (k === runnerUp ? 1 : 0) : 1));
  if (!weights.some((w) => w > 0)) weights[favourite] = 1;
  const label = weightedIndex(weights, rng.next());
  return { label, code: mutants[label] ?? model.reference };
}

function stubProgram(call: SimCall): string {
  const task = call.model.task;
  const name = task.kind === 'code' && task.entryPoint ? task.entryPoint : 'solution';
  return `def ${name}(*args, **kwargs):\n    return None`;
}
