/**
 * Converts one dataset record into a `Task`: the normalised records of `../shared/datasets` (its README,
 * "Record schema") and the FlowSteer paper's own rows (`{problem, problem_type, source, ground_truth, meta}`,
 * spec §6) for user-provided JSONL. Decides what a model may see (`problem`, `publicTests`) and keeps every
 * gold field in `answer` / `answers` / `tests` / `meta`. Never throws: a bad record is an `{ ok: false }` value.
 * @public
 */
import type { CodeTask, MathTask, QaTask, Task } from './types.ts';

/** Where a record came from, for ids of rows that carry none and for error messages. */
export interface RecordLocation {
  readonly file: string;
  readonly line: number;
}

/** A normalised task, or why the record was rejected ("<file>:<line>: field "x": expected …, got …"). */
export type NormalizeResult = { readonly ok: true; readonly task: Task } | { readonly ok: false; readonly error: string };

type Json = Record<string, unknown>;

class RecordError extends Error {}

/** Converts `raw` (one parsed JSONL line) into a Task, or explains which field is wrong. */
export function normalizeRecord(raw: unknown, where: RecordLocation): NormalizeResult {
  try {
    if (!isObject(raw)) fail('record', 'a JSON object', raw);
    const task = 'problem' in raw && 'problem_type' in raw ? fromPaperRow(raw, where) : fromSharedRecord(raw);
    return { ok: true, task };
  } catch (error) {
    if (error instanceof RecordError) return { ok: false, error: `${where.file}:${where.line}: ${error.message}` };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------
// ../shared/datasets records

function fromSharedRecord(raw: Json): Task {
  const id = nonEmptyString(raw, 'id');
  const dataset = nonEmptyString(raw, 'dataset');
  const meta = optionalMeta(raw);
  const origin = raw['source'];
  const fullMeta = typeof origin === 'string' ? { ...meta, origin } : meta;
  const kind = raw['kind'];
  switch (kind) {
    case 'math': {
      const question = nonEmptyString(raw, 'question');
      const answer = nonEmptyString(raw, 'answer');
      const choices = meta['choices'] === undefined ? undefined : choiceMap(meta['choices'], 'meta.choices');
      if (choices && !(answer.toLowerCase() in choices)) {
        fail('answer', `one of the meta.choices letters ${Object.keys(choices).join(', ')}`, answer);
      }
      const task: MathTask = { id, dataset, kind, problem: question, answer, meta: fullMeta };
      return choices ? { ...task, answer: answer.toLowerCase(), choices } : task;
    }
    case 'qa': {
      const question = nonEmptyString(raw, 'question');
      const answer = stringField(raw, 'answer');
      const answers = raw['answers'] === undefined ? (answer === '' ? [] : [answer]) : stringArray(raw['answers'], 'answers');
      const problem = renderQaProblem(question, raw['context']);
      const task: QaTask = { id, dataset, kind, problem, answer, answers, meta: { ...fullMeta, question } };
      return task;
    }
    case 'code':
      return fromSharedCode(raw, id, dataset, fullMeta);
    default:
      return fail('kind', '"math", "qa" or "code"', kind);
  }
}

function fromSharedCode(raw: Json, id: string, dataset: string, meta: Json): CodeTask {
  const prompt = nonEmptyString(raw, 'prompt');
  const entryPoint = stringField(raw, 'entry_point');
  const tests = nonEmptyString(raw, 'tests');
  const language = raw['language'];
  if (language !== undefined && language !== 'python') fail('language', '"python"', language);
  const style = raw['test_style'];
  const testStyle: CodeTask['testStyle'] = style === 'append' || style === 'ds1000' ? style : fail('test_style', '"append" or "ds1000"', style);
  const base = { id, dataset, kind: 'code' as const, entryPoint, tests, testStyle, meta };
  if (testStyle === 'ds1000') return { ...base, problem: prompt, publicTests: '' };
  if (meta['test_list'] !== undefined) {
    // MBPP: the prompt is one sentence; the first official assert is shown (Austin et al.) and is the only
    // public test, the other two stay hidden.
    const first = stringArray(meta['test_list'], 'meta.test_list')[0];
    if (first === undefined) fail('meta.test_list', 'at least one assert', []);
    const at = tests.indexOf(first);
    const setup = at > 0 && !tests.slice(0, at).includes('assert') ? tests.slice(0, at) : '';
    const naming = entryPoint === '' ? '' : `\nThe function must be named ${entryPoint}.`;
    return {
      ...base,
      problem: `${prompt}\nYour code should pass this test:\n${first}${naming}`,
      publicTests: `${setup}${first}\n`,
    };
  }
  return { ...base, problem: prompt, publicTests: entryPoint === '' ? '' : derivePublicTests(prompt, entryPoint) };
}

/** The model-visible QA problem: AFlow/FlowSteer's "Context: … Question: … Answer:" layout, or the bare question. */
function renderQaProblem(question: string, context: unknown): string {
  if (context === undefined || context === null || context === '') return question;
  if (typeof context === 'string') return `Context:\n${context.trim()}\n\nQuestion: ${question}\n\nAnswer:`;
  if (!Array.isArray(context)) return fail('context', 'a string or a list of [title, sentences]', context);
  const paragraphs = context.map((entry, i) => {
    const title: unknown = Array.isArray(entry) ? entry[0] : undefined;
    const sentences: unknown = Array.isArray(entry) ? entry[1] : undefined;
    if (!Array.isArray(entry) || typeof title !== 'string' || !Array.isArray(sentences) || !sentences.every((s) => typeof s === 'string')) {
      return fail(`context[${i}]`, '[title: string, sentences: string[]]', entry);
    }
    // HotpotQA sentences keep their leading spaces, so joining with "" restores the paragraph.
    return `${title}:\n${(sentences as string[]).join('').trim()}`;
  });
  return `Context:\n${paragraphs.join('\n\n')}\n\nQuestion: ${question}\n\nAnswer:`;
}

// ---------------------------------------------------------------------------------------------------------
// FlowSteer paper rows

const PAPER_TYPES: Readonly<Record<string, 'math' | 'qa' | 'code'>> = {
  math: 'math',
  mathqa_mc: 'math',
  qa: 'qa',
  code: 'code',
  humaneval: 'code',
  mbpp: 'code',
};

function fromPaperRow(raw: Json, where: RecordLocation): Task {
  const problem = nonEmptyString(raw, 'problem');
  const problemType = raw['problem_type'];
  const kind = typeof problemType === 'string' ? PAPER_TYPES[problemType] : undefined;
  if (!kind) return fail('problem_type', `one of ${Object.keys(PAPER_TYPES).join(', ')}`, problemType);
  const source = nonEmptyString(raw, 'source');
  const meta: Json = { ...optionalMeta(raw), problem_type: problemType };
  const nativeId = ['id', 'task_id', 'unique_id', 'native_id'].map((k) => meta[k]).find((v) => typeof v === 'string' || typeof v === 'number');
  const id = `${source}/${nativeId === undefined ? `line-${where.line}` : String(nativeId)}`;
  const truth = raw['ground_truth'];
  if (kind === 'code') {
    const tests = typeof meta['test'] === 'string' && meta['test'] !== '' ? meta['test'] : fail('meta.test', 'the hidden tests as a non-empty string', meta['test']);
    const entryPoint = meta['entry_point'] === undefined ? '' : stringValue(meta['entry_point'], 'meta.entry_point');
    const rawStyle = meta['test_style'] ?? 'append';
    const style: CodeTask['testStyle'] = rawStyle === 'append' || rawStyle === 'ds1000' ? rawStyle : fail('meta.test_style', '"append" or "ds1000"', rawStyle);
    // HumanEval rows store `def check(candidate)` without calling it; append the call so "append" runs it.
    const needsCall = entryPoint !== '' && /\bdef check\(/.test(tests) && !new RegExp(`^check\\(`, 'm').test(tests);
    const publicTests =
      style === 'ds1000' ? '' : typeof meta['public_tests'] === 'string' ? meta['public_tests'] : entryPoint === '' ? '' : derivePublicTests(problem, entryPoint);
    const withReference = typeof truth === 'string' && meta['reference_solution'] === undefined ? { ...meta, reference_solution: truth } : meta;
    return {
      id, dataset: source, kind, problem, entryPoint, testStyle: style, publicTests, meta: withReference,
      tests: needsCall ? `${tests}\n\ncheck(${entryPoint})\n` : tests,
    };
  }
  if (kind === 'qa') {
    const answers = Array.isArray(truth)
      ? stringArray(truth, 'ground_truth')
      : typeof truth === 'string'
        ? truth.split('|').map((s) => s.trim()).filter((s) => s !== '') // the paper's `|`-separated golds (spec §4.3)
        : fail('ground_truth', 'a string or a list of strings', truth);
    return { id, dataset: source, kind, problem, answer: answers[0] ?? '', answers, meta };
  }
  const answer = typeof truth === 'number' ? String(truth) : typeof truth === 'string' && truth.trim() !== '' ? truth.trim() : fail('ground_truth', 'a non-empty string or a number', truth);
  const choices = meta['choices'] !== undefined ? choiceMap(meta['choices'], 'meta.choices') : /^[a-e]$/i.test(answer) ? parseOptions(problem) : undefined;
  if (choices && answer.toLowerCase() in choices) return { id, dataset: source, kind, problem, answer: answer.toLowerCase(), choices, meta };
  return { id, dataset: source, kind, problem, answer, meta };
}

/** MathQA's option string ("a ) 12 , b ) 16 , …") as a letter → text map; undefined when fewer than 2 options. */
export function parseOptions(problem: string): Record<string, string> | undefined {
  const line = /Options:\s*([^\n]+)/i.exec(problem)?.[1];
  if (line === undefined) return undefined;
  const choices: Record<string, string> = {};
  for (const m of line.matchAll(/\b([a-e])\s*\)\s*(.*?)\s*(?=,\s*[a-e]\s*\)|$)/g)) choices[m[1] ?? ''] = m[2] ?? '';
  return Object.keys(choices).length >= 2 ? choices : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Public tests from the examples in a HumanEval-style prompt

/**
 * Asserts derived from the examples a prompt shows: `>>> f(x)` followed by one output line, and
 * one-line examples such as `f(x) == y`, `f(x) ➞ y`, `f(x) => y`, `f(x) returns y`. Only calls of
 * `entryPoint` with Python-literal arguments and a literal expected value are converted; anything else
 * (multi-line output, helper calls, prose in the expected value, `("x")` that may mean a tuple) is skipped.
 * Returns `""` when nothing converts.
 */
export function derivePublicTests(prompt: string, entryPoint: string): string {
  const lines = prompt.split('\n');
  const asserts: string[] = [];
  // A prompt that defines the function by a recurrence (`tri(n) = 1 + n / 2`) uses `=` for definitions,
  // so its `f(1) = 3` lines are not input/output examples.
  const definitional = lines.some((line) => {
    const m = new RegExp(`^\\s*${escapeRegExp(entryPoint)}\\((.*?)\\)\\s*=(?!=)`).exec(line);
    return m !== null && !isPythonLiteralList(m[1] ?? '', true);
  });
  lines.forEach((line, i) => {
    const doctest = /^\s*>>>\s?(.*)$/.exec(line);
    if (doctest) {
      const output: string[] = [];
      for (let j = i + 1; j < lines.length; j++) {
        const next = (lines[j] ?? '').trim();
        if (next === '' || next.startsWith('>>>') || next.startsWith('"""') || next.startsWith("'''")) break;
        output.push(next);
      }
      const expected = output.length === 1 ? output[0] : undefined;
      if (expected !== undefined && !expected.startsWith('...')) pushAssert(asserts, (doctest[1] ?? '').trim(), expected, entryPoint);
      return;
    }
    const example = line.trim().replace(/^(?:[*\-•]\s*|for\s+|e\.g\.,?\s*)/i, '');
    if (!example.startsWith(`${entryPoint}(`)) return;
    const end = closingParen(example, entryPoint.length);
    if (end === -1) return;
    const rest = /^\s*(?:#\s*)?(==>|=>|➞|→|->|==|=|returns|should return)\s*(.+)$/.exec(example.slice(end + 1));
    if (rest?.[2] && !(definitional && rest[1] === '=')) pushAssert(asserts, example.slice(0, end + 1), stripComment(rest[2]), entryPoint);
  });
  return asserts.length === 0 ? '' : `${[...new Set(asserts)].join('\n')}\n`;
}

// Upstream examples known to be wrong, as `call => shown output`: HumanEval/47's docstring shows 15.0 for a
// list whose median is 8.0, so the reference solution (and any correct one) fails it.
const KNOWN_WRONG_EXAMPLES = new Set(['median([-10, 4, 6, 1000, 10, 20]) => 15.0']);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function pushAssert(out: string[], call: string, rawExpected: string, entryPoint: string): void {
  if (!call.startsWith(`${entryPoint}(`) || closingParen(call, entryPoint.length) !== call.length - 1) return;
  if (KNOWN_WRONG_EXAMPLES.has(`${call} => ${rawExpected.trim()}`)) return;
  if (!isPythonLiteralList(call.slice(entryPoint.length + 1, -1), true)) return;
  let expected = rawExpected.trim();
  if (expected === 'true' || expected === 'false') expected = expected === 'true' ? 'True' : 'False';
  // "should return 16." ends a sentence; the dot is not part of the value.
  if (expected.endsWith('.') && isPythonLiteralList(expected.slice(0, -1), false)) expected = expected.slice(0, -1).trim();
  if (!isPythonLiteralList(expected, false)) return;
  // `("Venus")` is a string in Python but the docstring usually means a 1-tuple: ambiguous, skip.
  if (expected.startsWith('(') && closingParen(expected, 0) === expected.length - 1 && !hasTopLevelComma(expected.slice(1, -1))) return;
  out.push(`assert ${call} == ${expected}`);
}

function stripComment(text: string): string {
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') return text.slice(0, i).trim();
  }
  return text.trim();
}

/** Index of the bracket closing the one at `open` (strings skipped), or -1. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  let quote = '';
  for (let i = open; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = '';
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch) && --depth === 0) return i;
  }
  return -1;
}

function hasTopLevelComma(text: string): boolean {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) return true;
  }
  return false;
}

/**
 * True when `text` is a comma-separated list of Python literals (numbers, strings, True/False/None, lists,
 * tuples, dicts, sets) and nothing else: no names, calls or operators other than a unary sign.
 */
function isPythonLiteralList(text: string, allowEmpty: boolean): boolean {
  const tokenRe = /\s*(?:('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")|([-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+))|(True|False|None)\b|([[\](){},:]))/y;
  const stack: string[] = [];
  let previous: 'start' | 'value' | 'open' | 'sep' = 'start';
  let at = 0;
  let any = false;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    tokenRe.lastIndex = at;
    const m = tokenRe.exec(text);
    if (!m) return false;
    at = tokenRe.lastIndex;
    const punct = m[4];
    if (punct === undefined) {
      if (previous === 'value') return false;
      previous = 'value';
      any = true;
    } else if ('[({'.includes(punct)) {
      if (previous === 'value') return false;
      stack.push(punct);
      previous = 'open';
    } else if (')]}'.includes(punct)) {
      if (stack.pop() !== { ')': '(', ']': '[', '}': '{' }[punct]) return false;
      previous = 'value';
      any = true;
    } else {
      if (previous === 'sep' || previous === 'start') return false;
      previous = 'sep';
    }
  }
  return stack.length === 0 && (any || allowEmpty);
}

// ---------------------------------------------------------------------------------------------------------
// Field helpers: each failure names the field, what was expected and what was received.

function fail(field: string, expected: string, got: unknown): never {
  throw new RecordError(`field "${field}": expected ${expected}, got ${describeValue(got)}`);
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return value === '' ? 'an empty string' : `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringValue(value: unknown, field: string): string {
  return typeof value === 'string' ? value : fail(field, 'a string', value);
}

function stringField(raw: Json, field: string): string {
  return stringValue(raw[field], field);
}

function nonEmptyString(raw: Json, field: string): string {
  const value = raw[field];
  return typeof value === 'string' && value.trim() !== '' ? value : fail(field, 'a non-empty string', value);
}

function stringArray(value: unknown, field: string): string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? [...value] : fail(field, 'an array of strings', value);
}

function optionalMeta(raw: Json): Json {
  const meta = raw['meta'];
  if (meta === undefined) return {};
  return isObject(meta) ? meta : fail('meta', 'an object', meta);
}

function choiceMap(value: unknown, field: string): Record<string, string> {
  if (!isObject(value) || Object.keys(value).length < 2) return fail(field, 'an object of at least 2 letter → option text entries', value);
  const out: Record<string, string> = {};
  for (const [letter, text] of Object.entries(value)) {
    if (!/^[a-z]$/i.test(letter) || typeof text !== 'string') return fail(`${field}.${letter}`, 'a single-letter key with a string option', text);
    out[letter.toLowerCase()] = text;
  }
  return out;
}
