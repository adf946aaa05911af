import { beforeAll, describe, expect, it } from 'vitest';
import { fakeBackend, noSandbox } from '../../test/fakes.ts';
import { TINY_NETWORK, trainerRegistry, trainerSpace, trainerTasks } from '../../test/trainerFakes.ts';
import { WorkflowEnv } from '../env/workflowEnv.ts';
import { selectTfBackend } from '../policy/tf/tfBackend.ts';
import { createTfjsPolicy, type TfjsPolicy } from '../policy/tfjsPolicy.ts';
import { createCwrpoTrainer } from './cwrpoTrainer.ts';
import { buildDemonstrations, type DemoTrajectory } from './demonstrations.ts';
import { METRICS } from './metrics.ts';

const WORKFLOW = 'Plan -> [AnswerGenerate, AnswerGenerate, AnswerGenerate] -> ScEnsemble -> Verify ? Revise : done -> Format';
const task = trainerTasks[0]!;
const makeEnv = () => new WorkflowEnv({ registry: trainerRegistry, backend: fakeBackend(() => '42'), sandbox: noSandbox });

beforeAll(async () => {
  await selectTfBackend('cpu');
});

/** Total log π of the demonstration's decisions under the policy's current weights. */
function demoLogProb(policy: TfjsPolicy, demo: DemoTrajectory): number {
  const { logProbs, entropy } = policy.scoreDecisions(demo.decisions);
  const total = (logProbs.dataSync() as Float32Array).reduce((sum, value) => sum + value, 0);
  logProbs.dispose();
  entropy.dispose();
  return total;
}

describe('buildDemonstrations', () => {
  it('replays a DSL workflow: structure actions, one prompt turn per operator, then finish', async () => {
    const policy = createTfjsPolicy({ space: trainerSpace, seed: 1, config: TINY_NETWORK });
    const [demo] = await buildDemonstrations([{ task, workflow: WORKFLOW }], { space: trainerSpace, featurize: (o) => policy.featurize(o), makeEnv });
    expect(demo!.dsl).toBe(WORKFLOW);
    // 5 stages + 8 operators' prompts + finish
    expect(demo!.decisions.map((d) => d.action.type)).toEqual([
      'add', 'prompt', 'add_parallel', 'prompt', 'prompt', 'prompt', 'add', 'prompt', 'add_conditional', 'prompt', 'prompt', 'add', 'prompt', 'finish',
    ]);
    expect(demo!.notes).toEqual([]);
    expect(demo!.decisions.every((d) => d.features.tokens.length === TINY_NETWORK.maxTokens && d.logProb === 0)).toBe(true);
    policy.dispose();
  });

  it('applies but does not learn a prompt outside the template library, and stops at a refused action', async () => {
    const policy = createTfjsPolicy({ space: trainerSpace, seed: 1, config: TINY_NETWORK });
    const [demo] = await buildDemonstrations(
      [{ task, actions: [{ type: 'add', operator: 'AnswerGenerate' }, { type: 'prompt', prompt: 'My very own instruction for this step.' }, { type: 'finish' }] }],
      { space: trainerSpace, featurize: (o) => policy.featurize(o), makeEnv },
    );
    expect(demo!.decisions.map((d) => d.action.type)).toEqual(['add']);
    expect(demo!.notes.map((note) => [note.round, note.action.type, note.reason.split(':')[0]])).toEqual([
      [2, 'prompt', 'applied but not learned'],
      [3, 'finish', 'replay stopped'],
    ]);
    expect(demo!.dsl).toBe('AnswerGenerate');
    policy.dispose();
  });

  it('rejects a demonstration with neither workflow nor actions', async () => {
    await expect(buildDemonstrations([{ task }], { space: trainerSpace, featurize: () => { throw new Error('unused'); }, makeEnv })).rejects.toThrow(/expected a workflow or actions/);
  });
});

describe('training on demonstrations', () => {
  // grpo (R = R_answer) with a backend whose answers are always wrong: every reward is 0, every advantage is 0 and
  // klBeta is 0, so the demonstration term is the only gradient.
  const config = { algorithm: 'grpo' as const, groupSize: 2, tasksPerIteration: 2, epochs: 1, miniBatchSize: 4, maxRounds: 6, learningRate: 1e-2, klBeta: 0, seed: 5 };
  const deps = { tasks: trainerTasks, registry: trainerRegistry, backend: fakeBackend(() => 'seven'), sandbox: noSandbox };

  async function train(demoWeight: number): Promise<{ before: number; after: number; demoLoss: number; zeroStd: number }> {
    const policy = createTfjsPolicy({ space: trainerSpace, seed: 2, config: TINY_NETWORK });
    const [demo] = await buildDemonstrations([{ task, workflow: WORKFLOW }], { space: trainerSpace, featurize: (o) => policy.featurize(o), makeEnv });
    const before = demoLogProb(policy, demo!);
    const trainer = createCwrpoTrainer({ ...deps, config: { ...config, demoWeight }, policy, demonstrations: [demo!] });
    await trainer.iterate();
    const row = await trainer.iterate();
    const after = demoLogProb(policy, demo!);
    trainer.dispose();
    policy.dispose();
    return { before, after, demoLoss: row[METRICS.lossDemo] as number, zeroStd: row[METRICS.advZeroStdFrac] as number };
  }

  it('raises the log-probability of the demonstrated actions', async () => {
    const run = await train(1);
    expect(run.zeroStd).toBe(1);
    expect(run.after).toBeGreaterThan(run.before + 1);
    expect(run.demoLoss).toBeGreaterThan(0);
  });

  it('leaves it exactly unchanged when demoWeight is 0 (the control)', async () => {
    const run = await train(0);
    expect(run.zeroStd).toBe(1);
    expect(run.after).toBe(run.before);
  });
});
