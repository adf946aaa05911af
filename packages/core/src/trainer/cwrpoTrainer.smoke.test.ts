import { beforeAll, describe, expect, it } from 'vitest';
import { fakeBackend, noSandbox } from '../../test/fakes.ts';
import { TINY_NETWORK, trainerRegistry, trainerSpace, trainerTasks } from '../../test/trainerFakes.ts';
import { selectTfBackend } from '../policy/tf/tfBackend.ts';
import { tf } from '../policy/tf/tf.ts';
import { createTfjsPolicy } from '../policy/tfjsPolicy.ts';
import { createCwrpoTrainer } from './cwrpoTrainer.ts';
import type { CwrpoConfigInput } from './grpoConfig.ts';
import { METRICS } from './metrics.ts';

const TINY_CONFIG: CwrpoConfigInput = {
  groupSize: 4,
  tasksPerIteration: 2,
  epochs: 2,
  miniBatchSize: 4,
  maxRounds: 10,
  learningRate: 1e-3,
  // A small entropy bonus gives every head it used a gradient even in a batch whose advantages are all zero.
  entropyCoef: 0.01,
  seed: 7,
};

beforeAll(async () => {
  await selectTfBackend('cpu');
});

describe('createCwrpoTrainer (smoke)', () => {
  it('trains two iterations: finite loss, every trainable weight changed, every metric logged, no leaked tensors', async () => {
    const policy = createTfjsPolicy({ space: trainerSpace, seed: 3, config: TINY_NETWORK });
    const before = policy.network.getWeights();
    const trainer = createCwrpoTrainer({ config: TINY_CONFIG, policy, tasks: trainerTasks, registry: trainerRegistry, backend: fakeBackend(() => '42'), sandbox: noSandbox });

    const first = await trainer.iterate();
    const tensorsAfterFirst = tf.memory().numTensors; // Adam's moments exist from the first update on
    const second = await trainer.iterate();
    expect(tf.memory().numTensors).toBe(tensorsAfterFirst);

    for (const row of [first, second]) {
      for (const name of Object.values(METRICS)) expect(row, name).toHaveProperty(name);
      for (const name of [METRICS.lossTotal, METRICS.lossPolicy, METRICS.lossKl, METRICS.gradNorm]) expect(Number.isFinite(row[name]), name).toBe(true);
      expect(row[METRICS.rewardMin]).toBeLessThanOrEqual(row[METRICS.rewardMax] as number);
    }
    expect([first.iteration, second.iteration]).toEqual([1, 2]);
    expect(trainer.history).toHaveLength(2);

    const after = policy.network.getWeights();
    const unchanged = after.filter((weight, i) => weight.values.every((value, k) => value === before[i]?.values[k])).map((weight) => weight.name);
    expect(unchanged).toEqual([]);
    trainer.dispose();
    policy.dispose();
  });

  it('keeps the reference policy frozen while the policy moves', async () => {
    const policy = createTfjsPolicy({ space: trainerSpace, seed: 4, config: TINY_NETWORK });
    const trainer = createCwrpoTrainer({ config: { ...TINY_CONFIG, klBeta: 0.1 }, policy, tasks: trainerTasks, registry: trainerRegistry, backend: fakeBackend(() => '42'), sandbox: noSandbox });
    const reference = trainer.reference.network.getWeights();
    const row = await trainer.iterate();
    expect(trainer.reference.network.getWeights()).toEqual(reference);
    expect(row[METRICS.lossKl]).toBeGreaterThanOrEqual(0);
    trainer.dispose();
    policy.dispose();
  });

  it('rejects a trainer without tasks or without a backend', () => {
    const policy = createTfjsPolicy({ space: trainerSpace, seed: 5, config: TINY_NETWORK });
    expect(() => createCwrpoTrainer({ policy, tasks: [], registry: trainerRegistry, backend: fakeBackend(), sandbox: noSandbox })).toThrow(/at least one training task/);
    expect(() => createCwrpoTrainer({ policy, tasks: trainerTasks, registry: trainerRegistry, sandbox: noSandbox })).toThrow(/backend or backendFor/);
    policy.dispose();
  });
});
