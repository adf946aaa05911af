/**
 * How the sim writes answers and how it recognises them again. Answers come in three styles: `bare`
 * (just the answer), `line` (reasoning ending in "Final answer: X", which scorers can extract) and
 * `verbose` (the answer inside a sentence that exact-match scoring rejects: for math the sentence ends
 * on another number from the problem, for QA it is a whole sentence; only a Format recovers it).
 * `judge` maps any text back to "is the content right?" plus its core answer, so checkers, ensembles
 * and Format can act on the content and not on the wording.
 * @internal
 */
import { formatNumber, mathKey, numberOf, qaKey } from './normalize.ts';
import type { Rng } from './rng.ts';
import type { TaskModel } from './taskModel.ts';

/** How an answer is written. */
export type AnswerStyle = 'bare' | 'line' | 'verbose';

const MATH_VERBOSE = [
  'Working through the quantities gives {core}, using the {n} stated in the problem.',
  'So the result is {core}; this relied on the figure {n}.',
  'We end up with {core} after combining everything with the {n} given.',
];
const QA_VERBOSE = ['{core}, according to the passage.', 'It was {core}.', 'The passage indicates {core}.', 'From the context, {core} is the one the question refers to.'];
const NO_ANSWER_VERBOSE = ['The passage does not say.', 'This is not stated anywhere in the context.', 'The text never mentions it, so it cannot be determined from the passage.'];

function templateRegex(template: string): RegExp {
  const escaped = template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace('\\{core\\}', '(.+?)').replace('\\{n\\}', '[-\\d.,]+')}$`, 'is');
}

const VERBOSE_PATTERNS = [...MATH_VERBOSE, ...QA_VERBOSE].map(templateRegex);
const NO_ANSWER_TEXTS = new Set(NO_ANSWER_VERBOSE.map((text) => text.toLowerCase()));

/** A number from the problem that is neither the written core nor the gold (the verbose sentence's tail). */
function otherNumber(model: TaskModel, core: string, rng: Rng): string {
  const avoid = new Set([numberOf(core), model.goldNumber]);
  if (model.task.kind === 'math' && model.task.choices) for (const option of Object.values(model.task.choices)) avoid.add(numberOf(option));
  const options = model.problemNumbers.filter((n) => !avoid.has(n));
  const picked = rng.pick(options);
  if (picked !== undefined) return formatNumber(picked);
  for (let n = 2; n < 50; n += 1) if (!avoid.has(n)) return String(n);
  return '97';
}

/** Writes `core` in the given style. `reasoning` is used by the `line` style. */
export function renderAnswer(model: TaskModel, core: string, style: AnswerStyle, rng: Rng, reasoning = ''): string {
  if (style === 'bare') return core;
  if (style === 'line') return `${reasoning ? `${reasoning}\n` : ''}Final answer: ${core}`;
  if (model.task.kind === 'qa') {
    if (core === model.gold && model.unanswerable) return rng.pick(NO_ANSWER_VERBOSE) ?? NO_ANSWER_VERBOSE[0] ?? core;
    return (rng.pick(QA_VERBOSE) ?? '{core}').replace('{core}', core);
  }
  const choices = model.task.kind === 'math' ? model.task.choices : undefined;
  const shown = choices ? (choices[core] ?? core) : core;
  return (rng.pick(MATH_VERBOSE) ?? '{core}').replace('{core}', shown).replace('{n}', otherNumber(model, shown, rng));
}

/** The sim's reading of a text: is its content right, what is its core answer, is it wrapped in words. */
export interface Judgement {
  readonly correct: boolean;
  /** The answer itself (gold form when correct). */
  readonly core: string;
  /** Wrapped in a sentence that exact match rejects. */
  readonly verbose: boolean;
}

function coreIsCorrect(model: TaskModel, core: string): boolean {
  const task = model.task;
  if (task.kind === 'qa') return model.goldKeys.has(qaKey(core)) || (model.unanswerable && /^(?:no answer|none|n\/a|unknown)$/i.test(core.trim()));
  if (task.kind !== 'math') return false;
  if (task.choices) {
    const letter = /^\(?([a-e])\)?\.?$/i.exec(core.trim())?.[1]?.toLowerCase();
    if (letter !== undefined) return letter === task.answer;
    const gold = task.choices[task.answer];
    return gold !== undefined && mathKey(gold) === mathKey(core);
  }
  if (model.goldKeys.has(mathKey(core))) return true;
  const value = numberOf(core);
  const gold = model.goldNumber;
  return value !== undefined && gold !== undefined && Math.abs(value - gold) <= 1e-6 * Math.max(1, Math.abs(gold));
}

const FINAL_LINE = /final answer\s*:\s*([^\n]*)\s*$/i;

/** Judges any answer text for `model`'s task (not for code: see `TaskModel.codeLabel`). */
export function judge(model: TaskModel, text: string): Judgement {
  const trimmed = text.trim();
  if (trimmed.length === 0) return { correct: false, core: '', verbose: false };
  if (coreIsCorrect(model, trimmed)) return { correct: true, core: model.gold, verbose: false };
  const line = FINAL_LINE.exec(trimmed.slice(-300));
  if (line?.[1] !== undefined) {
    const core = line[1].trim();
    return { correct: coreIsCorrect(model, core), core: coreIsCorrect(model, core) ? model.gold : core, verbose: false };
  }
  if (trimmed.length <= 400) {
    for (const pattern of VERBOSE_PATTERNS) {
      const match = pattern.exec(trimmed);
      if (match?.[1] !== undefined) {
        const core = match[1].trim();
        const correct = coreIsCorrect(model, core);
        return { correct, core: correct ? model.gold : core, verbose: true };
      }
    }
    if (NO_ANSWER_TEXTS.has(trimmed.toLowerCase())) return { correct: model.unanswerable, core: 'unanswerable', verbose: true };
  }
  // Someone else's wording: right if the gold appears in it, as a reader would judge.
  const goldHit = !model.unanswerable && !isChoiceTask(model) && trimmed.length <= 2000 && containsWord(trimmed, model.gold);
  return { correct: goldHit, core: goldHit ? model.gold : trimmed, verbose: true };
}

function isChoiceTask(model: TaskModel): boolean {
  return model.task.kind === 'math' && model.task.choices !== undefined;
}

/** Case-insensitive occurrence of `needle` in `text` that is not part of a longer word or number. */
function containsWord(text: string, needle: string): boolean {
  if (needle.length === 0) return false;
  const haystack = text.toLowerCase();
  const target = needle.toLowerCase();
  for (let at = haystack.indexOf(target); at !== -1; at = haystack.indexOf(target, at + 1)) {
    const before = haystack.charAt(at - 1);
    const after = haystack.charAt(at + target.length);
    if (!/[\p{L}\p{N}]/u.test(before) && !/[\p{L}\p{N}]/u.test(after)) return true;
  }
  return false;
}

/** A vote key for ensembles: answers with the same content share it whatever their wording. */
export function voteKey(model: TaskModel, judgement: Judgement): string {
  if (judgement.correct) return '\u0000gold';
  return model.task.kind === 'qa' ? qaKey(judgement.core) : mathKey(judgement.core);
}
