/**
 * Tolerant parsing of LLM replies. Models wrap fields in `<field>` tags, `[field]` tags, code fences,
 * forget closing tags or ignore the format entirely; every helper here returns `undefined` (or a safe
 * default) instead of throwing, so operators can fall back sensibly.
 * @public
 */

const FENCE = /```[a-zA-Z0-9_+-]*[ \t]*\n?/g;

/** Removes Markdown code-fence markers but keeps what was inside them. */
export function stripFences(text: string): string {
  return text.includes('```') ? text.replace(FENCE, '') : text;
}

interface TagHit {
  readonly start: number;
  readonly contentStart: number;
}

function findOpenTag(lower: string, name: string, from: number): TagHit | undefined {
  let best: TagHit | undefined;
  for (const [open, close] of [['<', '>'], ['[', ']']] as const) {
    let index = lower.indexOf(`${open}${name}`, from);
    while (index !== -1) {
      const after = lower.charCodeAt(index + 1 + name.length);
      // `<answer>` or `<answer id="1">`, but not `<answers>`.
      if (after === close.charCodeAt(0) || after === 32) {
        const end = lower.indexOf(close, index + 1 + name.length);
        if (end !== -1 && (!best || index < best.start)) best = { start: index, contentStart: end + 1 };
        break;
      }
      index = lower.indexOf(`${open}${name}`, index + 1);
    }
  }
  return best;
}

function findCloseTag(lower: string, name: string, from: number): number {
  const angle = lower.indexOf(`</${name}>`, from);
  const square = lower.indexOf(`[/${name}]`, from);
  if (angle === -1) return square;
  if (square === -1) return angle;
  return Math.min(angle, square);
}

/**
 * Reads the `<name>` fields of a reply (case-insensitive, `<x>` or `[x]` tags). A field whose closing tag
 * is missing runs until the next known field's opening tag or the end of the text. Fields that do not
 * occur are absent from the result; an empty tag gives `""`.
 */
export function parseFields(text: string, names: readonly string[]): Record<string, string> {
  const lower = text.toLowerCase();
  const opens = new Map<string, TagHit>();
  for (const name of names) {
    const hit = findOpenTag(lower, name.toLowerCase(), 0);
    if (hit) opens.set(name, hit);
  }
  const fields: Record<string, string> = {};
  for (const [name, hit] of opens) {
    let end = findCloseTag(lower, name.toLowerCase(), hit.contentStart);
    if (end === -1) {
      end = text.length;
      for (const other of opens.values()) if (other.start > hit.start && other.start < end) end = other.start;
    }
    fields[name] = stripFences(text.slice(hit.contentStart, end)).trim();
  }
  return fields;
}

/** Reads one `<name>` field, or `undefined` when the reply has no such tag. */
export function parseField(text: string, name: string): string | undefined {
  return parseFields(text, [name])[name];
}

const TRUE_WORDS = new Set(['true', 'yes', 'pass', 'passed', 'correct', 'valid', 'right', 'ok', 'approve', 'approved', 'accept']);
const FALSE_WORDS = new Set(['false', 'no', 'fail', 'failed', 'incorrect', 'invalid', 'wrong', 'reject', 'rejected']);

/** Reads a yes/no verdict from free text ("True", "PASS", "incorrect", …); `undefined` when unclear. */
export function parseBoolean(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  const words = text.toLowerCase().match(/[a-z]+/g);
  if (!words) return undefined;
  for (const word of words.slice(0, 6)) {
    if (word === 'not' || word === 'in') continue;
    if (TRUE_WORDS.has(word)) return !(words.includes('not') && words.indexOf('not') < words.indexOf(word));
    if (FALSE_WORDS.has(word)) return false;
  }
  return undefined;
}

/** Confidence levels a checker may report. */
export type Confidence = 'high' | 'medium' | 'low';

/** Reads a confidence level from words or a number in [0, 1] / [0, 100]. */
export function parseConfidence(text: string | undefined): Confidence | undefined {
  if (text === undefined) return undefined;
  const lower = text.toLowerCase();
  if (lower.includes('high')) return 'high';
  if (lower.includes('med')) return 'medium';
  if (lower.includes('low')) return 'low';
  const number = Number.parseFloat(lower.replace(/[^0-9.]/g, ''));
  if (!Number.isFinite(number)) return undefined;
  const scaled = number > 1 ? number / 100 : number;
  if (scaled >= 0.8) return 'high';
  return scaled >= 0.5 ? 'medium' : 'low';
}

const LIST_ITEM = /^\s*(?:(?:step\s*)?\d+[.):]|[-*•])\s+/i;

/** Splits a numbered or bulleted list into items; plain lines are used when there is no list marker. */
export function parseList(text: string): string[] {
  const lines = stripFences(text)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const marked = lines.filter((line) => LIST_ITEM.test(line));
  const items = marked.length > 0 ? marked : lines;
  return items.map((line) => line.replace(LIST_ITEM, '').trim()).filter((line) => line.length > 0);
}

const CODE_BLOCK = /```(?:python|py|python3)?[ \t]*\n([\s\S]*?)(?:```|$)/i;
const CODE_START = /^(?:from\s+\S+\s+import|import\s+\S|def\s+\w+\s*\(|class\s+\w+|@\w+|[A-Za-z_][\w.]*\s*=)/m;

/**
 * Pulls Python code out of a reply: the first fenced block (or a `<code>` field), else the text from the
 * first line that looks like code. Returns `""` when nothing looks like code.
 */
export function extractPython(text: string): string {
  const tagged = parseField(text, 'code');
  const source = tagged !== undefined && tagged.length > 0 ? tagged : text;
  const block = CODE_BLOCK.exec(source);
  if (block?.[1] !== undefined && block[1].trim().length > 0) return block[1].replace(/\s+$/, '');
  const start = CODE_START.exec(source);
  if (!start) return '';
  return source.slice(start.index).replace(/```\s*$/, '').replace(/\s+$/, '');
}

const PLAIN_NUMBER = /^[-+]?\$?\s*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*%?$/;

/** Parses a plain number ("1,234", "$5", "12%", "-3.5"); `undefined` for anything else. */
export function parsePlainNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > 32 || !PLAIN_NUMBER.test(trimmed)) return undefined;
  const value = Number(trimmed.replace(/[$,%\s]/g, ''));
  return Number.isFinite(value) ? value : undefined;
}

/** Upper-case candidate label for index `i` (A, B, …, Z, then A1, B1, …). */
export function candidateLabel(index: number): string {
  const letter = String.fromCharCode(65 + (index % 26));
  return index < 26 ? letter : `${letter}${Math.floor(index / 26)}`;
}

/** Reads a candidate label ("B", "(b)", "Solution C", "letter: d") and returns its 0-based index. */
export function parseLabel(text: string | undefined, count: number): number | undefined {
  if (text === undefined) return undefined;
  const cleaned = text.trim();
  const direct = /^\(?([a-z])\)?[.:]?$/i.exec(cleaned) ?? /\b(?:solution|candidate|option|letter|answer)\s*[:(]?\s*([a-z])\b/i.exec(cleaned);
  const letter = direct?.[1] ?? /\b([A-Z])\b/.exec(cleaned)?.[1];
  if (letter === undefined) return undefined;
  const index = letter.toUpperCase().charCodeAt(0) - 65;
  return index >= 0 && index < count ? index : undefined;
}

/** Cuts long text to `limit` chars keeping head and tail (what a candidate list shows an LLM). */
export function headTail(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const half = Math.floor((limit - 5) / 2);
  return `${text.slice(0, half)}\n...\n${text.slice(text.length - half)}`;
}

/** Last non-empty line of a text, trimmed. */
export function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i]?.trim();
    if (line) return line;
  }
  return '';
}
