import { describe, expect, it } from 'vitest';
import { parseDsl } from '../canvas/dsl.ts';
import type { TaskView } from '../tasks/types.ts';
import { DEFAULT_FINISH_GATE, finishGateReasons, isVerboseAnswer } from './finishGate.ts';

const math: TaskView = { id: 'm/1', dataset: 'm', kind: 'math', problem: '1+1' };
const code: TaskView = { id: 'c/1', dataset: 'c', kind: 'code', problem: 'def f', entryPoint: 'f', publicTests: 'assert f() == 1' };

describe('finishGateReasons (spec §1.5)', () => {
  it('accepts a complete workflow', () => {
    const canvas = parseDsl('Plan -> [AnswerGenerate, AnswerGenerate] -> ScEnsemble -> Verify ? Revise : done -> Format');
    expect(finishGateReasons(canvas, math, 'Step 1: long answer', DEFAULT_FINISH_GATE)).toEqual([]);
  });

  it('lists every unmet constraint', () => {
    expect(finishGateReasons(parseDsl(''), math, undefined, DEFAULT_FINISH_GATE)).toEqual(['the workflow is empty']);
    expect(finishGateReasons(parseDsl('Plan -> AnswerGenerate'), math, 'The solution is 2 because one plus one', DEFAULT_FINISH_GATE)).toEqual([
      'needs at least 5 operators, has 2',
      'needs a parallel, conditional or loop structure',
      'needs a checker (Verify/Test/Review)',
      'the last result is verbose: add a Format operator',
    ]);
  });

  it('asks code tasks with public tests for a Test operator', () => {
    const canvas = parseDsl('Plan -> [Programmer, Programmer] -> ScEnsemble -> Review ? Revise : done');
    expect(finishGateReasons(canvas, code, 'def f(): return 1', DEFAULT_FINISH_GATE)).toEqual(['the task has tests: add a Test operator']);
  });

  it('can be switched off except for the empty workflow', () => {
    expect(finishGateReasons(parseDsl('AnswerGenerate'), math, 'x', { ...DEFAULT_FINISH_GATE, enabled: false })).toEqual([]);
    expect(finishGateReasons(parseDsl(''), math, 'x', { ...DEFAULT_FINISH_GATE, enabled: false })).toEqual(['the workflow is empty']);
  });

  it('honours a custom operator threshold', () => {
    const canvas = parseDsl('[AnswerGenerate, AnswerGenerate] -> ScEnsemble -> Verify ? Revise : done');
    expect(finishGateReasons(canvas, math, '2', DEFAULT_FINISH_GATE)).toEqual([]);
    expect(finishGateReasons(canvas, math, '2', { ...DEFAULT_FINISH_GATE, minTotalOperators: 6 })).toEqual(['needs at least 6 operators, has 5']);
  });
});

describe('isVerboseAnswer', () => {
  it.each([
    ['42', false],
    ['x'.repeat(61), true],
    ['a\nb', true],
    ['First, add them', true],
    ['Paris', false],
  ])('%j → %s', (answer, verbose) => expect(isVerboseAnswer(answer)).toBe(verbose));
});
