/**
 * Math answer scoring (spec §4.3): extract the final answer, normalise LaTeX, then compare as strings,
 * case-insensitively, numerically (tolerance 1e-3) and element-wise for tuples, intervals and lists.
 * Simple arithmetic with `pi` and `sqrt` is evaluated by a tiny recursive-descent evaluator (no `eval`).
 * Multiple-choice tasks compare letters and also accept the correct option's text.
 * @public
 */
import type { MathTask } from '../tasks/types.ts';
import { extractAnswer, extractBoxed, extractChoice, extractLastNumber, matchingBrace } from './answerExtraction.ts';

/** Result of scoring one math prediction. */
export interface MathScoreResult {
  readonly score: 0 | 1;
  /** The answer read from the prediction (a letter for multiple choice). */
  readonly extracted: string;
}

/** Absolute numeric tolerance of the paper's training reward (spec §4.3). */
export const MATH_ABS_TOLERANCE = 1e-3;

const MAX_ANSWER_LENGTH = 1000;

/**
 * Scores `predictedText` against a math task: 1 when the extracted answer is equivalent to the gold answer.
 * When no explicit marker (`\boxed`, `####`, `<answer>`, "answer is") is present, both the whole text and its
 * last number are tried, so "18" and "She makes $18 a day." both score.
 */
export function scoreMath(task: MathTask, predictedText: string): MathScoreResult {
  if (task.choices) return scoreChoice(task.answer, task.choices, predictedText);
  const primary = extractAnswer(predictedText, 'math');
  if (mathEquivalent(primary.answer, task.answer)) return { score: 1, extracted: primary.answer };
  if (primary.method === 'whole' || primary.method === 'last_number') {
    const alternatives = [predictedText.trim(), extractLastNumber(predictedText)];
    for (const candidate of alternatives) {
      if (candidate !== null && candidate !== primary.answer && mathEquivalent(candidate, task.answer)) {
        return { score: 1, extracted: candidate };
      }
    }
  }
  return { score: 0, extracted: primary.answer };
}

function scoreChoice(gold: string, choices: Readonly<Record<string, string>>, text: string): MathScoreResult {
  const goldLetter = gold.trim().toLowerCase();
  const letter = extractChoice(text, Object.keys(choices).join(''));
  if (letter !== null) return { score: letter === goldLetter ? 1 : 0, extracted: letter };
  // No letter: accept the correct option's text (e.g. "12"), but only if it matches no other option as well.
  const extracted = extractAnswer(text, 'math').answer;
  const matching = Object.entries(choices).filter(([, option]) => mathEquivalent(extracted, option));
  const only = matching.length === 1 ? matching[0] : undefined;
  return { score: only !== undefined && only[0].toLowerCase() === goldLetter ? 1 : 0, extracted };
}

/** True when `predicted` and `gold` denote the same math answer (see module doc for the rules). */
export function mathEquivalent(predicted: string, gold: string): boolean {
  const rawPredicted = predicted.trim();
  const rawGold = gold.trim();
  if (rawPredicted === '' || rawGold === '') return false;
  if (rawPredicted === rawGold) return true;
  // An answer is short; a long text (a whole unextracted derivation) is not worth normalising.
  if (rawPredicted.length > MAX_ANSWER_LENGTH) return false;
  const p = normalizeMathAnswer(rawPredicted);
  const g = normalizeMathAnswer(rawGold);
  if (p === '' || g === '') return false;
  return equivalentNormalized(p, g);
}

function equivalentNormalized(p: string, g: string): boolean {
  if (p === g || p.toLowerCase() === g.toLowerCase()) return true;
  const gt = splitTuple(g);
  const pt = splitTuple(p);
  if (gt || pt) {
    if (!gt || !pt || gt.items.length !== pt.items.length) return false;
    if (gt.open !== '' && pt.open !== '' && (gt.open !== pt.open || gt.close !== pt.close)) return false;
    // A bare list ("1, -2": a set of solutions) is compared as a multiset; brackets mean order matters.
    return gt.open === '' ? sameMultiset(pt.items, gt.items) : pt.items.every((x, i) => equivalentNormalized(x, gt.items[i] ?? ''));
  }
  const goldPercent = g.endsWith('%');
  const gv = evaluateMath(goldPercent ? g.slice(0, -1) : g);
  const pv = evaluateMath(p.endsWith('%') ? p.slice(0, -1) : p);
  if (gv === null || pv === null) return false;
  // Percent forms are equal to fractions only when the gold itself is a percentage: gold "50%" accepts
  // "50" and "0.5"; gold "0.5" does not accept "50%".
  return numbersClose(pv, gv) || (goldPercent && !p.endsWith('%') && numbersClose(pv, gv / 100));
}

function sameMultiset(predicted: readonly string[], gold: readonly string[]): boolean {
  const remaining = [...gold];
  for (const item of predicted) {
    const at = remaining.findIndex((g) => equivalentNormalized(item, g));
    if (at === -1) return false;
    remaining.splice(at, 1);
  }
  return true;
}

/**
 * Numeric closeness: absolute 1e-3 (the paper), a 1e-9 relative slack for huge numbers, and for tiny non-zero
 * golds (|gold| < 0.01) a 1e-3 relative bound instead, so `0` does not match `.0000672`.
 */
export function numbersClose(value: number, gold: number): boolean {
  if (value === gold) return true;
  if (!Number.isFinite(value) || !Number.isFinite(gold)) return false;
  const diff = Math.abs(value - gold);
  if (gold !== 0 && Math.abs(gold) < 0.01) return diff <= 1e-3 * Math.abs(gold);
  return diff <= MATH_ABS_TOLERANCE || diff <= 1e-9 * Math.max(Math.abs(value), Math.abs(gold));
}

interface Tuple {
  readonly open: string;
  readonly close: string;
  readonly items: string[];
}

/** Splits a normalised `(a,b)` / `[a,b)` / bare `a,b` at top-level commas; null when there is no such comma. */
function splitTuple(s: string): Tuple | null {
  let open = '';
  let close = '';
  let body = s;
  const first = s[0] ?? '';
  const last = s.at(-1) ?? '';
  if ('(['.includes(first) && ')]'.includes(last) && closingIndex(s) === s.length - 1) {
    open = first;
    close = last;
    body = s.slice(1, -1);
  }
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] ?? '';
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) {
      items.push(body.slice(start, i));
      start = i + 1;
    }
  }
  if (items.length === 0) return null;
  items.push(body.slice(start));
  return { open, close, items };
}

/** Index where the bracket opened at 0 closes (any bracket type, since intervals mix them). */
function closingIndex(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] ?? '';
    if ('(['.includes(ch)) depth++;
    else if (')]'.includes(ch) && --depth === 0) return i;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------------------
// Normalisation

const UNIT_WORD_EXCEPTIONS = new Set(['pi', 'sqrt', 'inf', 'i']);

/**
 * Canonical text of a math answer: `\boxed` unwrapped, `$`/`\left`/`\right`/spacing/degree marks dropped,
 * `\frac{a}{b}` → `a/b`, `\sqrt{x}` → `sqrt(x)`, `\pi` → `pi`, `\%` → `%`, text units dropped, thousands
 * commas removed, `x = 5` → `5`, all whitespace removed. Case is kept (comparison ignores it separately).
 */
export function normalizeMathAnswer(answer: string): string {
  let s = answer.trim();
  const boxed = extractBoxed(s);
  if (boxed !== null) s = boxed;
  s = s
    .replace(/[−–]/g, '-')
    .replace(/[×·]/g, '*')
    .replace(/÷/g, '/')
    .replace(/π/g, '\\pi ')
    .replace(/√/g, '\\sqrt')
    .replace(/∞/g, '\\infty ')
    .replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|big|Big)(?![a-zA-Z])\.?/g, '')
    .replace(/\\[()[\]]/g, '')
    .replace(/\\?\$/g, '')
    .replace(/\\begin\{[pbvB]?matrix\}([\s\S]*?)\\end\{[pbvB]?matrix\}/g, (_m, body: string) => `(${body.split(/\\\\|&/).join(',')})`)
    .replace(/\^\s*\{?\s*\\circ\s*\}?|°|\\circ|\\degree/g, '')
    .replace(/\\%/g, '%')
    .replace(/\\[!,;: ]|\\q?quad|~/g, ' ')
    .replace(/\\[dt]frac/g, '\\frac');
  s = replaceTextCommands(s);
  s = convertCommands(s);
  s = s
    .replace(/\\pi(?![a-zA-Z])/g, 'pi')
    .replace(/\\infty/g, 'inf')
    .replace(/\\(?:cdot|times)(?![a-zA-Z])/g, '*')
    .replace(/\\div(?![a-zA-Z])/g, '/')
    .replace(/\\([a-zA-Z]+)/g, '$1')
    .trim()
    .replace(/[.\s]+$/, '');
  s = dropTrailingUnitWords(s);
  s = s.replace(/\s+/g, '');
  s = flattenBraces(s);
  if (/^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?$/.test(s)) s = s.replace(/,/g, '');
  const assignment = /^[a-zA-Z]\w*=([^=]+)$/.exec(s);
  if (assignment?.[1]) s = assignment[1];
  const letter = /^\(([a-zA-Z])\)$/.exec(s);
  if (letter?.[1]) s = letter[1];
  return s;
}

/** `\text{Evelyn}` alone → `Evelyn`; `5\text{ cm}^2` → `5` (a unit after a value is dropped). */
function replaceTextCommands(s: string): string {
  const re = /\\(?:text|textbf|textrm|mbox|mathrm|mathbf|operatorname)\s*\{([^{}]*)\}(\^\{?\d\}?)?/g;
  const whole = /^\s*\\(?:text|textbf|textrm|mbox|mathrm|mathbf|operatorname)\s*\{([^{}]*)\}\s*$/.exec(s);
  if (whole) return (whole[1] ?? '').trim();
  return s.replace(re, (match, content: string, _power: string | undefined, offset: number) => {
    const before = s.slice(0, offset).trim();
    const isUnit = /^\s*[a-zA-Z][a-zA-Z\s.]*$/.test(content) && /[\d}]$/.test(before);
    return isUnit ? '' : match.replace(/^\\[a-zA-Z]+\s*\{([^{}]*)\}/, '$1');
  });
}

/** "18 dollars" → "18": a number followed only by words that are not math (pi, sqrt, i). */
function dropTrailingUnitWords(s: string): string {
  const m = /^([-+]?[\d.,/]+%?)\s+([a-zA-Z][a-zA-Z\s.]*)$/.exec(s);
  if (!m?.[1] || !m[2]) return s;
  const words = m[2].trim().split(/\s+/);
  return words.some((w) => UNIT_WORD_EXCEPTIONS.has(w.toLowerCase().replace(/\.$/, ''))) ? s : m[1];
}

/** Rewrites `\frac{a}{b}` → `a/b` (parenthesised unless atomic) and `\sqrt[n]{x}` / `\sqrt{x}` recursively. */
function convertCommands(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const rest = s.slice(i);
    const frac = /^\\frac(?![a-zA-Z])\s*/.exec(rest);
    const sqrt = /^\\sqrt(?![a-zA-Z])\s*/.exec(rest);
    if (frac) {
      const a = readArgument(s, i + frac[0].length);
      const b = a ? readArgument(s, a.end) : null;
      if (a && b) {
        out += `${wrap(convertCommands(a.text))}/${wrap(convertCommands(b.text))}`;
        i = b.end;
        continue;
      }
    } else if (sqrt) {
      let at = i + sqrt[0].length;
      let root: string | null = null;
      if (s[at] === '[') {
        const close = s.indexOf(']', at);
        if (close !== -1) {
          root = s.slice(at + 1, close);
          at = close + 1;
        }
      }
      const arg = readArgument(s, at);
      if (arg) {
        const inner = convertCommands(arg.text);
        out += root === null ? `sqrt(${inner})` : `(${inner})^(1/${root})`;
        i = arg.end;
        continue;
      }
    }
    out += s[i];
    i++;
  }
  return out;
}

/** A LaTeX argument at `at`: a `{…}` group or a single character / `\command`. */
function readArgument(s: string, at: number): { text: string; end: number } | null {
  let i = at;
  while (s[i] === ' ') i++;
  if (i >= s.length) return null;
  if (s[i] === '{') {
    const close = matchingBrace(s, i);
    return close === -1 ? null : { text: s.slice(i + 1, close), end: close + 1 };
  }
  const command = /^\\[a-zA-Z]+/.exec(s.slice(i));
  if (command) return { text: command[0], end: i + command[0].length };
  return { text: s[i] ?? '', end: i + 1 };
}

function wrap(expr: string): string {
  const trimmed = expr.trim();
  return /^\\?[\w.]+$/.test(trimmed) ? trimmed : `(${trimmed})`;
}

/** `x^{2}` → `x^2`, `x^{n+1}` → `x^(n+1)`, `52_{8}` → `52_8`, leftover braces dropped. */
function flattenBraces(s: string): string {
  let out = s;
  for (let previous = ''; previous !== out; ) {
    previous = out;
    out = out.replace(/\^\{([^{}]*)\}/g, (_m, c: string) => `^${wrap(c)}`).replace(/_\{([^{}]*)\}/g, '_$1');
  }
  return out.replace(/\\?[{}]/g, '');
}

// ---------------------------------------------------------------------------------------------------------
// Safe arithmetic evaluator: numbers, + - * / ^, parentheses, implicit multiplication, pi, inf, sqrt.

type Token = { kind: 'num'; value: number } | { kind: 'id'; name: 'pi' | 'inf' | 'sqrt' } | { kind: 'op'; op: string };

function tokenize(s: string): Token[] | null {
  const tokens: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const rest = s.slice(i);
    const num = /^(?:\d+(?:\.\d*)?|\.\d+)/.exec(rest);
    const id = /^(?:sqrt|pi|inf)/.exec(rest);
    if (num) {
      tokens.push({ kind: 'num', value: Number(num[0]) });
      i += num[0].length;
    } else if (id) {
      tokens.push({ kind: 'id', name: id[0] as 'pi' | 'inf' | 'sqrt' });
      i += id[0].length;
    } else if ('+-*/^()'.includes(rest[0] ?? '')) {
      tokens.push({ kind: 'op', op: rest[0] ?? '' });
      i += 1;
    } else {
      return null;
    }
  }
  return tokens;
}

/**
 * Value of a normalised arithmetic expression (`3sqrt(13)`, `-pi/6`, `2^10`, `1/2`), or null when it holds
 * anything else (variables, `i`, functions other than sqrt) or does not parse. Never uses `eval`.
 */
export function evaluateMath(expression: string): number | null {
  const tokens = tokenize(expression.replace(/\*\*/g, '^'));
  // The recursive descent nests once per bracket; a bound keeps hostile input from exhausting the stack.
  if (!tokens || tokens.length === 0 || tokens.length > 500) return null;
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isOp = (op: string): boolean => {
    const t = peek();
    return t?.kind === 'op' && t.op === op;
  };

  const expr = (): number | null => {
    let value = term();
    while (value !== null && (isOp('+') || isOp('-'))) {
      const op = (tokens[pos++] as { op: string }).op;
      const right = term();
      value = right === null ? null : op === '+' ? value + right : value - right;
    }
    return value;
  };
  const term = (): number | null => {
    let value = unary();
    for (;;) {
      if (value === null) return null;
      if (isOp('*') || isOp('/')) {
        const op = (tokens[pos++] as { op: string }).op;
        const right = unary();
        if (right === null) return null;
        if (op === '/' && right === 0) return null;
        value = op === '*' ? value * right : value / right;
        continue;
      }
      const next = peek();
      // Implicit multiplication: `2pi`, `3sqrt(2)`, `2(3+1)`.
      if (next && (next.kind !== 'op' || next.op === '(')) {
        const right = power();
        if (right === null) return null;
        value *= right;
        continue;
      }
      return value;
    }
  };
  const unary = (): number | null => {
    if (isOp('-') || isOp('+')) {
      const negative = (tokens[pos++] as { op: string }).op === '-';
      const value = unary();
      return value === null ? null : negative ? -value : value;
    }
    return power();
  };
  const power = (): number | null => {
    const base = atom();
    if (base === null || !isOp('^')) return base;
    pos++;
    const exponent = unary();
    return exponent === null ? null : base ** exponent;
  };
  const atom = (): number | null => {
    const t = tokens[pos++];
    if (!t) return null;
    if (t.kind === 'num') return t.value;
    if (t.kind === 'id') {
      if (t.name === 'pi') return Math.PI;
      if (t.name === 'inf') return Infinity;
      const arg = atom();
      return arg === null || arg < 0 ? null : Math.sqrt(arg);
    }
    if (t.op !== '(') return null;
    const value = expr();
    if (!isOp(')')) return null;
    pos++;
    return value;
  };

  const value = expr();
  return value !== null && pos === tokens.length && !Number.isNaN(value) ? value : null;
}
