import { describe, expect, it } from 'vitest';
import { parseDsl } from '../canvas/dsl.ts';
import { fakeBackend, mathView, noSandbox, registryOf, scriptedOperator } from '../../test/fakes.ts';
import { ExecutionCache } from './executionCache.ts';
import { executeWorkflow } from './executeWorkflow.ts';

const TEST_OPS = ['Plan', 'AnswerGenerate', 'ScEnsemble', 'Verify', 'Revise', 'Format', 'Custom', 'Boom', 'Slow'];

function setup(verdict: boolean) {
  let answers = 0;
  const operators = [
    scriptedOperator('Plan', () => ({ output: 'step 1', role: 'guidance' })),
    scriptedOperator('AnswerGenerate', (ctx) => ({ output: String(40 + (answers++ % 3 === 2 ? 1 : 2)), fields: { sawGuidance: ctx.input.guidance } })),
    scriptedOperator('ScEnsemble', (ctx) => ({ output: ctx.input.candidates?.[0] ?? 'none', fields: { n: ctx.input.candidates?.length } })),
    scriptedOperator('Verify', (ctx) => ({ output: ctx.input.solution, role: 'verdict', passed: verdict, feedback: verdict ? 'fine' : 'wrong' })),
    scriptedOperator('Revise', (ctx) => ({ output: `revised(${ctx.input.solution}|${ctx.input.feedback})` })),
    scriptedOperator('Format', (ctx) => ({ output: `F:${ctx.input.solution}` })),
    scriptedOperator('Custom', (ctx) => ({ output: `${ctx.input.prev}+c` })),
    scriptedOperator('Boom', () => {
      throw new Error('kaboom');
    }),
  ];
  return { registry: registryOf(operators), backend: fakeBackend(), sandbox: noSandbox };
}

describe('executeWorkflow', () => {
  it('feeds plan guidance to solvers and the parallel list to the ensemble', async () => {
    const canvas = parseDsl('Plan -> [AnswerGenerate, AnswerGenerate, AnswerGenerate] -> ScEnsemble', { operators: TEST_OPS });
    const result = await executeWorkflow(canvas, mathView, setup(true));
    expect(result.ok).toBe(true);
    const ensemble = result.trace.find((node) => node.operator === 'ScEnsemble');
    expect(ensemble?.fields).toEqual({ n: 3 });
    expect(result.trace.filter((node) => node.operator === 'AnswerGenerate').every((node) => node.fields.sawGuidance === 'step 1')).toBe(true);
    expect(result.answer).toBe('42');
  });

  it('runs onFail with the checker feedback when the check fails', async () => {
    const result = await executeWorkflow(parseDsl('AnswerGenerate -> Verify ? Revise : done', { operators: TEST_OPS }), mathView, setup(false));
    expect(result.answer).toBe('revised(42|wrong)');
    expect(result.trace.map((node) => node.operator)).toEqual(['AnswerGenerate', 'Verify', 'Revise']);
  });

  it('skips onFail and passes the solution through when the check passes', async () => {
    const result = await executeWorkflow(parseDsl('AnswerGenerate -> Verify ? Revise : done -> Format', { operators: TEST_OPS }), mathView, setup(true));
    expect(result.answer).toBe('F:42');
    expect(result.trace.map((node) => node.operator)).toEqual(['AnswerGenerate', 'Verify', 'Format']);
  });

  it('runs onPass when the check passes and one is given', async () => {
    const result = await executeWorkflow(parseDsl('AnswerGenerate -> Verify ? Revise : Format', { operators: TEST_OPS }), mathView, setup(true));
    expect(result.answer).toBe('F:42');
  });

  it('repeats loop bodies and chains their outputs', async () => {
    const result = await executeWorkflow(parseDsl('AnswerGenerate -> (Custom) * 3', { operators: TEST_OPS }), mathView, setup(true));
    expect(result.answer).toBe('42+c+c+c');
    expect(result.trace.filter((node) => node.operator === 'Custom').map((node) => node.iteration)).toEqual([0, 1, 2]);
  });

  it('traces an operator failure and keeps going', async () => {
    const result = await executeWorkflow(parseDsl('AnswerGenerate -> Boom -> Format', { operators: TEST_OPS }), mathView, setup(true));
    expect(result.ok).toBe(true);
    expect(result.trace[1]?.role).toBe('error');
    expect(result.trace[1]?.error).toMatch(/kaboom/);
    expect(result.answer).toBe('F:42');
  });

  it('traces an unknown operator instead of crashing', async () => {
    const result = await executeWorkflow(parseDsl('AnswerGenerate -> Slow', { operators: TEST_OPS }), mathView, setup(true));
    expect(result.trace[1]?.error).toMatch(/unknown operator 'Slow'/);
    expect(result.answer).toBe('42');
  });

  it('accounts tokens, cost and critical-path latency', async () => {
    const result = await executeWorkflow(parseDsl('[AnswerGenerate, AnswerGenerate] -> ScEnsemble', { operators: TEST_OPS }), mathView, setup(true));
    expect(result.tokens).toEqual({ prompt: 30, completion: 15, total: 45 });
    expect(result.costUsd).toBeCloseTo(0.003);
    expect(result.latencyMs).toBe(200);
    expect(result.simulated).toBe(true);
  });

  it('reuses unchanged prefixes from the episode cache after an edit', async () => {
    const deps = setup(true);
    const cache = new ExecutionCache();
    await executeWorkflow(parseDsl('Plan -> AnswerGenerate', { operators: TEST_OPS }), mathView, { ...deps, cache });
    const calls = deps.backend.requests.length;
    const second = await executeWorkflow(parseDsl('Plan -> AnswerGenerate -> Format', { operators: TEST_OPS }), mathView, { ...deps, cache });
    expect(deps.backend.requests.length - calls).toBe(1);
    expect(second.cacheHits).toBe(2);
    expect(second.tokens.total).toBe(45);
  });

  it('stops at the token budget with a BUDGET_EXCEEDED error and a partial answer', async () => {
    const result = await executeWorkflow(parseDsl('AnswerGenerate -> Custom -> Custom -> Custom', { operators: TEST_OPS }), mathView, {
      ...setup(true),
      tokenBudget: 30,
    });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('BUDGET_EXCEEDED');
    expect(result.answer).toBe('42+c');
  });

  it('returns a TIMEOUT result when the workflow exceeds its time limit', async () => {
    const slow = scriptedOperator('Slow', () => ({ output: 'late' }), {
      run: () => new Promise((resolve) => setTimeout(() => resolve({ fields: {}, role: 'solution', output: 'late' }), 500)),
    });
    const result = await executeWorkflow(parseDsl('Slow', { operators: TEST_OPS }), mathView, {
      registry: registryOf([slow]),
      backend: fakeBackend(),
      sandbox: noSandbox,
      timeoutMs: 50,
    });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('TIMEOUT');
  });

  it('passes task id, node id and purpose to the backend as metadata', async () => {
    const deps = setup(true);
    await executeWorkflow(parseDsl('AnswerGenerate -> (Custom) * 2', { operators: TEST_OPS }), mathView, deps);
    expect(deps.backend.requests.map((r) => r.metadata?.nodeId)).toEqual(['node_1', 'node_2_l0', 'node_2_l0@1']);
    expect(deps.backend.requests.every((r) => r.metadata?.taskId === 'unit/1' && r.metadata.purpose === 'solve')).toBe(true);
  });
});
