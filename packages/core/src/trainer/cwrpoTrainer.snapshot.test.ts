import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakeBackend, noSandbox } from '../../test/fakes.ts';
import { TINY_NETWORK, trainerRegistry, trainerSpace, trainerTasks } from '../../test/trainerFakes.ts';
import { printDsl } from '../canvas/dsl.ts';
import { isCoreError } from '../errors.ts';
import { selectTfBackend } from '../policy/tf/tfBackend.ts';
import { createTfjsPolicy } from '../policy/tfjsPolicy.ts';
import { parseTrainerState, trainerStateToJson, type MetricsRow, type TrainerSnapshot } from './checkpoint.ts';
import { createCwrpoTrainer, restoreCwrpoTrainer, type CwrpoTrainer, type CwrpoTrainerDeps } from './cwrpoTrainer.ts';
import type { CwrpoConfigInput } from './grpoConfig.ts';
import { METRICS } from './metrics.ts';

const CONFIG: CwrpoConfigInput = { groupSize: 2, tasksPerIteration: 2, epochs: 2, miniBatchSize: 4, maxRounds: 8, learningRate: 3e-3, seed: 5, checkpointEvery: 0 };
const TIMING: readonly string[] = [METRICS.timeRolloutS, METRICS.timeUpdateS, METRICS.throughputStepsPerS];
const withoutTiming = (rows: readonly MetricsRow[]) => rows.map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => !TIMING.includes(key))));

/** Backend per episode seed; `onCall` runs before every executor call (the abort tests hook in there). */
const deps = (onCall: () => void = () => {}): CwrpoTrainerDeps => ({
  tasks: trainerTasks,
  registry: trainerRegistry,
  backendFor: (seed) =>
    fakeBackend(() => {
      onCall();
      return seed % 5 < 2 ? '41' : '42';
    }),
  sandbox: noSandbox,
});

/** Through JSON text, as a database row carries it (state via trainerStateToJson / parseTrainerState). */
const roundTrip = (snapshot: TrainerSnapshot): TrainerSnapshot => ({
  policy: JSON.parse(JSON.stringify(snapshot.policy)),
  reference: JSON.parse(JSON.stringify(snapshot.reference)),
  state: parseTrainerState(JSON.parse(JSON.stringify(trainerStateToJson(snapshot.state)))),
});

const disposables: { dispose(): void }[] = [];
const fresh = (extra: Partial<CwrpoTrainerDeps> = {}, onCall?: () => void): CwrpoTrainer => {
  const policy = createTfjsPolicy({ space: trainerSpace, seed: 9, config: TINY_NETWORK });
  const trainer = createCwrpoTrainer({ ...deps(onCall), ...extra, config: CONFIG, policy });
  disposables.push(trainer, policy);
  return trainer;
};

beforeAll(async () => {
  await selectTfBackend('cpu');
});
afterEach(() => {
  for (const item of disposables.splice(0)) item.dispose();
});

describe('trainer snapshots', () => {
  it('restores from a JSON round-tripped snapshot and continues exactly like the uninterrupted run', async () => {
    const straight = fresh();
    await straight.iterate();
    await straight.iterate();

    const first = fresh();
    await first.iterate();
    const snapshot = roundTrip(await first.snapshot());
    expect(snapshot.state.iteration).toBe(1);
    const restored = await restoreCwrpoTrainer(snapshot, { ...deps(), space: trainerSpace });
    disposables.push(restored);
    expect(restored.iteration).toBe(1);
    expect(restored.lastBatch).toEqual([]);
    await restored.iterate();

    expect(withoutTiming(restored.history)).toEqual(withoutTiming(straight.history));
    const expected = straight.policy.network.getWeights();
    restored.policy.network.getWeights().forEach((weight, i) => weight.values.forEach((value, k) => expect(Math.abs(value - (expected[i]?.values[k] ?? NaN))).toBeLessThanOrEqual(1e-6)));
  });

  it('keeps NaN and Infinity through trainerStateToJson / parseTrainerState, and rejects what is not a state', async () => {
    const { state } = await fresh().snapshot();
    const odd = { ...state, config: { ...state.config, maxGradNorm: Infinity }, history: [{ iteration: 1, [METRICS.lossDemo]: Number.NaN }] };
    const back = parseTrainerState(JSON.parse(JSON.stringify(trainerStateToJson(odd))));
    expect(back.config.maxGradNorm).toBe(Infinity);
    expect(back.history[0]?.[METRICS.lossDemo]).toBeNaN();
    expect(() => parseTrainerState({ ...trainerStateToJson(state), format: 'other' }, 'row 7')).toThrow(/flowsteer.cwrpo-trainer state in row 7/);
  });

  it('rejects an aborted iteration with ABORTED before any update; restoring the snapshot redoes it exactly', async () => {
    const straight = fresh();
    await straight.iterate();
    await straight.iterate();

    const controller = new AbortController();
    let calls = 0;
    let abortAt = Number.POSITIVE_INFINITY;
    const trainer = fresh({}, () => {
      calls += 1;
      if (calls === abortAt) controller.abort();
    });
    await trainer.iterate();
    const before = await trainer.snapshot();
    abortAt = calls + 3; // a few executor calls into the second iteration's rollouts
    const error: unknown = await trainer.iterate({ signal: controller.signal }).catch((caught: unknown) => caught);
    expect(isCoreError(error, 'ABORTED')).toBe(true);
    expect(trainer.iteration).toBe(1);
    expect(trainer.history).toHaveLength(1);
    expect(trainer.policy.network.getWeights()).toEqual(await restoreWeights(before));

    const redo = await restoreCwrpoTrainer(before, { ...deps(), space: trainerSpace });
    disposables.push(redo);
    await redo.iterate();
    expect(withoutTiming(redo.history)).toEqual(withoutTiming(straight.history));
  });

  it('keeps the last batch, with its steps and question text when asked to record them', async () => {
    const plain = fresh();
    await plain.iterate();
    expect(plain.lastBatch).toHaveLength(4);
    expect(plain.lastBatch.every((t) => t.steps === undefined)).toBe(true);

    const recorded = fresh({ recordSteps: true });
    await recorded.iterate();
    const batch = recorded.lastBatch;
    expect(batch.map((t) => t.episode)).toEqual([0, 1, 2, 3]);
    for (const trajectory of batch) {
      const steps = trajectory.steps ?? [];
      const task = trainerTasks.find((candidate) => candidate.id === trajectory.taskId);
      expect(trajectory.question).toBe(task?.problem);
      expect(steps.map((step) => step.step)).toEqual(steps.map((_, i) => i + 1));
      expect(steps).toHaveLength(trajectory.decisions.length);
      expect(steps.map((step) => step.action)).toEqual(trajectory.decisions.map((decision) => decision.action));
      for (const step of steps) {
        expect(step.dsl).toBe(printDsl(step.canvas));
        expect(step.actionText).toMatch(/^<(action|prompt)>/);
        expect(typeof step.feedback).toBe('string');
        expect(step.signals).toHaveProperty('lastActionValid', step.valid);
      }
      const last = steps[steps.length - 1];
      expect(last).toMatchObject({ done: true, reward: trajectory.outcome.reward, dsl: trajectory.outcome.dsl });
      // Plain data: survives JSON unchanged.
      expect(JSON.parse(JSON.stringify(steps))).toEqual(steps);
    }
    // Recording steps changes nothing the trainer computes.
    expect(withoutTiming(recorded.history)).toEqual(withoutTiming(plain.history));
  });
});

/** The weights a snapshot holds, as `getWeights` returns them. */
async function restoreWeights(snapshot: TrainerSnapshot) {
  const restored = await restoreCwrpoTrainer(snapshot, { ...deps(), space: trainerSpace });
  const weights = restored.policy.network.getWeights();
  restored.dispose();
  return weights;
}
