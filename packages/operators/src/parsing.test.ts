import { describe, expect, it } from 'vitest';
import { extractPython, headTail, parseBoolean, parseConfidence, parseFields, parseLabel, parseList, parsePlainNumber, stripFences } from './parsing.ts';

describe('parseFields', () => {
  it('reads tags case-insensitively and trims them', () => {
    expect(parseFields('<THOUGHT> think </Thought>\n<Answer>42</ANSWER>', ['thought', 'answer'])).toEqual({ thought: 'think', answer: '42' });
  });

  it('accepts square-bracket tags', () => {
    expect(parseFields('[answer]Paris[/answer]', ['answer'])).toEqual({ answer: 'Paris' });
  });

  it('runs a field with a missing closing tag up to the next known field', () => {
    expect(parseFields('<thought>step one\n<answer>7', ['thought', 'answer'])).toEqual({ thought: 'step one', answer: '7' });
  });

  it('strips code fences inside a field', () => {
    expect(parseFields('```xml\n<answer>12</answer>\n```', ['answer']).answer).toBe('12');
  });

  it('keeps an empty tag as an empty string and leaves absent fields out', () => {
    const fields = parseFields('<answer></answer>', ['answer', 'thought']);
    expect(fields.answer).toBe('');
    expect('thought' in fields).toBe(false);
  });

  it('does not confuse <answers> with <answer>', () => {
    expect(parseFields('<answers>x</answers> <answer>y</answer>', ['answer']).answer).toBe('y');
  });

  it('returns nothing for garbage instead of throwing', () => {
    expect(parseFields('<<<>>> ]][[ </answer> <answer', ['answer'])).toEqual({});
  });
});

describe('parseBoolean', () => {
  it.each([
    ['True', true],
    ['  false ', false],
    ['PASS', true],
    ['incorrect', false],
    ['not correct', false],
    ['The answer is wrong.', false],
    ['maybe', undefined],
    [undefined, undefined],
  ])('reads %j as %j', (text, expected) => {
    expect(parseBoolean(text)).toBe(expected);
  });
});

describe('other readers', () => {
  it('reads confidence from words and numbers', () => {
    expect(parseConfidence('High')).toBe('high');
    expect(parseConfidence('0.55')).toBe('medium');
    expect(parseConfidence('30%')).toBe('low');
    expect(parseConfidence('???')).toBeUndefined();
  });

  it('splits numbered and bulleted lists', () => {
    expect(parseList('1. first\n2) second\n- third\n\n')).toEqual(['first', 'second', 'third']);
    expect(parseList('just one line')).toEqual(['just one line']);
  });

  it('pulls Python from fences, from a code tag, or from the first code-looking line', () => {
    expect(extractPython('Here:\n```python\ndef f():\n    return 1\n```\nDone')).toBe('def f():\n    return 1');
    expect(extractPython('<code>```py\nx = 1\n```</code>')).toBe('x = 1');
    expect(extractPython('Sure! def g(x): return x\nimport os')).toBe('import os');
    expect(extractPython('no code at all')).toBe('');
  });

  it('parses only plain numbers', () => {
    expect(parsePlainNumber('1,234')).toBe(1234);
    expect(parsePlainNumber('$5')).toBe(5);
    expect(parsePlainNumber('-3.5')).toBe(-3.5);
    expect(parsePlainNumber('3 apples')).toBeUndefined();
  });

  it('reads candidate labels in several spellings', () => {
    expect(parseLabel('B', 3)).toBe(1);
    expect(parseLabel('(c)', 3)).toBe(2);
    expect(parseLabel('Solution A is best', 3)).toBe(0);
    expect(parseLabel('Z', 3)).toBeUndefined();
  });

  it('keeps head and tail of long text', () => {
    const cut = headTail('a'.repeat(50) + 'b'.repeat(50), 21);
    expect(cut.startsWith('aaaa')).toBe(true);
    expect(cut.endsWith('bbbb')).toBe(true);
    expect(cut.length).toBeLessThan(30);
    expect(stripFences('```js\nx\n```')).toBe('x\n');
  });
});
