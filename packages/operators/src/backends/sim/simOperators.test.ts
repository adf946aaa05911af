import { describe, expect, it } from 'vitest';
import { createPythonSandbox, type OperatorInput, type Task } from '@flowsteer/core';
import { builtinOperators } from '../../registry.ts';
import { choiceTask, codeTask, fixturesById, mathTask, qaTask } from '../../testing/fixtures.ts';
import { makeTestContext } from '../../testing/testContext.ts';
import { test as testOperator } from '../../operators/test.ts';
import { makeMutants } from './codeMutants.ts';
import { createSimBackend } from './simBackend.ts';
import { taskModel } from './taskModel.ts';

const sandbox = createPythonSandbox();
const backend = createSimBackend({ seed: 1, oracle: (id) => fixturesById.get(id) });
const reference = String(codeTask.meta.reference_solution);

function inputFor(task: Task): Partial<OperatorInput> {
  if (task.kind === 'code') return { prev: reference, solution: reference, code: reference, candidates: [reference, reference], feedback: 'Looks fine.' };
  const wrong = task.kind === 'qa' ? 'Charles' : task === choiceTask ? 'b' : '17';
  return { prev: wrong, solution: wrong, candidates: [wrong, wrong, 'x'], feedback: 'The final step is wrong.' };
}

describe('sim replies parse under every operator', () => {
  for (const task of [mathTask, choiceTask, qaTask, codeTask]) {
    for (const operator of builtinOperators) {
      it(`${operator.name} on ${task.dataset}`, async () => {
        const { ctx } = makeTestContext({ task, backend, sandbox, operator: operator.name, nodeId: `node_${operator.name}`, input: inputFor(task) });
        const result = await operator.run(ctx);
        expect(result.error).toBeUndefined();
        expect(result.output.trim().length).toBeGreaterThan(0);
        if (operator.category === 'checking') expect(typeof result.passed).toBe('boolean');
        if (operator.category === 'planning') expect(result.role).toBe('guidance');
        if (task.kind === 'code' && operator.category !== 'planning') expect(result.output).toMatch(/def add_up/);
        if (operator.name === 'Format' && task === choiceTask) expect(result.output).toMatch(/^[a-e]$/);
      });
    }
  }
});

describe('code mutants and the Test operator', () => {
  it('never edits the given prompt and changes exactly one thing', () => {
    const mutants = makeMutants(reference, codeTask.problem.length);
    expect(mutants.length).toBeGreaterThanOrEqual(4);
    for (const mutant of mutants) {
      expect(mutant.startsWith(codeTask.problem)).toBe(true);
      expect(mutant).not.toBe(reference);
    }
    expect(mutants.some((m) => m.includes('value >= 0'))).toBe(true);
    expect(mutants.some((m) => m.includes('total - value'))).toBe(true);
  });

  it('really runs the code: the reference passes the public tests without an LLM call', async () => {
    const { ctx, requests } = makeTestContext({ task: codeTask, backend, sandbox, operator: 'Test', input: { code: reference, solution: reference } });
    const result = await testOperator.run(ctx);
    expect(result.passed).toBe(true);
    expect(requests).toHaveLength(0);
  });

  it('really runs the code: a mutant fails the public tests and triggers rewrites', async () => {
    const mutant = taskModel(codeTask).mutants().find((m) => m.includes('total - value'));
    expect(mutant).toBeDefined();
    const { ctx, requests } = makeTestContext({ task: codeTask, backend, sandbox, operator: 'Test', input: { code: mutant, solution: mutant } });
    const result = await testOperator.run(ctx);
    expect(requests.length).toBeGreaterThanOrEqual(1);
    const check = await sandbox.runPython(`${result.code ?? ''}\n\n${codeTask.publicTests}`);
    expect(result.passed).toBe(check.ok);
  });
});
