import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeBackend, noSandbox } from '../../test/fakes.ts';
import { TINY_NETWORK, trainerRegistry, trainerSpace, trainerTasks } from '../../test/trainerFakes.ts';
import { selectTfBackend } from '../policy/tf/tfBackend.ts';
import { createTfjsPolicy } from '../policy/tfjsPolicy.ts';
import { latestCheckpoint, readMetricsRows, type MetricsRow } from './checkpoint.ts';
import { createCwrpoTrainer, resumeCwrpoTrainer, type CwrpoTrainerDeps } from './cwrpoTrainer.ts';
import type { CwrpoConfigInput } from './grpoConfig.ts';
import { METRICS } from './metrics.ts';

const CONFIG: CwrpoConfigInput = { groupSize: 3, tasksPerIteration: 2, epochs: 2, miniBatchSize: 4, maxRounds: 8, learningRate: 3e-3, seed: 11, checkpointEvery: 0 };
/** Wall-clock metrics differ between any two runs; everything else must match exactly. */
const TIMING: readonly string[] = [METRICS.timeRolloutS, METRICS.timeUpdateS, METRICS.throughputStepsPerS];
const withoutTiming = (rows: readonly MetricsRow[]) => rows.map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => !TIMING.includes(key))));

const dirs: string[] = [];
const newDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'flowsteer-resume-'));
  dirs.push(dir);
  return dir;
};

// The executor backend is seeded per episode, as in real runs, so the episode counter must survive the resume too.
const deps = (runDir: string): CwrpoTrainerDeps => ({
  tasks: trainerTasks,
  registry: trainerRegistry,
  backendFor: (seed) => fakeBackend(() => (seed % 7 < 3 ? '41' : '42')),
  sandbox: noSandbox,
  runDir,
});

beforeAll(async () => {
  await selectTfBackend('cpu');
});
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('resumeCwrpoTrainer', () => {
  it('continues exactly: 2 iterations + checkpoint + resume + 2 equals 4 straight (weights within 1e-6, metrics equal)', async () => {
    const straightDir = await newDir();
    const straightPolicy = createTfjsPolicy({ space: trainerSpace, seed: 9, config: TINY_NETWORK });
    const straight = createCwrpoTrainer({ ...deps(straightDir), config: CONFIG, policy: straightPolicy });
    await straight.train({ iterations: 4 });

    const splitDir = await newDir();
    const firstPolicy = createTfjsPolicy({ space: trainerSpace, seed: 9, config: TINY_NETWORK });
    const first = createCwrpoTrainer({ ...deps(splitDir), config: CONFIG, policy: firstPolicy });
    const stopped = await first.train({ iterations: 2 });
    expect(stopped).toMatchObject({ iteration: 2, stopped: 'done' });
    expect(stopped.checkpoint && existsSync(join(stopped.checkpoint, 'trainer.json'))).toBe(true);
    first.dispose();
    firstPolicy.dispose();

    const resumed = await resumeCwrpoTrainer(splitDir, { ...deps(splitDir), space: trainerSpace });
    expect(resumed.iteration).toBe(2);
    await resumed.train({ iterations: 4 });

    const expected = straightPolicy.network.getWeights();
    const actual = resumed.policy.network.getWeights();
    expect(actual.map((w) => w.name)).toEqual(expected.map((w) => w.name));
    let maxDiff = 0;
    actual.forEach((weight, i) => weight.values.forEach((value, k) => (maxDiff = Math.max(maxDiff, Math.abs(value - (expected[i]?.values[k] ?? NaN))))));
    expect(maxDiff).toBeLessThanOrEqual(1e-6);
    // The run must actually have moved, or equal weights would prove nothing.
    const initial = createTfjsPolicy({ space: trainerSpace, seed: 9, config: TINY_NETWORK });
    expect(initial.network.getWeights().some((w, i) => w.values.some((v, k) => v !== actual[i]?.values[k]))).toBe(true);
    initial.dispose();

    expect(withoutTiming(resumed.history)).toEqual(withoutTiming(straight.history));
    expect(withoutTiming(await readMetricsRows(join(splitDir, 'metrics.jsonl')))).toEqual(withoutTiming(await readMetricsRows(join(straightDir, 'metrics.jsonl'))));
    expect(await latestCheckpoint(splitDir)).toBe(join(splitDir, 'checkpoints', 'iter-0004'));

    straight.dispose();
    straightPolicy.dispose();
    resumed.dispose();
  });

  it('drops metrics rows logged after the checkpoint it resumes from', async () => {
    const runDir = await newDir();
    const policy = createTfjsPolicy({ space: trainerSpace, seed: 2, config: TINY_NETWORK });
    const trainer = createCwrpoTrainer({ ...deps(runDir), config: CONFIG, policy });
    await trainer.iterate();
    await trainer.checkpoint();
    await trainer.iterate(); // logged, never checkpointed: a crash here loses it
    expect(await readMetricsRows(join(runDir, 'metrics.jsonl'))).toHaveLength(2);
    trainer.dispose();
    policy.dispose();

    const resumed = await resumeCwrpoTrainer(runDir, { ...deps(runDir), space: trainerSpace });
    expect(resumed.iteration).toBe(1);
    expect((await readMetricsRows(join(runDir, 'metrics.jsonl'))).map((row) => row.iteration)).toEqual([1]);
    resumed.dispose();
  });

  it('says so when there is no checkpoint to resume', async () => {
    const runDir = await newDir();
    await expect(resumeCwrpoTrainer(runDir, { ...deps(runDir), space: trainerSpace })).rejects.toThrow(/expected a checkpoint/);
  });
});
