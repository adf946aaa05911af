/**
 * Correlated wrong answers. Each task gets a fixed pool of plausible wrong answers with a favourite, so
 * independent calls that go wrong often agree (votes among wrong answers can win, as with real models).
 * Math: off-by-one, doubled, halved, partial-step values built from the problem's numbers; symbolic
 * answers get small edits. QA: other entities from the context, near-miss spans, perturbed dates and
 * numbers, a false "unanswerable". Multiple choice: the other letters.
 * @internal
 */
import type { MathTask, QaTask } from '@flowsteer/core';
import { formatNumber, mathKey, numberOf, numbersIn, qaKey } from './normalize.ts';

/** Wrong answers of one task with sampling weights (index 0 is the favourite). */
export interface DistractorPool {
  readonly values: readonly string[];
  readonly weights: readonly number[];
}

function weighted(values: string[], favourite: number, pickFavourite: number): DistractorPool {
  if (values.length === 0) return { values: ['0'], weights: [1] };
  const at = pickFavourite % Math.min(values.length, 4);
  const ordered = [values[at] as string, ...values.filter((_, i) => i !== at)];
  const rest = ordered.length - 1;
  const weights = ordered.map((_, i) => (i === 0 ? favourite : ((1 - favourite) * (1 / (i + 1))) / harmonic(rest)));
  return { values: ordered, weights: rest === 0 ? [1] : weights };
}

function harmonic(n: number): number {
  let sum = 0;
  for (let i = 1; i <= n; i += 1) sum += 1 / (i + 1);
  return sum || 1;
}

function numericDistractors(gold: number, problem: string): string[] {
  const given = numbersIn(problem, 8).filter((n) => n !== gold);
  const out: number[] = [gold + 1, gold - 1, gold * 2];
  if (gold % 2 === 0 || !Number.isInteger(gold)) out.push(gold / 2);
  const [first, second, third] = given;
  if (first !== undefined) out.push(first, gold + first);
  if (first !== undefined && second !== undefined) out.push(first * second, Math.abs(first - second), first + second);
  if (second !== undefined && third !== undefined) out.push(second * third);
  out.push(gold * 10, Math.round(gold * 1.1 + 1));
  const seen = new Set<string>([formatNumber(gold)]);
  const values: string[] = [];
  for (const value of out) {
    if (!Number.isFinite(value) || Math.abs(value - gold) < 1e-3) continue;
    const text = formatNumber(value);
    if (!seen.has(text)) {
      seen.add(text);
      values.push(text);
    }
  }
  return values.slice(0, 8);
}

function symbolicDistractors(gold: string): string[] {
  const edits: string[] = [];
  const firstDigit = /\d/.exec(gold);
  if (firstDigit) edits.push(`${gold.slice(0, firstDigit.index)}${(Number(firstDigit[0]) + 1) % 10}${gold.slice(firstDigit.index + 1)}`);
  const digits = [...gold.matchAll(/\d/g)];
  const lastDigit = digits[digits.length - 1];
  if (lastDigit && lastDigit.index !== firstDigit?.index) {
    edits.push(`${gold.slice(0, lastDigit.index)}${(Number(lastDigit[0]) + 2) % 10}${gold.slice((lastDigit.index ?? 0) + 1)}`);
  }
  edits.push(gold.startsWith('-') ? gold.slice(1) : `-${gold}`);
  const frac = /\\frac\{([^{}]+)\}\{([^{}]+)\}/.exec(gold);
  if (frac) edits.push(gold.replace(frac[0], `\\frac{${frac[2]}}{${frac[1]}}`));
  if (gold.includes('\\sqrt')) edits.push(gold.replace(/\\sqrt\{([^{}]+)\}/, '$1'));
  if (gold.includes('\\pi')) edits.push(gold.replace('\\pi', '2\\pi'));
  const goldKey = mathKey(gold);
  const seen = new Set<string>([goldKey]);
  const values: string[] = [];
  for (const edit of [...edits, '0', '1', '2']) {
    const key = mathKey(edit);
    if (!seen.has(key) && edit.trim().length > 0) {
      seen.add(key);
      values.push(edit);
    }
  }
  return values.slice(0, 6);
}

/** The distractor pool of a math task (numbers, symbolic edits or option letters). */
export function mathDistractors(task: MathTask, favourite: number, pick: number): DistractorPool {
  if (task.choices) {
    const letters = Object.keys(task.choices).filter((letter) => letter !== task.answer.toLowerCase());
    return weighted(letters, favourite, pick);
  }
  const gold = numberOf(task.answer);
  const values = gold === undefined ? symbolicDistractors(task.answer) : numericDistractors(gold, task.problem);
  return weighted(values, favourite, pick);
}

const STOP_PHRASES = new Set(['the', 'in', 'it', 'he', 'she', 'this', 'they', 'his', 'her', 'its', 'a', 'an', 'question', 'context', 'answer', 'based', 'however', 'after', 'during', 'on', 'at', 'as', 'for', 'there', 'when', 'what', 'which', 'who']);
const ENTITY = /\b[A-Z][\w'’.-]*(?:\s+(?:of|the|de|and|von|van|da|la|du|del)?\s*[A-Z][\w'’.-]*){0,3}/g;
const GENERIC_NAMES = ['John Smith', 'London', 'New York', 'France', 'William Henry', 'the United States', 'Paris', 'George Washington'];

function entityCandidates(text: string, exclude: (key: string) => boolean, limit: number): string[] {
  const counts = new Map<string, { text: string; count: number; first: number }>();
  let index = 0;
  for (const match of text.matchAll(ENTITY)) {
    const phrase = match[0].replace(/[.,]$/, '').trim();
    const key = qaKey(phrase);
    index += 1;
    if (key.length < 2 || STOP_PHRASES.has(key) || exclude(key)) continue;
    const entry = counts.get(key);
    if (entry) entry.count += 1;
    else counts.set(key, { text: phrase, count: 1, first: index });
  }
  return [...counts.values()]
    .sort((a, b) => b.count - a.count || a.first - b.first)
    .slice(0, limit)
    .map((entry) => entry.text);
}

function nearMisses(gold: string, context: string): string[] {
  const out: string[] = [];
  const words = gold.split(/\s+/).filter(Boolean);
  if (words.length >= 2) out.push(words.slice(1).join(' '), words.slice(0, -1).join(' '));
  const at = context.indexOf(gold);
  if (at !== -1) {
    const next = /^\s+([A-Za-z0-9][\w'-]*)/.exec(context.slice(at + gold.length, at + gold.length + 40))?.[1];
    if (next && !STOP_PHRASES.has(next.toLowerCase())) out.push(`${gold} ${next}`);
  }
  const number = /\d+/.exec(gold);
  if (number) {
    const value = Number(number[0]);
    for (const shifted of [value + 1, value - 1, value + 10]) out.push(gold.replace(number[0], String(shifted)));
  }
  return out;
}

/** The distractor pool of a QA task; `questionText` is the question alone (its entities are not answers). */
export function qaDistractors(task: QaTask, questionText: string, favourite: number, pick: number): DistractorPool {
  const golds = task.answers.length > 0 ? task.answers : [];
  const goldKeys = golds.map(qaKey).filter((key) => key.length > 0);
  const questionKey = qaKey(questionText);
  const excluded = (key: string) => goldKeys.some((g) => g === key || g.includes(key) || key.includes(g)) || questionKey.includes(key);
  const context = task.problem.length > questionText.length ? task.problem : '';
  const primary = golds[0] ?? '';
  const values: string[] = [];
  const lower = primary.toLowerCase();
  if (lower === 'yes' || lower === 'no') values.push(lower === 'yes' ? 'no' : 'yes');
  if (primary) values.push(...nearMisses(primary, context));
  values.push(...entityCandidates(context || questionText, excluded, 8));
  if (golds.length > 0 && task.dataset === 'squad_v2') values.splice(1, 0, 'unanswerable');
  if (values.length < 3) values.push(...GENERIC_NAMES.filter((name) => !excluded(qaKey(name))).slice(0, 4));
  const seen = new Set<string>();
  const unique = values.filter((value) => {
    const key = qaKey(value);
    if (key.length === 0 || seen.has(key) || goldKeys.includes(key)) return false;
    seen.add(key);
    return true;
  });
  return weighted(unique.slice(0, 10), favourite, pick);
}
