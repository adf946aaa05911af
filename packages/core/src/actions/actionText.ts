/**
 * The paper's XML action syntax (spec §1.3): parse model text into an `Action` and print an `Action` back.
 * Parsing is tolerant — tags as `<x>…</x>` or `[x]…[/x]` in any case, code fences and think blocks
 * ignored, operator names matched case-insensitively — and never throws: garbage gives `{ ok: false }`.
 * Conditional branches: the paper's `<true>` is our `onFail` and `<false>` our `onPass` (the reference
 * code runs `<true>` when the check fails, spec §3.2); `<on_fail>`/`<on_pass>` are accepted too.
 * @public
 */
import { PAPER_OPERATORS } from '../canvas/types.ts';
import type { Action } from './types.ts';
import { MIN_PROMPT_LENGTH } from './validation.ts';

/** Parse outcome. */
export type ParsedActionText = { readonly ok: true; readonly action: Action } | { readonly ok: false; readonly reason: string };

/** Options for `parseActionText`. */
export interface ParseActionTextOptions {
  /** Known operator names (canonical spelling). @default the paper's 12 */
  readonly operators?: readonly string[];
  /** The environment awaits a prompt: the whole reply is the prompt (spec §1.4). */
  readonly awaitingPrompt?: boolean;
  /** Apply the no-tag fallbacks (finish phrases, a single operator mention). @default true */
  readonly fallback?: boolean;
}

const FINISH_PHRASES = [
  /let'?s finish/i,
  /finish the workflow/i,
  /workflow is (now )?complete/i,
  /ready to finish/i,
  /i will finish/i,
  /we can finish/i,
];
const MAX_TEXT = 20_000;

/** Content of the first `<name>…</name>` or `[name]…[/name]`, trimmed; undefined when absent. */
function tag(text: string, name: string): string | undefined {
  const angle = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'i').exec(text);
  if (angle) return angle[1]?.trim();
  const square = new RegExp(`\\[${name}\\]([\\s\\S]*?)\\[/${name}\\]`, 'i').exec(text);
  return square?.[1]?.trim();
}

/** Removes fences' markers (keeping their content), think/reasoning blocks and unterminated think blocks. */
function clean(text: string): string {
  return text
    .slice(0, MAX_TEXT)
    .replace(/```[a-zA-Z]*\n?/g, '')
    .replace(/<(think|thought|reasoning)>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/\[(think|thought|reasoning)\][\s\S]*?\[\/\1\]/gi, ' ')
    .replace(/<think>[\s\S]*$/i, ' ');
}

function canonicalOperator(name: string | undefined, operators: readonly string[]): string | undefined {
  if (!name) return undefined;
  const wanted = name.trim().replace(/[^A-Za-z0-9_]/g, '').toLowerCase();
  return operators.find((op) => op.toLowerCase() === wanted);
}

function operatorList(text: string | undefined, operators: readonly string[]): { names: string[]; unknown: string[] } {
  const parts = (text ?? '').split(/[,;\s]+/).filter(Boolean);
  const names: string[] = [];
  const unknown: string[] = [];
  for (const part of parts) {
    const name = canonicalOperator(part, operators);
    if (name) names.push(name);
    else unknown.push(part);
  }
  return { names, unknown };
}

function integer(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+$/.test(text.trim())) return undefined;
  return Number(text.trim());
}

function unknownOperator(raw: string | undefined, operators: readonly string[]): ParsedActionText {
  return { ok: false, reason: raw ? `unknown operator '${raw}'; expected one of ${operators.join(', ')}` : 'missing <operator> tag' };
}

function parseAdd(text: string, operators: readonly string[]): ParsedActionText {
  const positionText = tag(text, 'position');
  const position = integer(positionText);
  if (positionText !== undefined && position === undefined) return { ok: false, reason: `<position> must be an integer, got '${positionText}'` };
  const at = position === undefined ? {} : { position };
  const structure = tag(text, 'structure')?.toLowerCase();
  if (structure === 'parallel') {
    const { names, unknown } = operatorList(tag(text, 'operators'), operators);
    if (unknown.length > 0) return { ok: false, reason: `unknown operator(s) ${unknown.join(', ')} in <operators>` };
    return { ok: true, action: { type: 'add_parallel', operators: names, ...at } };
  }
  if (structure === 'conditional') {
    const conditionRaw = tag(text, 'condition');
    const failRaw = tag(text, 'on_fail') ?? tag(text, 'true');
    const passRaw = tag(text, 'on_pass') ?? tag(text, 'false');
    const condition = canonicalOperator(conditionRaw, operators);
    if (!condition) return unknownOperator(conditionRaw, operators);
    const onFail = canonicalOperator(failRaw, operators);
    if (!onFail) return failRaw ? unknownOperator(failRaw, operators) : { ok: false, reason: 'missing <true> (on fail) branch' };
    let onPass: string | null = null;
    if (passRaw && passRaw.toLowerCase() !== 'done' && passRaw.toLowerCase() !== 'none') {
      const name = canonicalOperator(passRaw, operators);
      if (!name) return unknownOperator(passRaw, operators);
      onPass = name;
    }
    return { ok: true, action: { type: 'add_conditional', condition, onFail, onPass, ...at } };
  }
  if (structure === 'loop') {
    const { names, unknown } = operatorList(tag(text, 'operators'), operators);
    if (unknown.length > 0) return { ok: false, reason: `unknown operator(s) ${unknown.join(', ')} in <operators>` };
    // The paper's parser defaults the count to 3 and clamps it into 1..10.
    const count = Math.max(1, Math.min(10, integer(tag(text, 'count')) ?? 3));
    return { ok: true, action: { type: 'add_loop', operators: names, count, ...at } };
  }
  if (structure !== undefined) return { ok: false, reason: `unknown <structure> '${structure}'; expected parallel, conditional or loop` };
  const raw = tag(text, 'operator');
  const operator = canonicalOperator(raw, operators);
  if (!operator) return unknownOperator(raw, operators);
  // An inline <prompt> is ignored as in the paper: the environment always asks for the prompt next turn.
  return { ok: true, action: { type: 'add', operator, ...at } };
}

function parseTagged(type: string, text: string, operators: readonly string[]): ParsedActionText {
  switch (type) {
    case 'add':
      return parseAdd(text, operators);
    case 'delete': {
      const target = tag(text, 'target');
      return target ? { ok: true, action: { type: 'delete', target } } : { ok: false, reason: 'delete needs <target>node_ID</target>' };
    }
    case 'modify': {
      const target = tag(text, 'target');
      if (!target) return { ok: false, reason: 'modify needs <target>node_ID</target>' };
      const raw = tag(text, 'operator');
      const operator = canonicalOperator(raw, operators);
      return operator ? { ok: true, action: { type: 'modify', target, operator } } : unknownOperator(raw, operators);
    }
    case 'set_prompt': {
      const target = tag(text, 'target');
      const prompt = tag(text, 'prompt');
      if (!target) return { ok: false, reason: 'set_prompt needs <target>node_ID</target>' };
      if (!prompt || prompt.length < MIN_PROMPT_LENGTH) return { ok: false, reason: `set_prompt needs a <prompt> of at least ${MIN_PROMPT_LENGTH} characters` };
      return { ok: true, action: { type: 'set_prompt', target, prompt } };
    }
    case 'finish': {
      const answer = tag(text, 'answer');
      return { ok: true, action: answer === undefined ? { type: 'finish' } : { type: 'finish', answer } };
    }
    default:
      return { ok: false, reason: `unknown action '${type}'` };
  }
}

/** Whole action-tag elements (with their content) that are never part of a prompt reply. */
const ACTION_ELEMENTS = /<(action|operator|operators|structure|target|position|count)>[\s\S]*?<\/\1>|\[(action|operator|operators|structure|target|position|count)\][\s\S]*?\[\/\2\]/gi;
/** Leftover tag markup only (`<x>`, `</x>`, `[/x]`), so text such as `x<5 and y>3` survives. */
const TAG_MARKUP = /<\/?[A-Za-z_][\w-]*>|\[\/[A-Za-z_][\w-]*\]/g;

function parsePromptReply(text: string, raw: string): ParsedActionText {
  const tagged = tag(text, 'prompt');
  const prompt = (tagged ?? text.replace(ACTION_ELEMENTS, ' ').replace(TAG_MARKUP, ' '))
    .replace(/\s+/g, ' ')
    .trim();
  if (prompt.length < MIN_PROMPT_LENGTH) {
    // `text` is already cleaned, so the think block can only be seen in the raw reply.
    const thinkOnly = /<think>|\[think\]/i.test(raw) && text.trim().length === 0;
    return {
      ok: false,
      reason: thinkOnly
        ? 'the reply held only a think block; write the prompt itself (1–3 sentences, no XML)'
        : `a prompt needs at least ${MIN_PROMPT_LENGTH} characters, got ${prompt.length}`,
    };
  }
  return { ok: true, action: { type: 'prompt', prompt } };
}

/** Parses model text into an action (first action only). Never throws. */
export function parseActionText(input: unknown, options: ParseActionTextOptions = {}): ParsedActionText {
  if (typeof input !== 'string') return { ok: false, reason: `expected action text, got ${input === null ? 'null' : typeof input}` };
  const operators = options.operators ?? PAPER_OPERATORS;
  const text = clean(input);
  if (options.awaitingPrompt) return parsePromptReply(text, input);
  const match = /<action>\s*([a-z_]+)\s*<\/action>/i.exec(text) ?? /\[action\]\s*([a-z_]+)\s*\[\/action\]/i.exec(text);
  if (match) {
    // Only the first action counts: tags after a second <action> must not leak into the first.
    const afterFirst = match.index + match[0].length;
    const second = /<action>|\[action\]/i.exec(text.slice(afterFirst));
    const segment = second ? text.slice(0, afterFirst + second.index) : text;
    return parseTagged((match[1] as string).toLowerCase(), segment, operators);
  }
  if (options.fallback === false) return { ok: false, reason: 'Could not parse action: no <action> tag' };
  if (FINISH_PHRASES.some((phrase) => phrase.test(text))) return { ok: true, action: { type: 'finish' } };
  const mentioned = new Set<string>();
  for (const word of text.split(/[^A-Za-z]+/)) {
    const name = operators.find((op) => op === word);
    if (name) mentioned.add(name);
  }
  if (mentioned.size === 1) return { ok: true, action: { type: 'add', operator: [...mentioned][0] as string } };
  if (mentioned.size > 1) return { ok: false, reason: `Could not parse action: several operators mentioned (${[...mentioned].join(', ')}) and no <action> tag` };
  return { ok: false, reason: 'Could not parse action: no <action> tag and no operator mentioned' };
}

function at(position: number | undefined): string {
  return position === undefined ? '' : `<position>${position}</position>`;
}

/** Prints an action in the paper's XML syntax (conditionals with `<true>` = on fail, `<false>` = on pass). */
export function printActionText(action: Action): string {
  switch (action.type) {
    case 'add':
      return `<action>add</action><operator>${action.operator}</operator>${at(action.position)}`;
    case 'add_parallel':
      return `<action>add</action><structure>parallel</structure><operators>${action.operators.join(', ')}</operators>${at(action.position)}`;
    case 'add_conditional':
      return `<action>add</action><structure>conditional</structure><condition>${action.condition}</condition><true>${action.onFail}</true><false>${action.onPass ?? 'done'}</false>${at(action.position)}`;
    case 'add_loop':
      return `<action>add</action><structure>loop</structure><operators>${action.operators.join(', ')}</operators><count>${action.count}</count>${at(action.position)}`;
    case 'delete':
      return `<action>delete</action><target>${action.target}</target>`;
    case 'modify':
      return `<action>modify</action><target>${action.target}</target><operator>${action.operator}</operator>`;
    case 'set_prompt':
      return `<action>set_prompt</action><target>${action.target}</target><prompt>${action.prompt}</prompt>`;
    case 'prompt':
      return `<prompt>${action.prompt}</prompt>`;
    case 'finish':
      return action.answer === undefined ? '<action>finish</action>' : `<action>finish</action><answer>${action.answer}</answer>`;
  }
}
