import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PAPER_OPERATORS } from '../canvas/types.ts';
import { parseActionText, printActionText, type ParsedActionText } from './actionText.ts';
import { ACTION_NAMES, type Action } from './types.ts';

const operator = fc.constantFrom(...PAPER_OPERATORS);
const position = fc.option(fc.nat({ max: 14 }), { nil: undefined });
const target = fc
  .tuple(fc.integer({ min: 1, max: 99 }), fc.constantFrom('', '_p0', '_p3', '_cond', '_fail', '_pass', '_l1'))
  .map(([n, suffix]) => `node_${n}${suffix}`);

/** Words without tag brackets or fences, so printed text cannot contain markup of its own. */
const word = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?\'"()-+=*/%#&@$^~|\\{}éüß中文日本語🙂→'),
  minLength: 1,
  maxLength: 12,
});
const sentence = (minLength: number) =>
  fc
    .array(word, { minLength: 1, maxLength: 8 })
    .map((words) => words.join(' '))
    .filter((text) => text.length >= minLength);

const withPosition = <T extends object>(action: T, at: number | undefined): T => (at === undefined ? action : { ...action, position: at });

/** Every action the paper syntax can express, in the canonical form the parser returns. */
const actionArbitrary: fc.Arbitrary<Action> = fc.oneof(
  fc.tuple(operator, position).map(([op, at]): Action => withPosition({ type: 'add' as const, operator: op }, at)),
  fc
    .tuple(fc.array(operator, { minLength: 1, maxLength: 4 }), position)
    .map(([operators, at]): Action => withPosition({ type: 'add_parallel' as const, operators }, at)),
  fc
    .tuple(operator, operator, fc.option(operator, { nil: null }), position)
    .map(([condition, onFail, onPass, at]): Action => withPosition({ type: 'add_conditional' as const, condition, onFail, onPass }, at)),
  fc
    .tuple(fc.array(operator, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 10 }), position)
    .map(([operators, count, at]): Action => withPosition({ type: 'add_loop' as const, operators, count }, at)),
  target.map((t): Action => ({ type: 'delete', target: t })),
  fc.tuple(target, operator).map(([t, op]): Action => ({ type: 'modify', target: t, operator: op })),
  fc.tuple(target, sentence(5)).map(([t, prompt]): Action => ({ type: 'set_prompt', target: t, prompt })),
  sentence(5).map((prompt): Action => ({ type: 'prompt', prompt })),
  fc.option(sentence(0), { nil: undefined }).map((answer): Action => (answer === undefined ? { type: 'finish' } : { type: 'finish', answer })),
);

const tagged = actionArbitrary.filter((a) => a.type !== 'prompt');

const reparse = (text: string, action: Action) => parseActionText(text, { awaitingPrompt: action.type === 'prompt' });

/** Rewrites `<x>`/`</x>` tags as `[x]`/`[/x]`. */
const squareTags = (text: string) => text.replace(/<(\/?)([a-z_]+)>/g, '[$1$2]');
/** Upper-cases tag names. */
const upperTags = (text: string) => text.replace(/<(\/?)([a-z_]+)>/g, (_m, slash: string, name: string) => `<${slash}${name.toUpperCase()}>`);

describe('printActionText → parseActionText (property)', () => {
  it('round-trips every action type', () => {
    fc.assert(
      fc.property(actionArbitrary, (action) => {
        expect(reparse(printActionText(action), action)).toEqual({ ok: true, action });
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips with [x] tags, upper-case tags and code fences', () => {
    fc.assert(
      fc.property(actionArbitrary, fc.constantFrom(squareTags, upperTags, (t: string) => `Sure:\n\`\`\`xml\n${t}\n\`\`\`\n`), (action, rewrite) => {
        expect(reparse(rewrite(printActionText(action)), action)).toEqual({ ok: true, action });
      }),
      { numRuns: 600 },
    );
  });

  it('ignores an action inside a think block before the real one', () => {
    fc.assert(
      fc.property(tagged, tagged, (decoy, action) => {
        const text = `<think>I could do ${printActionText(decoy)} instead.</think>\n${printActionText(action)}`;
        expect(parseActionText(text)).toEqual({ ok: true, action });
      }),
      { numRuns: 500 },
    );
  });

  it('keeps only the first of two actions, with no tags leaking from the second', () => {
    fc.assert(
      fc.property(tagged, tagged, (action, second) => {
        expect(parseActionText(`${printActionText(action)}\n${printActionText(second)}`)).toEqual({ ok: true, action });
      }),
      { numRuns: 500 },
    );
  });
});

/** Checks the never-throws contract and the shape of the result. */
function wellFormed(result: ParsedActionText): void {
  if (result.ok) expect(ACTION_NAMES).toContain(result.action.type);
  else expect(typeof result.reason === 'string' && result.reason.length > 0).toBe(true);
}

const fragments = fc.constantFrom(
  '<action>',
  '</action>',
  '[action]',
  '[/action]',
  'add',
  'delete',
  'modify',
  'set_prompt',
  'finish',
  '<operator>',
  '</operator>',
  '<operators>',
  '</operators>',
  '<structure>',
  '</structure>',
  'parallel',
  'loop',
  'conditional',
  '<condition>',
  '</condition>',
  '<true>',
  '</true>',
  '<false>',
  '</false>',
  '<count>',
  '</count>',
  '<position>',
  '</position>',
  '<target>',
  '</target>',
  '<prompt>',
  '</prompt>',
  '<answer>',
  '</answer>',
  '<think>',
  '</think>',
  '```',
  '```xml\n',
  'done',
  '-1',
  '3',
  '99999999999999999999999',
  'node_1',
  ', ',
  ' ',
  '\n',
  "let's finish",
  '\u0000',
  '\ud800',
  '🙂',
  ...PAPER_OPERATORS,
);
const tagSoup = fc.array(fragments, { maxLength: 40 }).map((parts) => parts.join(''));

describe('parseActionText on arbitrary input (property)', () => {
  it('never throws on arbitrary strings, in either mode', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 200 }), tagSoup),
        fc.boolean(),
        (text, awaitingPrompt) => {
          wellFormed(parseActionText(text, { awaitingPrompt }));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('never throws on huge inputs of weird unicode', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 20_000, maxLength: 60_000 }), fc.boolean(), (text, awaitingPrompt) => {
        wellFormed(parseActionText(text, { awaitingPrompt }));
      }),
      { numRuns: 15 },
    );
  });

  it('never throws on arbitrary values', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        wellFormed(parseActionText(value));
      }),
      { numRuns: 300 },
    );
  });

  it('stays fast on pathological tag repetition', () => {
    const inputs = [
      `<action>add</action>${'<operator>'.repeat(50_000)}`,
      `[action]add[/action]${'[operator]'.repeat(50_000)}`,
      `${'<think>'.repeat(50_000)}`,
      `<action>set_prompt</action>${'<prompt>x'.repeat(50_000)}`,
      '```'.repeat(100_000),
      `${'Programmer '.repeat(100_000)}`,
    ];
    const started = performance.now();
    for (const text of inputs) {
      wellFormed(parseActionText(text));
      wellFormed(parseActionText(text, { awaitingPrompt: true }));
    }
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
