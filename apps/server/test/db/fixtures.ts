/**
 * Small builders for database tests: plausible rows with only what a test varies spelled out.
 */
import type { AppDb } from '../../src/db/client.ts';
import {
  createExperiment,
  createRun,
  type EpisodeWrite,
  type Experiment,
  type NewEpisode,
  type Run,
  type StepWrite,
} from '../../src/db/repositories/index.ts';

/** Step `n` (1-based) of an episode that adds one operator per step. */
export function stepFixture(n: number, overrides: Partial<StepWrite> = {}): StepWrite {
  return {
    step: n,
    action: { name: 'addNode', params: { operator: 'AnswerGenerate', stage: n } },
    actionText: `addNode AnswerGenerate @${n}`,
    valid: true,
    feedback: `added node ${n}`,
    signals: { nodes: n },
    canvas: { stages: Array.from({ length: n }, (_, i) => ({ id: `node:${i + 1}`, operator: 'AnswerGenerate' })) },
    dsl: Array.from({ length: n }, () => 'AnswerGenerate').join(' -> '),
    reward: 0,
    ...overrides,
  };
}

/** Steps 1..count. */
export function stepsFixture(count: number): StepWrite[] {
  return Array.from({ length: count }, (_, i) => stepFixture(i + 1));
}

/** The task part of an episode. */
export function episodeFixture(overrides: Partial<NewEpisode> = {}): NewEpisode {
  return {
    kind: 'agent',
    policy: 'random',
    taskId: 'gsm8k/1',
    dataset: 'gsm8k',
    question: 'What is 17 * 23?',
    backend: 'sim',
    ...overrides,
  };
}

/** A finished training episode for `commitIteration`. */
export function episodeWriteFixture(indexInIteration: number, stepCount = 3, overrides: Partial<EpisodeWrite> = {}): EpisodeWrite {
  const { kind: _kind, ...task } = episodeFixture({ policy: 'training', taskId: `gsm8k/${indexInIteration}` });
  return {
    ...task,
    indexInIteration,
    finalDsl: 'AnswerGenerate -> Format',
    finalCanvas: { stages: [] },
    answer: '391',
    answerScore: 1,
    reward: 0.8,
    rewardComponents: { answer: 1, cost: -0.2, valid: true },
    tokens: 120,
    costUsd: 0.0001,
    rounds: stepCount,
    steps: stepsFixture(stepCount),
    ...overrides,
  };
}

/** The resume state written with an iteration. */
export function resumeFixture(seed = 1) {
  return {
    policy: Uint8Array.from([seed, 2, 3, 255]),
    reference: Uint8Array.from([9, 9]),
    optimizer: null,
    state: { rng: seed, step: seed * 10 },
  };
}

/** An experiment with one run. */
export async function seedRun(db: AppDb, totalIterations = 10): Promise<{ experiment: Experiment; run: Run }> {
  const experiment = await createExperiment(db, {
    name: 'gsm8k cwrpo',
    backend: 'sim',
    datasets: ['gsm8k'],
    config: { algorithm: 'cwrpo', groupSize: 4 },
  });
  const run = await createRun(db, { experimentId: experiment.id, totalIterations });
  return { experiment, run };
}
