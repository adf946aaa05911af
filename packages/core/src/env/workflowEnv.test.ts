import { describe, expect, it } from 'vitest';
import type { MathTask } from '../tasks/types.ts';
import { fakeBackend, noSandbox, registryOf, scriptedOperator } from '../../test/fakes.ts';
import { WorkflowEnv } from './workflowEnv.ts';

const task: MathTask = { id: 'unit/7', dataset: 'unit', kind: 'math', problem: 'What is 6 * 7?', answer: '42', meta: {} };

function makeEnv(config = {}) {
  const operators = [
    scriptedOperator('Plan', () => ({ output: 'multiply', role: 'guidance' })),
    scriptedOperator('AnswerGenerate', () => ({ output: 'Step 1: multiply 6 by 7. The answer is 42.' })),
    scriptedOperator('Programmer', () => ({ output: '42' })),
    scriptedOperator('ScEnsemble', (ctx) => ({ output: ctx.input.candidates?.[0] ?? '' })),
    scriptedOperator('Verify', (ctx) => ({ output: ctx.input.solution, role: 'verdict', passed: true })),
    scriptedOperator('Revise', (ctx) => ({ output: ctx.input.solution })),
    scriptedOperator('Format', () => ({ output: '42' })),
  ];
  const backend = fakeBackend();
  return { env: new WorkflowEnv({ registry: registryOf(operators), backend, sandbox: noSandbox, config }), backend };
}

/** Steps that build a workflow the finish gate accepts, with R_div = 1 (on an empty canvas or after one solver). */
const feasibleSteps: Parameters<WorkflowEnv['step']>[0][] = [
  { type: 'add_parallel', operators: ['Programmer', 'AnswerGenerate'] },
  { type: 'prompt', prompt: 'Compute with code.' },
  { type: 'prompt', prompt: 'Reason step by step.' },
  { type: 'add', operator: 'ScEnsemble' },
  { type: 'prompt', prompt: 'Pick the consistent one.' },
  { type: 'add_conditional', condition: 'Verify', onFail: 'Revise' },
  { type: 'prompt', prompt: 'Check the arithmetic.' },
  { type: 'prompt', prompt: 'Fix the mistake.' },
  { type: 'add', operator: 'Format' },
  { type: 'prompt', prompt: 'Only the number.' },
];

async function build(env: WorkflowEnv, steps: readonly (Parameters<WorkflowEnv['step']>[0])[]) {
  let last;
  for (const step of steps) last = await env.step(step);
  return last!;
}

describe('WorkflowEnv', () => {
  it('asks for the prompt after add and creates the node only when it arrives (spec §1.4)', async () => {
    const { env, backend } = makeEnv();
    env.reset(task);
    const first = await env.step({ type: 'add', operator: 'Plan' });
    expect(first.observation.awaiting).toMatchObject({ target: 'node_1', operator: 'Plan' });
    expect(first.observation.canvas.stages).toHaveLength(0);
    expect(first.observation.applicable).toEqual(['prompt']);
    expect(first.observation.feedback).toContain('Pending - Awaiting Prompt');
    expect(backend.requests).toHaveLength(0);
    const second = await env.step({ type: 'prompt', prompt: 'List the steps.' });
    expect(second.observation.canvas.stages[0]).toMatchObject({ id: 'node_1', operator: 'Plan', prompt: 'List the steps.' });
    expect(second.info.executed).toBe(true);
    expect(second.observation.round).toBe(2);
  });

  it('collects one prompt per structure child and executes after the last', async () => {
    const { env } = makeEnv();
    env.reset(task);
    const inserted = await env.step({ type: 'add_parallel', operators: ['AnswerGenerate', 'Programmer', 'AnswerGenerate'] });
    expect(inserted.observation.canvas.stages).toHaveLength(1);
    expect(inserted.observation.awaiting?.label).toBe('parallel prompt 1/3');
    const p1 = await env.step({ type: 'prompt', prompt: 'Solve it carefully.' });
    expect(p1.info.executed).toBe(false);
    await env.step({ type: 'prompt', prompt: 'Write code for it.' });
    const p3 = await env.step({ type: 'prompt', prompt: 'Solve it again.' });
    expect(p3.info.executed).toBe(true);
    expect(p3.observation.awaiting).toBeNull();
    const stage = p3.observation.canvas.stages[0];
    expect(stage?.kind === 'parallel' && stage.branches.map((b) => b.prompt)).toEqual(['Solve it carefully.', 'Write code for it.', 'Solve it again.']);
  });

  it('treats an invalid action as a no-op that uses the round and says why', async () => {
    const { env } = makeEnv();
    env.reset(task);
    const result = await env.step({ type: 'add', operator: 'Telepathy' });
    expect(result.info.valid).toBe(false);
    expect(result.info.reason).toMatch(/unknown operator 'Telepathy'/);
    expect(result.observation.round).toBe(1);
    expect(result.observation.canvas.stages).toHaveLength(0);
    expect(env.history[0]?.valid).toBe(false);
  });

  it('keeps awaiting when the prompt is too short', async () => {
    const { env } = makeEnv();
    env.reset(task);
    await env.step({ type: 'add', operator: 'Plan' });
    const short = await env.step({ type: 'prompt', prompt: 'ok' });
    expect(short.info.valid).toBe(false);
    expect(short.observation.awaiting?.operator).toBe('Plan');
    const wrong = await env.step({ type: 'finish' });
    expect(wrong.info.reason).toMatch(/awaiting the prompt for Plan/);
  });

  it('rejects a finish that fails the gate and accepts a feasible workflow with the answer reward', async () => {
    const { env } = makeEnv();
    env.reset(task);
    await build(env, [{ type: 'add', operator: 'AnswerGenerate' }, { type: 'prompt', prompt: 'Solve the problem.' }]);
    const rejected = await env.step({ type: 'finish' });
    expect(rejected.done).toBe(false);
    expect(rejected.info.finishRejected).toEqual(
      expect.arrayContaining(['needs at least 5 operators, has 1', 'needs a parallel, conditional or loop structure', 'the last result is verbose: add a Format operator']),
    );
    await build(env, feasibleSteps);
    const done = await env.step('<action>finish</action>');
    expect(done.done).toBe(true);
    expect(done.info.outcome?.reason).toBe('finish');
    expect(done.info.outcome?.dsl).toBe('AnswerGenerate -> [Programmer, AnswerGenerate] -> ScEnsemble -> Verify ? Revise : done -> Format');
    expect(done.info.outcome?.reward.diversity).toBe(1);
    expect(done.reward).toBe(1);
  });

  it('ends at the round limit and scores the last execution without a penalty (spec §1.7)', async () => {
    const { env } = makeEnv({ maxRounds: 4 });
    env.reset(task);
    await build(env, [{ type: 'add', operator: 'Programmer' }, { type: 'prompt', prompt: 'Compute with code.' }, { type: 'delete', target: 'node_9' }]);
    const last = await env.step({ type: 'finish' });
    expect(last.done).toBe(true);
    expect(last.info.outcome?.reason).toBe('max_rounds');
    expect(last.info.outcome?.taskScore.score).toBe(1);
    // One Programmer: R_div = 0, so R = -1 whatever the answer (conditional release withholds it).
    expect(last.reward).toBe(-1);
  });

  // R_div = 1 without a solver: a checker, Format, a structure and five operators, none of which solves.
  const solverless: Parameters<WorkflowEnv['step']>[0][] = [
    { type: 'add_parallel', operators: ['Plan', 'Format'] },
    { type: 'prompt', prompt: 'Outline the approach.' },
    { type: 'prompt', prompt: 'Only the number.' },
    { type: 'add_conditional', condition: 'Verify', onFail: 'Format', onPass: 'Format' },
    { type: 'prompt', prompt: 'Check the arithmetic.' },
    { type: 'prompt', prompt: 'Only the number.' },
    { type: 'prompt', prompt: 'Only the number.' },
  ];

  it('withholds the answer of an episode that runs out of rounds with a workflow the finish gate rejects', async () => {
    const { env } = makeEnv({ maxRounds: solverless.length });
    env.reset(task);
    const last = await build(env, solverless);
    expect(last.done).toBe(true);
    const outcome = last.info.outcome!;
    expect(outcome.reason).toBe('max_rounds');
    expect(outcome.reward.diversity).toBe(1);
    expect(outcome.taskScore.score).toBe(1);
    expect(outcome.gateReasons).toEqual([expect.stringMatching(/solver/)]);
    expect(outcome.reward.released).toBe(false);
    expect(last.reward).toBe(0);
  });

  it('scores the same timeout as it stands with gateOnTimeout off (the reference code)', async () => {
    const { env } = makeEnv({ maxRounds: solverless.length, gateOnTimeout: false });
    env.reset(task);
    const last = await build(env, solverless);
    expect(last.info.outcome?.gateReasons).toHaveLength(1);
    expect(last.info.outcome?.reward.released).toBe(true);
    expect(last.reward).toBe(1);
  });

  it('tells the policy when a finish would pass the gate', async () => {
    const { env } = makeEnv();
    const start = env.reset(task);
    expect(start.signals.finishAllowed).toBe(false);
    const awaitingRevisePrompt = feasibleSteps.findIndex((step) => typeof step !== 'string' && step.type === 'prompt' && step.prompt === 'Fix the mistake.');
    const built = await build(env, feasibleSteps.slice(0, awaitingRevisePrompt));
    expect(built.observation.awaiting?.operator).toBe('Revise');
    expect(built.observation.signals.finishAllowed).toBe(false);
    const complete = await build(env, feasibleSteps.slice(awaitingRevisePrompt));
    expect(complete.observation.signals.finishAllowed).toBe(true);
    expect((await env.step({ type: 'finish' })).info.outcome?.reason).toBe('finish');
  });

  it('never reuses a node id after a delete', async () => {
    const { env } = makeEnv({ twoStepPrompts: false });
    env.reset(task);
    await build(env, [
      { type: 'add', operator: 'Plan' },
      { type: 'add', operator: 'AnswerGenerate' },
      { type: 'delete', target: 'node_1' },
      { type: 'add', operator: 'Format' },
    ]);
    expect(env.actionState().canvas.stages.map((s) => s.id)).toEqual(['node_2', 'node_3']);
  });

  it('applies a modify together with its prompt', async () => {
    const { env } = makeEnv();
    env.reset(task);
    await build(env, [{ type: 'add', operator: 'AnswerGenerate' }, { type: 'prompt', prompt: 'Solve the problem.' }]);
    const pending = await env.step('<action>modify</action><target>node_1</target><operator>programmer</operator>');
    expect(pending.observation.awaiting).toMatchObject({ target: 'node_1', operator: 'Programmer' });
    const applied = await env.step('Write Python that computes the product.');
    expect(applied.observation.canvas.stages[0]).toMatchObject({ operator: 'Programmer', prompt: 'Write Python that computes the product.' });
  });

  it('records garbage text as an invalid step', async () => {
    const { env } = makeEnv();
    env.reset(task);
    const result = await env.step('I am not sure what to do <<<>>>');
    expect(result.info.valid).toBe(false);
    expect(result.info.reason).toMatch(/Could not parse action/);
  });

  it('refuses steps after the episode ended without consuming state', async () => {
    const { env } = makeEnv({ maxRounds: 1 });
    env.reset(task);
    const end = await env.step({ type: 'add', operator: 'Plan' });
    expect(end.done).toBe(true);
    const after = await env.step({ type: 'add', operator: 'Plan' });
    expect(after.info.valid).toBe(false);
    expect(env.history).toHaveLength(1);
  });
});

describe('WorkflowEnv with untrusted structured actions', () => {
  it('refuses a malformed action object with a clear reason instead of throwing', async () => {
    const { env } = makeEnv();
    env.reset(task);
    const result = await env.step({ type: 'add' } as never);
    expect(result.info.valid).toBe(false);
    expect(result.info.reason).toMatch(/malformed action — operator/);
    const unknown = await env.step({ type: 'teleport' } as never);
    expect(unknown.info.reason).toMatch(/malformed action/);
  });
});
