/**
 * Final-answer extraction from messy model text: `<answer>` tags, `\boxed{}`, GSM8K `####`, "the answer is …"
 * phrases, a last-number fallback for math, and multiple-choice letters. Pure string functions; never throws.
 * @public
 */

/** How an answer was found; scorers use it to decide whether other readings of the text are worth trying. */
export type ExtractionMethod = 'answer_tag' | 'boxed' | 'hash' | 'phrase' | 'last_number' | 'whole';

/** An extracted answer and how it was found. */
export interface ExtractionResult {
  readonly answer: string;
  readonly method: ExtractionMethod;
}

/** What the text is expected to answer: math falls back to the last number, QA to the whole text. */
export type ExtractionMode = 'math' | 'qa';

/**
 * Content of the last `\boxed{…}` (or `\fbox{…}`) in `text`, with nested braces, or `null` when there is none.
 * Escaped braces (`\{`, `\}`) inside the box are content, not structure.
 */
export function extractBoxed(text: string): string | null {
  const re = /\\(?:boxed|fbox)(?![a-zA-Z])/g;
  let last: string | null = null;
  for (let match = re.exec(text); match; match = re.exec(text)) {
    let i = match.index + match[0].length;
    while (text[i] === ' ') i++;
    if (text[i] !== '{') {
      // `\boxed 5`: an unbraced single token.
      const token = /^[^\s$]+/.exec(text.slice(i));
      if (token) last = token[0];
      continue;
    }
    const end = matchingBrace(text, i);
    if (end !== -1) last = text.slice(i + 1, end).trim();
  }
  return last;
}

/** Index of the `}` that closes the `{` at `open`, skipping `\{` / `\}`; -1 when unbalanced. @internal */
export function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i;
  }
  return -1;
}

/** Content of the last `<answer>…</answer>` (case-insensitive; an unclosed final tag runs to the end), or null. */
export function extractAnswerTag(text: string): string | null {
  const closed = [...text.matchAll(/<answer>([\s\S]*?)<\/answer>/gi)];
  const lastClosed = closed.at(-1);
  const lastOpen = text.toLowerCase().lastIndexOf('<answer>');
  if (lastClosed && lastClosed.index === lastOpen) return (lastClosed[1] ?? '').trim();
  if (lastOpen === -1) return null;
  return text.slice(lastOpen + '<answer>'.length).trim();
}

/** Text after the last GSM8K-style `####` marker, up to the end of its line, or null. */
export function extractHashAnswer(text: string): string | null {
  const at = text.lastIndexOf('####');
  if (at === -1) return null;
  const rest = text.slice(at + 4).split('\n')[0]?.trim() ?? '';
  return rest === '' ? null : rest;
}

// "The answer is X", "Final answer: X", "Answer: X", "**Answer:** X" — the last one wins.
const PHRASE_RE = /\b(?:final\s+answer|answer)\s*(?:\*\*)?\s*(?:is\s*:?|:|=)\s*([^\n]+)/gi;

/** The text after the last "answer is" / "Answer:" phrase, cut at the end of its sentence, or null. */
export function extractAnswerPhrase(text: string): string | null {
  const matches = [...text.matchAll(PHRASE_RE)];
  const raw = matches.at(-1)?.[1];
  if (raw === undefined) return null;
  // Cut at a sentence end, but not after short capitalised abbreviations ("St. Louis", "U.S. Army") or inside
  // decimals ("3.5"), which have no space after the dot.
  const cut = raw.split(/(?<!\b[A-Z][a-z]{0,2})\.\s/)[0] ?? raw;
  const cleaned = stripDecoration(cut);
  return cleaned === '' ? null : cleaned;
}

// A minus sign counts only when it cannot be a binary minus ("5-3" ends in 3, not -3).
const NUMBER_RE = /(?:(?<![\w)\]}])[-−])?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\/\d+)?|\.\d+)/g;

/** The last number in `text` (thousands commas and a simple `a/b` fraction kept), or null. */
export function extractLastNumber(text: string): string | null {
  const all = text.match(NUMBER_RE);
  return all?.at(-1)?.replace('−', '-') ?? null;
}

/**
 * Best final answer in `text`: `<answer>` tag, then `\boxed{}`, then `####`, then an "answer is" phrase; failing
 * those, math takes the last number of a multi-sentence text and QA (or a short math text) the whole text.
 * A tag or phrase that itself holds a `\boxed{}` yields the box content.
 */
export function extractAnswer(text: string, mode: ExtractionMode): ExtractionResult {
  const trimmed = text.trim();
  const tag = extractAnswerTag(trimmed);
  if (tag !== null && tag !== '') return { answer: extractBoxed(tag) ?? stripDecoration(tag), method: 'answer_tag' };
  const boxed = extractBoxed(trimmed);
  if (boxed !== null) return { answer: boxed, method: 'boxed' };
  const hash = extractHashAnswer(trimmed);
  if (hash !== null) return { answer: stripDecoration(hash), method: 'hash' };
  const phrase = extractAnswerPhrase(trimmed);
  if (phrase !== null) return { answer: phrase, method: 'phrase' };
  const whole = stripDecoration(trimmed.replace(/\s+/g, ' '));
  if (mode === 'math' && !looksLikeBareAnswer(trimmed)) {
    const last = extractLastNumber(trimmed);
    if (last !== null) return { answer: last, method: 'last_number' };
  }
  return { answer: whole, method: 'whole' };
}

/** Short one-line text with no sentence in it: most likely the answer itself (`\frac{1}{2}`, `x = 5`, `Evelyn`). */
function looksLikeBareAnswer(text: string): boolean {
  if (text.includes('\n') || text.length > 80) return false;
  const words = text.replace(/\\[a-zA-Z]+/g, ' ').match(/[a-zA-Z]{2,}/g) ?? [];
  return words.length <= 2;
}

/** Strips markdown emphasis, surrounding quotes and trailing sentence punctuation. @internal */
export function stripDecoration(text: string): string {
  let out = text.trim();
  for (let previous = ''; previous !== out; ) {
    previous = out;
    out = out
      .replace(/^\*+|\*+$/g, '')
      .replace(/^["'`“”‘’]+|["'`“”‘’]+$/g, '')
      .replace(/[.,;:!]+$/, '')
      .trim();
  }
  return out;
}

const CHOICE_LETTERS = 'abcde';

/**
 * Multiple-choice letter (lower case) in `text`, or null when none or several conflicting ones are found.
 * Strong signals first (an `<answer>`/`\boxed{}` holding a letter, "the answer is (b)", "Answer: B",
 * "option c"); then a bare letter ("B", "(b)", "b )"), accepted only when exactly one distinct letter is
 * marked, so an echoed option list ("a ) 12 , b ) 16 …") is not read as an answer.
 */
export function extractChoice(text: string, letters: string = CHOICE_LETTERS): string | null {
  const allowed = letters.toLowerCase();
  const isAllowed = (letter: string | undefined): letter is string =>
    letter !== undefined && letter.length === 1 && allowed.includes(letter.toLowerCase());

  for (const inner of [extractAnswerTag(text), extractBoxed(text)]) {
    if (inner === null) continue;
    const bare = bareLetter(inner);
    if (isAllowed(bare)) return bare.toLowerCase();
  }

  const strong: Array<{ index: number; letter: string }> = [];
  const keywordRe = /\b(answer|option|choice)\s*(?:\*\*)?\s*(?:is\s*:?|:|=)?\s*(?:option\s+|choice\s+)?(?:\(\s*)?([a-zA-Z])(?:\s*\))?(?=$|[^a-zA-Z])/gi;
  for (const m of text.matchAll(keywordRe)) {
    const keyword = (m[1] ?? '').toLowerCase();
    const letter = m[2] ?? '';
    if (!isAllowed(letter)) continue;
    const after = text.slice((m.index ?? 0) + m[0].length);
    // A lower-case "a" after "answer is" is usually the article ("the answer is a number"); accept it only
    // when punctuation or the end of the line follows. Upper case and option/choice keywords are unambiguous.
    const articleLike = keyword === 'answer' && letter === letter.toLowerCase() && !/^\s*(?:[).,:;"'*\]]|$|\n)/.test(after);
    if (!articleLike) strong.push({ index: m.index ?? 0, letter: letter.toLowerCase() });
  }
  const lastStrong = strong.at(-1);
  if (lastStrong) return lastStrong.letter;

  const bare = bareLetter(text);
  if (isAllowed(bare)) return bare.toLowerCase();

  const marked = new Set<string>();
  for (const m of text.matchAll(/\(\s*([a-zA-Z])\s*\)|(?:^|[\s,;:])([a-zA-Z])\s*\)|^\s*([a-zA-Z])[.:]\s/gm)) {
    const letter = m[1] ?? m[2] ?? m[3];
    if (isAllowed(letter)) marked.add(letter.toLowerCase());
  }
  return marked.size === 1 ? ([...marked][0] ?? null) : null;
}

/** The letter when `text` is nothing but one letter with optional brackets/punctuation ("B", "(b)", "c )."). */
function bareLetter(text: string): string | undefined {
  const m = /^[\s*"'`(]*(?:\\text\{\s*\(?)?([a-zA-Z])\)?\s*\}?[\s).,:;*"'`]*$/.exec(text);
  return m?.[1];
}
