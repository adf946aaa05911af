/**
 * Validation of `createExperiment` input: everything is checked before anything is written, and every problem
 * is reported at once as BAD_USER_INPUT ("field: expected …, got …").
 * @internal
 */
import { DEFAULT_CWRPO_CONFIG, validateConfig, type CwrpoConfigInput } from '@flowsteer/core';
import { SIM_PROFILE_NAMES } from '@flowsteer/operators';
import { AppError, toAppError } from '../errors.ts';
import type { ExperimentConfig } from './context.ts';
import type { Catalog } from './taskCatalog.ts';

/** The GraphQL input, as Pothos hands it over. @internal */
export interface CreateExperimentArgs {
  name: string;
  description?: string | null;
  backend?: string | null;
  datasets: readonly string[];
  trainer?: unknown;
  network?: string | null;
  limit?: number | null;
  testFraction?: number | null;
  splitSeed?: string | null;
  profile?: string | null;
}

/** A validated experiment, ready for the repository. @internal */
export interface ValidatedExperiment {
  name: string;
  description: string;
  backend: string;
  datasets: string[];
  config: ExperimentConfig;
}

const NETWORKS = ['tiny', 'small', 'default'] as const;
const TRAINER_KEYS = new Set(Object.keys(DEFAULT_CWRPO_CONFIG));

/** Checks the input against the catalogue and core's trainer config rules. @internal */
export async function validateExperimentInput(args: CreateExperimentArgs, catalog: Catalog): Promise<ValidatedExperiment> {
  const problems: string[] = [];
  const name = args.name.trim();
  if (name.length === 0 || name.length > 200) problems.push(`name: expected 1–200 characters, got ${name.length}`);

  const backend = args.backend ?? 'sim';
  if (!catalog.backends.includes(backend)) {
    problems.push(`backend: expected one of ${catalog.backends.join(', ')}, got ${JSON.stringify(backend)}`);
  }

  const datasets: string[] = [];
  if (args.datasets.length === 0) problems.push('datasets: expected at least one dataset, got none');
  for (const requested of args.datasets) {
    const canonical = catalog.canonicalDataset(requested);
    if (!canonical) {
      problems.push(`datasets: expected catalogue names, got unknown ${JSON.stringify(requested)}`);
      continue;
    }
    try {
      await catalog.tasks(canonical);
      if (!datasets.includes(canonical)) datasets.push(canonical);
    } catch (error) {
      problems.push(`datasets: ${canonical} cannot be loaded here (${toAppError(error).message})`);
    }
  }

  const network = args.network ?? 'small';
  if (!(NETWORKS as readonly string[]).includes(network)) {
    problems.push(`network: expected one of ${NETWORKS.join(', ')}, got ${JSON.stringify(network)}`);
  }
  const testFraction = args.testFraction ?? 0.2;
  if (!(testFraction >= 0 && testFraction < 1)) problems.push(`testFraction: expected a number in [0, 1), got ${testFraction}`);
  if (args.limit !== undefined && args.limit !== null && args.limit < 1) {
    problems.push(`limit: expected an integer >= 1, got ${args.limit}`);
  }
  if (args.profile && backend === 'sim' && !SIM_PROFILE_NAMES.includes(args.profile)) {
    problems.push(`profile: expected one of ${SIM_PROFILE_NAMES.join(', ')}, got ${JSON.stringify(args.profile)}`);
  }

  const trainer = trainerConfig(args.trainer, problems);
  if (problems.length > 0 || !trainer) {
    throw new AppError('BAD_USER_INPUT', `invalid experiment — ${problems.join('; ')}`);
  }
  return {
    name,
    description: args.description?.trim() ?? '',
    backend,
    datasets,
    config: {
      trainer,
      network: network as ExperimentConfig['network'],
      ...(args.limit ? { limit: args.limit } : {}),
      testFraction,
      splitSeed: args.splitSeed ?? 'flowsteer',
      ...(args.profile ? { profile: args.profile } : {}),
    },
  };
}

function trainerConfig(raw: unknown, problems: string[]): ExperimentConfig['trainer'] | undefined {
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    problems.push(`trainer: expected an object of trainer settings, got ${Array.isArray(raw) ? 'an array' : typeof raw}`);
    return undefined;
  }
  const input = (raw ?? {}) as Record<string, unknown>;
  // validateConfig spreads its input, so a misspelt key would be silently ignored; reject it instead.
  const unknown = Object.keys(input).filter((key) => !TRAINER_KEYS.has(key));
  if (unknown.length > 0) {
    problems.push(`trainer: expected settings among ${[...TRAINER_KEYS].join(', ')}, got unknown ${unknown.join(', ')}`);
    return undefined;
  }
  try {
    return validateConfig(input as CwrpoConfigInput);
  } catch (error) {
    problems.push(`trainer: ${toAppError(error).message.replace(/^\[core\] /, '')}`);
    return undefined;
  }
}
