import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLED_SAMPLES_DIR, DEFAULT_SHARED_DIR } from '../tasks/datasets.ts';
import { loadTasksFromFile } from '../tasks/loadTasks.ts';
import type { MathTask } from '../tasks/types.ts';
import { extractBoxed } from './answerExtraction.ts';
import { evaluateMath, mathEquivalent, normalizeMathAnswer, numbersClose, scoreMath } from './mathScore.ts';

const task = (answer: string, choices?: Record<string, string>): MathTask => ({
  id: 't/1',
  dataset: 't',
  kind: 'math',
  problem: 'q',
  answer,
  meta: {},
  ...(choices ? { choices } : {}),
});

describe('normalizeMathAnswer', () => {
  it.each([
    ['\\frac{14}{3}', '14/3'],
    ['\\dfrac{17}{50}', '17/50'],
    ['\\frac43', '4/3'],
    ['\\frac{3\\sqrt{3}}{4}', '(3sqrt(3))/4'],
    ['11\\sqrt2', '11sqrt(2)'],
    ['90^\\circ', '90'],
    ['10,\\!080', '10080'],
    ['\\$1,000.', '1000'],
    ['50\\%', '50%'],
    ['\\text{Evelyn}', 'Evelyn'],
    ['5\\text{ cm}^2', '5'],
    ['\\frac{270}7\\text{ degrees}', '270/7'],
    ['x = 5', '5'],
    ['\\left( 3, \\frac{\\pi}{2} \\right)', '(3,pi/2)'],
    ['(2,\\infty)', '(2,inf)'],
    ['4210_{5}', '4210_5'],
    ['\\text{(C)}', 'C'],
    ['\\boxed{7}', '7'],
  ])('normalises %j to %j', (input, expected) => {
    expect(normalizeMathAnswer(input)).toBe(expected);
  });
});

describe('evaluateMath', () => {
  it.each([
    ['3sqrt(13)', 3 * Math.sqrt(13)],
    ['-pi/6', -Math.PI / 6],
    ['2^10', 1024],
    ['-2^2', -4],
    ['2^-1', 0.5],
    ['(1+2)(3)', 9],
    ['.5', 0.5],
  ])('evaluates %j', (expr, value) => {
    expect(evaluateMath(expr)).toBeCloseTo(value, 12);
  });

  it.each(['x+1', '6-5i', '1/0', '2+', '(1', 'sqrt(-1)', ''])('refuses %j', (expr) => {
    expect(evaluateMath(expr)).toBeNull();
  });
});

describe('numbersClose', () => {
  it('uses the paper absolute tolerance 1e-3', () => {
    expect(numbersClose(0.3333, 1 / 3)).toBe(true);
    expect(numbersClose(0.332, 1 / 3)).toBe(false);
  });

  it('is relative for tiny golds so 0 does not match .0000672', () => {
    expect(numbersClose(0, 0.0000672)).toBe(false);
    expect(numbersClose(0.00006720001, 0.0000672)).toBe(true);
  });
});

describe('mathEquivalent', () => {
  it.each([
    ['(3, pi/2)', '\\left( 3, \\frac{\\pi}{2} \\right)'],
    ['(3, 1.5708)', '\\left( 3, \\frac{\\pi}{2} \\right)'],
    ['0.5', '\\frac{1}{2}'],
    ['1/2', '\\dfrac12'],
    ['0.5', '50\\%'],
    ['50', '50\\%'],
    ['50%', '50'],
    ['90°', '90^\\circ'],
    ['3*sqrt(13)', '3\\sqrt{13}'],
    ['10.8167', '3\\sqrt{13}'],
    ['10,080', '10,\\!080'],
    ['5', 'x=5'],
    ['evelyn', '\\text{Evelyn}'],
    ['-2, 1', '1,-2'],
    ['270/7 degrees', '\\frac{270}7\\text{ degrees}'],
    ['(-1/3, 2/3, 5/3)', '\\begin{pmatrix} -1/3 \\\\ 2/3 \\\\ 5/3 \\end{pmatrix}'],
    ['18 dollars', '18'],
    ['\\$18.00', '18'],
    ['6-5i', '6 - 5i'],
    ['x^{2}+1', 'x^2+1'],
    ['2^{10}', '1024'],
    ['C', '\\text{(C)}'],
  ])('accepts %j for gold %j', (predicted, gold) => {
    expect(mathEquivalent(predicted, gold)).toBe(true);
  });

  it.each([
    ['(3, pi/3)', '\\left( 3, \\frac{\\pi}{2} \\right)'],
    ['[3, pi/2]', '\\left( 3, \\frac{\\pi}{2} \\right)'],
    ['[2, \\infty)', '(2,\\infty)'],
    ['50%', '0.5'],
    ['1,-2,3', '1,-2'],
    ['1000001', '1000000'],
    ['0', '.0000672'],
    ['', '5'],
    ['abc', '5'],
    ['6+5i', '6 - 5i'],
  ])('rejects %j for gold %j', (predicted, gold) => {
    expect(mathEquivalent(predicted, gold)).toBe(false);
  });
});

describe('scoreMath', () => {
  it('scores a boxed, a #### and a plain-sentence answer', () => {
    expect(scoreMath(task('18'), 'Thus \\boxed{18}.')).toEqual({ score: 1, extracted: '18' });
    expect(scoreMath(task('18'), '9 * 2 = 18\n#### 18')).toEqual({ score: 1, extracted: '18' });
    expect(scoreMath(task('18'), 'She makes $18.')).toEqual({ score: 1, extracted: '18' });
    expect(scoreMath(task('18'), 'Thus \\boxed{19}.')).toEqual({ score: 0, extracted: '19' });
  });

  it('compares letters for multiple choice and accepts the unique correct option text', () => {
    const mc = task('a', { a: '12', b: '16', c: '18', d: '24', e: '26' });
    expect(scoreMath(mc, 'Answer: (A)').score).toBe(1);
    expect(scoreMath(mc, 'Answer: (b)').score).toBe(0);
    expect(scoreMath(mc, 'The value of x is 12')).toEqual({ score: 1, extracted: '12' });
    expect(scoreMath(mc, 'The value of x is 16').score).toBe(0);
  });
});

const sharedMath = ['gsm8k', 'math', 'mathqa'].map((name) => join(DEFAULT_SHARED_DIR, `${name}.jsonl`));

describe('real gold answers', () => {
  it('scores every bundled math gold answer 1 against itself', async () => {
    for (const name of ['gsm8k', 'math', 'mathqa']) {
      const { tasks } = await loadTasksFromFile(join(BUNDLED_SAMPLES_DIR, `${name}.jsonl`));
      expect(tasks.length).toBe(40);
      for (const t of tasks) if (t.kind === 'math') expect(scoreMath(t, t.answer).score, t.id).toBe(1);
    }
  });

  it.skipIf(!sharedMath.every((p) => existsSync(p)))('scores shared golds 1 against themselves and their worked solutions', async () => {
    const tally = { self: 0, solution: 0, solutions: 0, boxedAgree: 0, boxed: 0 };
    for (const path of sharedMath) {
      const { tasks } = await loadTasksFromFile(path);
      for (const t of tasks) {
        if (t.kind !== 'math') continue;
        tally.self += scoreMath(t, t.answer).score;
        const solution = t.meta['solution'];
        if (typeof solution !== 'string') continue;
        tally.solutions++;
        tally.solution += scoreMath(t, solution).score;
        if (t.dataset === 'math') {
          tally.boxed++;
          const box = extractBoxed(solution);
          if (box !== null && mathEquivalent(box, t.answer)) tally.boxedAgree++;
        }
      }
    }
    expect(tally.self).toBe(600);
    // GSM8K solutions end in "#### n", MATH solutions in \boxed{…}: all 400 agree with the gold answer.
    expect(tally.solutions).toBe(400);
    expect(tally.solution).toBe(400);
    expect(tally.boxedAgree).toBe(tally.boxed);
  });
});

describe('robustness', () => {
  const latexish = fc.string({ unit: fc.constantFrom(...'\\{}()[]^_$%,. 0123456789+-*/=xpisqrtfracleftright'.split('')), maxLength: 60 });

  it('never throws on any answer text', () => {
    fc.assert(
      fc.property(latexish, latexish, (a, b) => {
        expect(typeof mathEquivalent(a, b)).toBe('boolean');
        expect(typeof normalizeMathAnswer(a)).toBe('string');
      }),
      { numRuns: 500 },
    );
  });

  it('refuses deeply nested input instead of overflowing the stack', () => {
    expect(evaluateMath(`${'('.repeat(5000)}1${')'.repeat(5000)}`)).toBeNull();
    expect(mathEquivalent('x'.repeat(5000), '5')).toBe(false);
  });
});
