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
});
