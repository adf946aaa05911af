/**
 * Cheap answer keys used by the sim to recognise answers (its own and other operators'): SQuAD-style
 * for QA, a light LaTeX/number clean-up for math. Much lighter than the scorers on purpose — the sim
 * calls these on every reply — and only used to steer probabilities, never to score.
 * @internal
 */
import { parsePlainNumber } from '../../parsing.ts';

const ASCII_PUNCT = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

/** SQuAD normalisation: lower case, no ASCII punctuation, no articles, single spaces. */
export function qaKey(text: string): string {
  return text
    .toLowerCase()
    .replace(ASCII_PUNCT, ' ')
    .replace(/\b(?:a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Math key: `\boxed`/`$`/`\left`/`\right`/spaces/trailing dot removed, `\dfrac` → `\frac`, lower case. */
export function mathKey(text: string): string {
  let s = text.trim();
  const boxed = s.indexOf('\\boxed{');
  if (boxed !== -1 && s.endsWith('}')) s = s.slice(boxed + 7, -1);
  s = s
    .replace(/\$/g, '')
    .replace(/\\(?:left|right)\b/g, '')
    .replace(/\\[dt]frac/g, '\\frac')
    .replace(/\\[!,;: ]/g, '')
    .replace(/\s+/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (/^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  return s;
}

/** Numeric value of a plain-number answer, else `undefined`. */
export function numberOf(text: string): number | undefined {
  return parsePlainNumber(text);
}

/** Formats a number the way a model would print it (integers without decimals, else ≤4 decimals). */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(4)));
}

/** Numbers written in a text (at most `limit`, in order, without duplicates). */
export function numbersIn(text: string, limit = 12): number[] {
  const out: number[] = [];
  const re = /(?<![\w.])\d+(?:,\d{3})*(?:\.\d+)?/g;
  for (let m = re.exec(text); m && out.length < limit; m = re.exec(text)) {
    const value = Number(m[0].replace(/,/g, ''));
    if (Number.isFinite(value) && !out.includes(value)) out.push(value);
  }
  return out;
}
