import { describe, expect, it } from 'vitest';
import { fakeBackend, noSandbox } from '../../test/fakes.ts';
import { trainerRegistry, trainerSpace, trainerTasks } from '../../test/trainerFakes.ts';
import { WorkflowEnv, type Observation } from '../env/workflowEnv.ts';
import { createFixedWorkflowPolicy, createRandomPolicy, FIXED_WORKFLOWS } from '../policy/baselines.ts';
import type { Decision } from '../policy/actionSpace.ts';
import { runRollouts, type BatchPolicy } from './rollout.ts';

const makeEnv = () => new WorkflowEnv({ registry: trainerRegistry, backend: fakeBackend(() => '42'), sandbox: noSandbox, config: { maxRounds: 16 } });

/** Wraps a policy and records the size of every `act` batch. */
function recording(policy: BatchPolicy): BatchPolicy & { batches: number[] } {
  const batches: number[] = [];
  return {
    batches,
    act: (observations: readonly Observation[]) => {
      batches.push(observations.length);
      return policy.act(observations);
    },
  };
}

describe('runRollouts', () => {
  it('makes one batched act call per round over every live episode', async () => {
    const policy = recording(createRandomPolicy(trainerSpace, 3));
    const result = await runRollouts<Decision>({ policy, tasks: trainerTasks, makeEnv });
    const lengths = result.trajectories.map((t) => t.decisions.length);
    expect(policy.batches[0]).toBe(trainerTasks.length);
    expect(policy.batches).toHaveLength(Math.max(...lengths));
    // Round r batches exactly the episodes still running after r decisions.
    expect(policy.batches).toEqual(policy.batches.map((_, r) => lengths.filter((length) => length > r).length));
    expect(result.steps).toBe(lengths.reduce((a, b) => a + b, 0));
    expect(result.trajectories.map((t) => t.taskId)).toEqual(trainerTasks.map((t) => t.id));
  });

  it('caps the live episodes at `concurrency`', async () => {
    const policy = recording(createRandomPolicy(trainerSpace, 4));
    const result = await runRollouts<Decision>({ policy, tasks: [...trainerTasks, ...trainerTasks], makeEnv, concurrency: 3 });
    expect(Math.max(...policy.batches)).toBe(3);
    expect(result.trajectories).toHaveLength(8);
  });

  it('records outcomes: a feasible hand-designed workflow is no shortcut, a lone AnswerGenerate is', async () => {
    const hand = await runRollouts<Decision>({ policy: createFixedWorkflowPolicy(trainerSpace, 'hand', FIXED_WORKFLOWS.handDesigned), tasks: [trainerTasks[0]!], makeEnv });
    const [feasible] = hand.trajectories;
    expect(feasible!.outcome).toMatchObject({ reason: 'finish', measuredDiversity: 1, released: true, answerScore: 1, correct: true, reward: 1 });
    expect(feasible!.shortcut).toBe(false);
    expect(feasible!.outcome.operators).toBe(8);
    expect(feasible!.outcome.tokens).toBeGreaterThan(0);
    expect(feasible!.choices.every(Boolean)).toBe(true);

    const cot = await runRollouts<Decision>({ policy: createFixedWorkflowPolicy(trainerSpace, 'cot', FIXED_WORKFLOWS.cot), tasks: [trainerTasks[0]!], makeEnv });
    const [shortcut] = cot.trajectories;
    // The finish gate refuses a one-operator workflow, so the episode runs out of rounds.
    expect(shortcut!.outcome).toMatchObject({ reason: 'max_rounds', rounds: 16, operators: 1, answerScore: 1, released: false });
    expect(shortcut!.outcome.reward).toBeLessThan(0);
    expect(shortcut!.shortcut).toBe(true);
  });

  it('stops between steps when its signal aborts, returning nothing half-done', async () => {
    const controller = new AbortController();
    let calls = 0;
    const policy: BatchPolicy = {
      act: (observations) => {
        calls += 1;
        if (calls === 3) controller.abort();
        return createRandomPolicy(trainerSpace, 5).act(observations);
      },
    };
    await expect(runRollouts<Decision>({ policy, tasks: trainerTasks, makeEnv, signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(calls).toBe(3);
  });

  it('records each step only when asked: action text, validity, feedback, canvas and DSL after it', async () => {
    const policy = createFixedWorkflowPolicy(trainerSpace, 'hand', FIXED_WORKFLOWS.handDesigned);
    const [plain] = (await runRollouts<Decision>({ policy, tasks: [trainerTasks[0]!], makeEnv })).trajectories;
    expect(plain!.steps).toBeUndefined();
    expect(plain!.question).toBe(trainerTasks[0]!.problem);
    const [recorded] = (await runRollouts<Decision>({ policy, tasks: [trainerTasks[0]!], makeEnv, recordSteps: true })).trajectories;
    const steps = recorded!.steps!;
    expect(steps.map((s) => s.step)).toEqual(steps.map((_, i) => i + 1));
    expect(steps[0]).toMatchObject({ actionText: '<action>add</action><operator>Plan</operator>', valid: true, reward: 0, done: false, dsl: '' });
    expect(steps[1]).toMatchObject({ action: { type: 'prompt' }, valid: true, dsl: 'Plan' });
    expect(steps.at(-1)).toMatchObject({ action: { type: 'finish' }, done: true, reward: 1, dsl: FIXED_WORKFLOWS.handDesigned.math });
    expect(steps.at(-1)!.feedback).toMatch(/Workflow finished/);
  });
});
