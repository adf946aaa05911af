/**
 * Text-level mutants of a reference solution: the wrong programs the sim writes. Each mutant changes
 * one thing a real model gets wrong — a flipped comparison, an off-by-one range bound or index, `+`/`-`
 * swapped, a wrong constant returned, a dropped line. No AST: the edits work on lines, skip comments and
 * docstrings, and never touch the protected prefix (HumanEval's given prompt). Some mutants still pass
 * the public tests (or even all tests) — exactly the cases a Test loop cannot catch.
 * @internal
 */

const MAX_MUTANTS = 12;

interface Line {
  readonly text: string;
  readonly index: number;
  /** Inside (or heading) a `while` loop: edits there easily make the loop endless. */
  readonly inWhile: boolean;
}

/** Lines of `code` after `protectedChars` that are real statements (not blank, comment or docstring). */
function mutableLines(code: string, protectedChars: number): { lines: string[]; editable: Line[] } {
  const lines = code.split('\n');
  const editable: Line[] = [];
  let offset = 0;
  let inDocstring = false;
  let whileIndent = -1;
  for (let index = 0; index < lines.length; index += 1) {
    const text = lines[index] ?? '';
    const start = offset;
    offset += text.length + 1;
    const quotes = (text.match(/"""|'''/g) ?? []).length;
    if (inDocstring || quotes > 0) {
      if (quotes % 2 === 1) inDocstring = !inDocstring;
      continue;
    }
    const trimmed = text.trim();
    if (trimmed.length === 0 || trimmed.startsWith('#')) continue;
    const indent = indentOf(text);
    if (whileIndent >= 0 && indent <= whileIndent) whileIndent = -1;
    if (whileIndent < 0 && /^while\b/.test(trimmed)) whileIndent = indent;
    if (start < protectedChars) continue;
    editable.push({ text, index, inWhile: whileIndent >= 0 });
  }
  return { lines, editable };
}

function replaceLine(lines: readonly string[], index: number, text: string | null): string {
  const copy = [...lines];
  if (text === null) copy.splice(index, 1);
  else copy[index] = text;
  return copy.join('\n');
}

const COMPARISONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/ <= /, ' < '],
  [/ >= /, ' > '],
  [/ < /, ' <= '],
  [/ > /, ' >= '],
  [/ == /, ' != '],
  [/ != /, ' == '],
];

function indentOf(text: string): number {
  return text.length - text.trimStart().length;
}

function lineMutants(lines: readonly string[], line: Line): string[] {
  const out: string[] = [];
  const { text, index } = line;
  // Endless loops cost a full sandbox timeout per run and teach nothing a wrong comparison elsewhere
  // does not: only a wrong return value is allowed inside while loops.
  if (line.inWhile) {
    const ret = /^(\s*)return\s+(.+)$/.exec(text);
    return ret ? [replaceLine(lines, index, `${ret[1] ?? ''}return None`)] : [];
  }
  const code = text.split('#')[0] ?? text;
  for (const [pattern, replacement] of COMPARISONS) {
    if (pattern.test(code)) {
      out.push(replaceLine(lines, index, text.replace(pattern, replacement)));
      break;
    }
  }
  const range = /range\(([^()]*(?:\([^()]*\))?[^()]*)\)/.exec(code);
  if (range?.[1] !== undefined) {
    const args = range[1];
    const bumped = args.includes(',') ? args.replace(/,([^,]*)$/, (_m, last: string) => `,${last.trim() ? ` ${last.trim()} + 1` : last}`) : `${args} - 1`;
    out.push(replaceLine(lines, index, text.replace(range[0], `range(${bumped})`)));
  }
  const subscript = /\[(-?\d+|[a-z_]\w*)\]/.exec(code);
  if (subscript?.[1] !== undefined && !/^\s*(?:def|class)\b/.test(code)) {
    const inner = subscript[1];
    const shifted = /^-?\d+$/.test(inner) ? String(Number(inner) + (Number(inner) < 0 ? -1 : 1)) : `${inner} + 1`;
    out.push(replaceLine(lines, index, text.replace(subscript[0], `[${shifted}]`)));
  }
  if (/ [+-] /.test(code) && !/^\s*(?:def|class)\b/.test(code)) {
    out.push(replaceLine(lines, index, text.replace(/ ([+-]) /, (_m, op: string) => (op === '+' ? ' - ' : ' + '))));
  }
  const ret = /^(\s*)return\s+(.+)$/.exec(code);
  if (ret) {
    const value = (ret[2] ?? '').trim();
    const wrong = value === 'True' ? 'False' : value === 'False' ? 'True' : /^-?\d+$/.test(value) ? String(Number(value) + 1) : 'None';
    out.push(replaceLine(lines, index, `${ret[1] ?? ''}return ${wrong}`));
  }
  const isHeader = /:\s*$/.test(code.trimEnd()) || /^\s*(?:return|def|class|elif|else|try|except|finally|with|@)/.test(code);
  const next = lines[index + 1];
  const previous = lines[index - 1] ?? '';
  const wouldEmptyBlock = /:\s*$/.test(previous.trimEnd()) && (next === undefined || indentOf(next) < indentOf(text) || next.trim() === '');
  if (!isHeader && !wouldEmptyBlock) out.push(replaceLine(lines, index, null));
  return out;
}

/**
 * Up to 12 distinct single-edit mutants of `reference`, in a deterministic order that mixes edit kinds
 * across lines. `protectedChars` leading characters (a given prompt) are never edited.
 */
export function makeMutants(reference: string, protectedChars = 0): string[] {
  const { lines, editable } = mutableLines(reference, protectedChars);
  const perLine = editable.map((line) => lineMutants(lines, line));
  const seen = new Set<string>([reference]);
  const mutants: string[] = [];
  for (let round = 0; mutants.length < MAX_MUTANTS; round += 1) {
    let added = false;
    for (const candidates of perLine) {
      const candidate = candidates[round];
      if (candidate === undefined) continue;
      added = true;
      if (!seen.has(candidate)) {
        seen.add(candidate);
        mutants.push(candidate);
        if (mutants.length >= MAX_MUTANTS) break;
      }
    }
    if (!added) break;
  }
  return mutants;
}

/** Whitespace-insensitive identity of a program, to recognise the sim's own code in later calls. */
export function codeKey(code: string): string {
  return code
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim().length > 0)
    .join('\n');
}
