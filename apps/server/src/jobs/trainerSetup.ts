/**
 * An experiment row → a CWRPO trainer, the way `flowsteer train` builds one: datasets loaded with core's
 * `loadDataset` (first `limit` records each), the train side of a seeded split, one simulated executor per
 * episode seeded from the trainer's episode counter, and a network preset from the CLI. Every input is a pure
 * function of the experiment, so a run rebuilt after a restart trains on exactly the same tasks and seeds.
 * @public
 */
import {
  createCwrpoTrainer,
  createTfjsPolicy,
  restoreCwrpoTrainer,
  splitTasks,
  validateConfig,
  type CwrpoTrainer,
  type CwrpoTrainerDeps,
  type Task,
  type TrainerSnapshot,
} from '@flowsteer/core';
import { NETWORK_PRESETS } from '../cli/policyRuntime.ts';
import type { Experiment } from '../db/repositories/index.ts';
import { AppError, toAppError } from '../errors.ts';
import type { ExperimentConfig } from '../graphql/context.ts';
import type { JobRuntime } from './jobRuntime.ts';

/** A trainer plus what must be freed with it (a fresh trainer does not own its policy). @public */
export interface OwnedTrainer {
  readonly trainer: CwrpoTrainer;
  dispose(): void;
}

/** Everything a run of one experiment trains on. @public */
export interface TrainerSetup {
  readonly config: ExperimentConfig;
  readonly backend: string;
  /** Train side of the split (what the trainer samples). */
  readonly train: readonly Task[];
  /** Every loaded task by id (the simulator's oracle; the dataset of an episode). */
  readonly byId: ReadonlyMap<string, Task>;
  /** A fresh trainer (iteration 0), or one continuing from `snapshot`. */
  createTrainer(snapshot?: TrainerSnapshot): Promise<OwnedTrainer>;
}

/** Reads and checks an experiment's `config` column; BAD_USER_INPUT when it is not an {@link ExperimentConfig}. @public */
export function parseExperimentConfig(raw: Readonly<Record<string, unknown>>): ExperimentConfig {
  const bad = (what: string, got: unknown) => new AppError('BAD_USER_INPUT', `expected experiment config ${what}, got ${JSON.stringify(got)}`);
  let trainer;
  try {
    trainer = validateConfig((raw.trainer ?? {}) as Parameters<typeof validateConfig>[0]);
  } catch (error) {
    throw toAppError(error);
  }
  const network = raw.network ?? 'small';
  if (typeof network !== 'string' || !(network in NETWORK_PRESETS)) throw bad(`network in [${Object.keys(NETWORK_PRESETS).join(', ')}]`, network);
  const testFraction = raw.testFraction ?? 0.2;
  if (typeof testFraction !== 'number' || !(testFraction >= 0 && testFraction < 1)) throw bad('testFraction in [0, 1)', testFraction);
  const splitSeed = raw.splitSeed ?? 'flowsteer';
  if (typeof splitSeed !== 'string') throw bad('splitSeed to be a string', splitSeed);
  const { limit, profile } = raw;
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)) throw bad('limit to be a positive integer', limit);
  if (profile !== undefined && typeof profile !== 'string') throw bad('profile to be a string', profile);
  return {
    trainer,
    network: network as ExperimentConfig['network'],
    testFraction,
    splitSeed,
    ...(limit === undefined ? {} : { limit }),
    ...(profile === undefined ? {} : { profile }),
  };
}

/** Builds the setup of an experiment; throws BAD_USER_INPUT for a bad config or backend, NOT_FOUND-ish core errors for missing datasets. @public */
export async function prepareTrainer(experiment: Pick<Experiment, 'id' | 'backend' | 'datasets' | 'config'>, runtime: JobRuntime): Promise<TrainerSetup> {
  const config = parseExperimentConfig(experiment.config);
  runtime.assertBackend(experiment.backend, config.profile);
  if (experiment.datasets.length === 0) throw new AppError('BAD_USER_INPUT', `expected experiment ${experiment.id} to name at least one dataset, got none`);
  const tasks: Task[] = [];
  try {
    for (const dataset of experiment.datasets) tasks.push(...(await runtime.loadTasks(dataset, config.limit)));
  } catch (error) {
    throw toAppError(error);
  }
  const { train } = splitTasks(tasks, { testFraction: config.testFraction, seed: config.splitSeed });
  if (train.length === 0) throw new AppError('BAD_USER_INPUT', `expected training tasks in the train split of experiment ${experiment.id}, got none`);
  const byId = new Map(tasks.map((task) => [task.id, task]));
  await runtime.ready();

  const deps: CwrpoTrainerDeps = {
    tasks: train,
    registry: runtime.registry,
    sandbox: runtime.sandbox,
    // A fresh executor seed per episode, as repeated LLM samples differ (the CLI does the same).
    backendFor: (seed) => runtime.backendFor({ backend: experiment.backend, profile: config.profile, seed, tasks: byId }),
    recordSteps: true,
  };

  return {
    config,
    backend: experiment.backend,
    train,
    byId,
    async createTrainer(snapshot) {
      if (snapshot) {
        const trainer = await restoreCwrpoTrainer(snapshot, { ...deps, space: runtime.space });
        return { trainer, dispose: () => trainer.dispose() };
      }
      const policy = createTfjsPolicy({ space: runtime.space, seed: config.trainer.seed, config: NETWORK_PRESETS[config.network] ?? {} });
      try {
        const trainer = createCwrpoTrainer({ ...deps, policy, config: config.trainer });
        return {
          trainer,
          dispose() {
            trainer.dispose();
            policy.dispose();
          },
        };
      } catch (error) {
        policy.dispose();
        throw error;
      }
    },
  };
}
