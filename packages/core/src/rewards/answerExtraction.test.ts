import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  extractAnswer,
  extractAnswerPhrase,
  extractAnswerTag,
  extractBoxed,
  extractChoice,
  extractHashAnswer,
  extractLastNumber,
} from './answerExtraction.ts';

describe('extractBoxed', () => {
  it('returns the last box with nested braces intact', () => {
    expect(extractBoxed('first \\boxed{1} then \\boxed{\\frac{\\sqrt{3}}{2}}.')).toBe('\\frac{\\sqrt{3}}{2}');
  });

  it('treats escaped braces as content', () => {
    expect(extractBoxed('\\boxed{\\{1, 2\\}}')).toBe('\\{1, 2\\}');
  });

  it('reads an unbraced box and fbox', () => {
    expect(extractBoxed('so \\boxed 42 is it')).toBe('42');
    expect(extractBoxed('\\fbox{7}')).toBe('7');
  });

  it('returns null without a box or with an unbalanced one', () => {
    expect(extractBoxed('no box here')).toBeNull();
    expect(extractBoxed('\\boxed{1 + {2}')).toBeNull();
  });
});

describe('markers', () => {
  it('reads the last closed answer tag, or an unclosed final one', () => {
    expect(extractAnswerTag('<answer>1</answer> and <ANSWER> 2 </ANSWER>')).toBe('2');
    expect(extractAnswerTag('<answer>1</answer> then <answer>3 (truncated')).toBe('3 (truncated');
    expect(extractAnswerTag('nothing')).toBeNull();
  });

  it('reads the text after the last #### up to the end of the line', () => {
    expect(extractHashAnswer('work\n#### 1,234\nextra')).toBe('1,234');
    expect(extractHashAnswer('#### ')).toBeNull();
  });

  it('cuts an answer phrase at the sentence end but not after abbreviations or in decimals', () => {
    expect(extractAnswerPhrase('So the answer is 3.5. Done.')).toBe('3.5');
    expect(extractAnswerPhrase('Answer: St. Louis Cardinals')).toBe('St. Louis Cardinals');
    expect(extractAnswerPhrase('The final answer is: **Paris**.')).toBe('Paris');
    expect(extractAnswerPhrase('I answered it')).toBeNull();
  });

  it('finds the last number, keeping thousands commas and not mistaking a binary minus for a sign', () => {
    expect(extractLastNumber('She has 1,250 apples and sells 3/4 of them')).toBe('3/4');
    expect(extractLastNumber('total 1,250')).toBe('1,250');
    expect(extractLastNumber('we get 10-2')).toBe('2');
    expect(extractLastNumber('the result is -7')).toBe('-7');
    expect(extractLastNumber('none')).toBeNull();
  });
});

describe('extractAnswer', () => {
  it.each([
    ['<answer>\\boxed{5}</answer>', '5', 'answer_tag'],
    ['blah \\boxed{\\frac{1}{2}} ok', '\\frac{1}{2}', 'boxed'],
    ['Janet sells 9 eggs.\n#### 18', '18', 'hash'],
    ['The answer is 18.', '18', 'phrase'],
    ['So she makes $18 every day at the market, after selling the rest.', '18', 'last_number'],
    ['\\left( 3, \\frac{\\pi}{2} \\right)', '\\left( 3, \\frac{\\pi}{2} \\right)', 'whole'],
  ] as const)('reads %j in math mode as %j (%s)', (text, answer, method) => {
    expect(extractAnswer(text, 'math')).toEqual({ answer, method });
  });

  it('keeps the whole text in QA mode when there is no marker', () => {
    expect(extractAnswer('Gesellschaft mit beschränkter Haftung', 'qa')).toEqual({
      answer: 'Gesellschaft mit beschränkter Haftung',
      method: 'whole',
    });
  });
});

describe('extractChoice', () => {
  it.each([
    ['(b)', 'b'],
    ['b )', 'b'],
    ['Answer: B', 'b'],
    ['option c', 'c'],
    ['\\boxed{D}', 'd'],
    ['<answer>(e)</answer>', 'e'],
    ['The answer is (e) 26', 'e'],
    ['the answer is a.', 'a'],
    ['so x = 12 , answer : option d"', 'd'],
    ['Checking each: the answer is C because 18 works.', 'c'],
  ])('reads %j as %s', (text, letter) => {
    expect(extractChoice(text)).toBe(letter);
  });

  it('does not read the article "a" as a letter', () => {
    expect(extractChoice('The answer is a number: 12')).toBeNull();
  });

  it('returns null for an echoed option list', () => {
    expect(extractChoice('Options: a ) 12 , b ) 16 , c ) 18')).toBeNull();
  });

  it('ignores letters outside the allowed set', () => {
    expect(extractChoice('Answer: E', 'abcd')).toBeNull();
    expect(extractChoice('Answer: D', 'abcd')).toBe('d');
  });
});

describe('robustness', () => {
  const messy = fc.string({ unit: fc.constantFrom(...'\\{}()[]$#<>/answer:boxed 0123456789.,-ABCabcfrac'.split('')), maxLength: 80 });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), messy), (text) => {
        extractAnswer(text, 'math');
        extractAnswer(text, 'qa');
        extractChoice(text);
      }),
      { numRuns: 500 },
    );
  });
});
