/**
 * QA scoring as the paper reports it: SQuAD-style exact match and token F1, maximum over all gold answers,
 * with the official SQuAD 2.0 rule for unanswerable items.
 * @public
 */
import type { QaTask } from '../tasks/types.ts';
import { extractAnswer, stripDecoration } from './answerExtraction.ts';

/** Result of scoring one QA prediction. */
export interface QaScoreResult {
  readonly em: 0 | 1;
  /** Token F1 in [0, 1]. */
  readonly f1: number;
  /** The answer read from the prediction after prefix and punctuation stripping. */
  readonly extracted: string;
}

// Python's string.punctuation, exactly as the official SQuAD script uses it (non-ASCII marks are kept).
const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

/** SQuAD normalisation: lower case, drop ASCII punctuation, drop a/an/the, collapse whitespace. */
export function normalizeQaAnswer(text: string): string {
  const lower = text.toLowerCase();
  let noPunct = '';
  for (const ch of lower) if (!PUNCTUATION.has(ch)) noPunct += ch;
  return noPunct
    .replace(/\b(a|an|the)\b/g, ' ')
    .split(/\s+/)
    .filter((t) => t !== '')
    .join(' ');
}

/** 1 when the normalised strings are equal. */
export function exactMatch(prediction: string, gold: string): 0 | 1 {
  return normalizeQaAnswer(prediction) === normalizeQaAnswer(gold) ? 1 : 0;
}

/**
 * SQuAD token F1 between one prediction and one gold string. As in the official SQuAD 2.0 script, when
 * either side normalises to no tokens the score is 1 if both are empty and 0 otherwise.
 */
export function tokenF1(prediction: string, gold: string): number {
  const predTokens = tokens(prediction);
  const goldTokens = tokens(gold);
  if (predTokens.length === 0 || goldTokens.length === 0) return predTokens.length === goldTokens.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const t of goldTokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of predTokens) {
    const left = counts.get(t) ?? 0;
    if (left > 0) {
      common++;
      counts.set(t, left - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / predTokens.length;
  const recall = common / goldTokens.length;
  return (2 * precision * recall) / (precision + recall);
}

function tokens(text: string): string[] {
  const normalized = normalizeQaAnswer(text);
  return normalized === '' ? [] : normalized.split(' ');
}

// Ways a workflow says "there is no answer". A workflow always emits some text, so for SQuAD 2.0's
// unanswerable items these count like the official empty prediction.
const NO_ANSWER_RE =
  /^(?:no answer|unanswerable|not answerable|cannot be answered|can ?not answer|none|n\/a|unknown|no information|there is no answer|(?:the )?answer (?:is )?not (?:found|given|provided|stated|mentioned)(?: in the (?:context|passage|text))?|not (?:mentioned|stated|given|provided|found) in the (?:context|passage|text))$/i;

/** True when `prediction` is empty or states that the question has no answer. */
export function isNoAnswer(prediction: string): boolean {
  const cleaned = stripDecoration(prediction).replace(/\s+/g, ' ').trim();
  return cleaned === '' || NO_ANSWER_RE.test(cleaned);
}

/** Removes "Answer:"-style prefixes and trailing punctuation from an extracted QA answer. */
export function cleanQaPrediction(text: string): string {
  let out = stripDecoration(text);
  for (let previous = ''; previous !== out; ) {
    previous = out;
    out = stripDecoration(out.replace(/^(?:the\s+)?(?:final\s+|short\s+)?answer\s*(?:is\s*:?|[:\-–])\s*/i, ''));
  }
  return out;
}

/**
 * Scores `predictedText` against a QA task: EM and F1, each the maximum over `task.answers`.
 * Unanswerable items (`answers` empty, SQuAD 2.0) score EM = F1 = 1 iff the prediction is empty or says there
 * is no answer ({@link isNoAnswer}); any other prediction scores 0.
 */
export function scoreQa(task: QaTask, predictedText: string): QaScoreResult {
  const extracted = cleanQaPrediction(extractAnswer(predictedText, 'qa').answer);
  const golds = task.answers.length > 0 ? task.answers : task.answer.trim() !== '' ? [task.answer] : [];
  if (golds.length === 0) {
    const hit = isNoAnswer(extracted) ? 1 : 0;
    return { em: hit, f1: hit, extracted };
  }
  let em: 0 | 1 = 0;
  let f1 = 0;
  for (const gold of golds) {
    if (exactMatch(extracted, gold) === 1) em = 1;
    f1 = Math.max(f1, tokenF1(extracted, gold));
  }
  return { em, f1, extracted };
}
