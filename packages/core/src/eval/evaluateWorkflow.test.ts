import { describe, expect, it } from 'vitest';
import { parseDsl } from '../canvas/dsl.ts';
import type { MathTask, QaTask } from '../tasks/types.ts';
import { fakeBackend, noSandbox, registryOf, scriptedOperator } from '../../test/fakes.ts';
import { evaluateWorkflow } from './evaluateWorkflow.ts';
import { mapConcurrent } from './mapConcurrent.ts';

const math = (id: string, answer: string): MathTask => ({ id: `m/${id}`, dataset: 'm', kind: 'math', problem: `q${id}`, answer, meta: {} });
const qa = (id: string, answers: string[]): QaTask => ({ id: `q/${id}`, dataset: 'q', kind: 'qa', problem: `q${id}`, answer: answers[0] ?? '', answers, meta: {} });

describe('evaluateWorkflow', () => {
  it('scores each task with its metric and summarises per dataset', async () => {
    const registry = registryOf([scriptedOperator('AnswerGenerate', () => ({ output: '42' })), scriptedOperator('Format', (ctx) => ({ output: ctx.input.solution }))]);
    const tasks = [math('1', '42'), math('2', '7'), qa('1', ['42']), qa('2', ['forty two', '42 units'])];
    const progress: number[] = [];
    const report = await evaluateWorkflow(parseDsl('AnswerGenerate -> Format'), tasks, {
      registry,
      backend: fakeBackend(),
      sandbox: noSandbox,
      concurrency: 2,
      onProgress: (done) => progress.push(done),
    });
    expect(progress).toEqual([1, 2, 3, 4]);
    expect(report.simulated).toBe(true);
    const [m, q] = report.datasets;
    expect(m).toMatchObject({ dataset: 'm', n: 2, metric: 'accuracy', score: 50, feasible: 0, meanTokens: 30 });
    expect(q?.metric).toBe('em_f1');
    expect(q?.score).toBe(50);
    // F1 of "42" against "42 units" is 2/3; the first item is exact: mean (1 + 2/3) / 2.
    expect(q?.f1).toBeCloseTo((100 * (1 + 2 / 3)) / 2);
    // Infeasible 2-op workflow: R = -1 + R_div (checker 0, format 0.2) = -0.8 whatever the answer.
    expect(report.items.every((item) => Math.abs(item.reward - -0.8) < 1e-9)).toBe(true);
  });
});

describe('mapConcurrent', () => {
  it('keeps order and never exceeds the limit', async () => {
    let active = 0;
    let peak = 0;
    const out = await mapConcurrent([5, 1, 3, 2, 4], 2, async (value) => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, value));
      active -= 1;
      return value * 10;
    });
    expect(out).toEqual([50, 10, 30, 20, 40]);
    expect(peak).toBe(2);
  });
});
