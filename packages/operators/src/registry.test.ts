import { describe, expect, it } from 'vitest';
import { executeWorkflow, parseDsl, PAPER_OPERATORS, toTaskView } from '@flowsteer/core';
import { createSimBackend } from './backends/sim/simBackend.ts';
import { currentSolution, defineOperator } from './operator.ts';
import { builtinOperators, createOperatorRegistry, defaultOperatorRegistry, listOperatorSpecs, registerOperator } from './registry.ts';
import { fixturesById, qaTask } from './testing/fixtures.ts';
import { stubSandbox } from './testing/testContext.ts';

const shout = defineOperator({
  name: 'Shout',
  category: 'output',
  description: 'Upper-cases the current solution.',
  inputs: ['solution'],
  outputs: ['solution'],
  defaultPrompt: '',
  async run(ctx) {
    return { fields: {}, output: currentSolution(ctx).toUpperCase(), role: 'solution' };
  },
});

describe('operator registry', () => {
  it('holds exactly the paper’s 12 operators by default', () => {
    expect([...defaultOperatorRegistry.names()].sort()).toEqual([...PAPER_OPERATORS].sort());
    expect(builtinOperators).toHaveLength(12);
  });

  it('registers a user plugin that then runs inside a workflow', async () => {
    const registry = createOperatorRegistry([shout]);
    expect(registry.has('Shout')).toBe(true);
    const backend = createSimBackend({ seed: 3, oracle: (id) => fixturesById.get(id) });
    const canvas = parseDsl('AnswerGenerate -> Format -> Shout', { operators: registry.names() });
    const result = await executeWorkflow(canvas, toTaskView(qaTask), { registry, backend, sandbox: stubSandbox() });
    const shouted = result.trace.find((node) => node.operator === 'Shout');
    expect(shouted?.error).toBeUndefined();
    expect(result.answer).toBe(result.answer.toUpperCase());
    expect(result.answer.length).toBeGreaterThan(0);
  });

  it('refuses to shadow a registered name unless asked to', () => {
    const registry = createOperatorRegistry();
    const fake = defineOperator({ ...shout, name: 'Format' });
    expect(() => registerOperator(registry, fake)).toThrow(/already registered/);
    registerOperator(registry, fake, { replace: true });
    expect(registry.get('Format')).toBe(fake);
  });

  it('validates operator definitions', () => {
    expect(() => defineOperator({ ...shout, name: 'not pascal' })).toThrow(/PascalCase/);
    expect(() => defineOperator({ ...shout, category: 'magic' as never })).toThrow(/category/);
  });

  it('lists specs without run functions for UIs', () => {
    const specs = listOperatorSpecs(createOperatorRegistry([shout]));
    expect(specs.map((s) => s.name)).toContain('Shout');
    expect(specs.every((s) => !('run' in s))).toBe(true);
    expect(specs.find((s) => s.name === 'ScEnsemble')).toMatchObject({ consumesCandidates: true, forbiddenInParallel: true, category: 'ensemble' });
  });

  it('turns an operator’s own exception into an error result', async () => {
    const broken = defineOperator({ ...shout, name: 'Broken', run: async () => { throw new Error('boom'); } });
    const registry = createOperatorRegistry([broken]);
    const backend = createSimBackend({ oracle: (id) => fixturesById.get(id) });
    const canvas = parseDsl('AnswerGenerate -> Broken', { operators: registry.names() });
    const result = await executeWorkflow(canvas, toTaskView(qaTask), { registry, backend, sandbox: stubSandbox() });
    expect(result.trace[1]?.error).toMatch(/Broken failed: boom/);
    expect(result.answer).toBe(result.trace[0]?.output);
  });
});
