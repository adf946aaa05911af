/**
 * What the sim knows about one task, derived once and cached: the dataset family, a latent hardness `z`
 * (from metadata such as MATH's level, text length and a per-task hash), the gold answer in the forms
 * the sim writes and recognises, and — built lazily — the distractor pool and the code mutants.
 * This module and the scorers are the only readers of gold data.
 * @internal
 */
import type { Task } from '@flowsteer/core';
import { codeKey, makeMutants } from './codeMutants.ts';
import { mathDistractors, qaDistractors, type DistractorPool } from './distractors.ts';
import { familyOf, type FamilyParams } from './families.ts';
import { mathKey, numberOf, numbersIn, qaKey } from './normalize.ts';
import { hashString, normalQuantile, unit } from './rng.ts';

/** Derived, cached view of a task. */
export interface TaskModel {
  readonly task: Task;
  readonly familyName: string;
  readonly family: FamilyParams;
  /** Latent hardness, roughly standard normal; higher is harder. Independent of seed and profile. */
  readonly z: number;
  /** Stable per-task hash (seeds per-task choices such as the favourite distractor). */
  readonly hash: number;
  /** What the sim writes when it answers correctly ("unanswerable" for SQuAD 2.0 no-answer items). */
  readonly gold: string;
  /** SQuAD 2.0 item without an answer. */
  readonly unanswerable: boolean;
  /** Normalised keys of every accepted gold form. */
  readonly goldKeys: ReadonlySet<string>;
  readonly goldNumber: number | undefined;
  /** Numbers stated in the problem (for verbose wrappers and programs). */
  readonly problemNumbers: readonly number[];
  distractors(): DistractorPool;
  /** Reference code (code tasks; "" when the task has none). */
  readonly reference: string;
  /** Single-edit mutants of the reference (code tasks). */
  mutants(): readonly string[];
  /** Labels of the sim's own programs by `codeKey`: -1 = reference, k = mutant k. */
  codeLabel(code: string): number | undefined;
}

const NO_ANSWER_GOLD = 'unanswerable';

/** Text-length hardness feature: standardised log length, per kind. */
function lengthFeature(task: Task): number {
  const text = task.kind === 'qa' ? String(task.meta.question ?? task.problem) : task.kind === 'code' ? referenceOf(task).body : task.problem;
  const typical = task.kind === 'qa' ? 90 : task.kind === 'code' ? 220 : 260;
  return Math.max(-2.5, Math.min(2.5, Math.log((text.length + 20) / typical) / 0.55));
}

function hardness(task: Task, family: FamilyParams, hash: number): number {
  const level = Number(task.meta.level);
  const feature = Number.isFinite(level) && level >= 1 && level <= 5 ? (level - 3) / 1.25 : lengthFeature(task);
  const noise = normalQuantile(unit(hash));
  const w = family.lengthWeight;
  return w * feature + Math.sqrt(1 - w * w) * noise;
}

function referenceOf(task: Task): { code: string; protectedChars: number; body: string } {
  if (task.kind !== 'code') return { code: '', protectedChars: 0, body: '' };
  const reference = typeof task.meta.reference_solution === 'string' ? task.meta.reference_solution : '';
  // HumanEval's reference is prompt + canonical body: the given prompt is not the model's to get wrong.
  const protectedChars = reference.startsWith(task.problem) ? task.problem.length : 0;
  return { code: reference, protectedChars, body: reference.slice(protectedChars) || task.problem };
}

function buildModel(task: Task): TaskModel {
  const { name: familyName, params: family } = familyOf(task.dataset, task.kind);
  const hash = hashString(task.id, 0x5eed);
  const z = hardness(task, family, hash);
  const unanswerable = task.kind === 'qa' && task.answers.length === 0;
  const gold = task.kind === 'code' ? '' : unanswerable ? NO_ANSWER_GOLD : task.kind === 'qa' ? (task.answers[0] ?? task.answer) : task.answer;
  const goldKeys = new Set<string>();
  if (task.kind === 'qa') for (const answer of unanswerable ? [NO_ANSWER_GOLD] : task.answers) goldKeys.add(qaKey(answer));
  if (task.kind === 'math') goldKeys.add(mathKey(task.answer));
  const { code: reference, protectedChars } = referenceOf(task);
  let pool: DistractorPool | undefined;
  let mutantList: string[] | undefined;
  let labels: Map<string, number> | undefined;
  const model: TaskModel = {
    task,
    familyName,
    family,
    z,
    hash,
    gold,
    unanswerable,
    goldKeys,
    goldNumber: task.kind === 'math' && !task.choices ? numberOf(task.answer) : undefined,
    problemNumbers: task.kind === 'code' ? [] : numbersIn(task.kind === 'qa' ? String(task.meta.question ?? '') : task.problem),
    reference,
    distractors() {
      if (!pool) {
        const pick = hash >>> 8;
        if (task.kind === 'math') pool = mathDistractors(task, family.favourite, pick);
        else if (task.kind === 'qa') pool = qaDistractors(task, String(task.meta.question ?? task.problem), family.favourite, pick);
        else pool = { values: [], weights: [] };
      }
      return pool;
    },
    mutants() {
      mutantList ??= reference ? makeMutants(reference, protectedChars) : [];
      return mutantList;
    },
    codeLabel(code: string) {
      if (!labels) {
        labels = new Map([[codeKey(reference), -1]]);
        model.mutants().forEach((mutant, k) => labels?.set(codeKey(mutant), k));
      }
      return labels.get(codeKey(code));
    },
  };
  return model;
}

const CACHE_LIMIT = 20_000;
const cache = new Map<string, TaskModel>();

/** The cached model of `task` (rebuilt if a different task object arrives under the same id). */
export function taskModel(task: Task): TaskModel {
  const key = `${task.dataset}\u0000${task.id}`;
  const hit = cache.get(key);
  if (hit && (hit.task === task || hit.task.problem === task.problem)) return hit;
  if (cache.size >= CACHE_LIMIT) cache.clear();
  const model = buildModel(task);
  cache.set(key, model);
  return model;
}
