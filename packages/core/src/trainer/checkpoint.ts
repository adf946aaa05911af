/**
 * Trainer checkpoints and the metrics log (DESIGN.md §3 "Trainer"). A checkpoint is a folder
 * `runDir/checkpoints/iter-XXXX/` holding everything a run needs to continue exactly where it stopped:
 * - `policy/`: the policy's weights, network config and sampling-RNG state (`TfjsPolicy.save`);
 * - `reference/`: the frozen reference policy of the KL term;
 * - `trainer.json`: iteration, config, the trainer's sampling-RNG state, the episode (sim seed) counter, the
 *   metrics so far and the Adam state (moments, step count and the bias-correction powers β₁ᵗ, β₂ᵗ).
 * Metrics are also appended to `runDir/metrics.jsonl`, one JSON object per iteration.
 * The same content lives in memory as a {@link TrainerSnapshot} (plain data: what a database row stores); the folder
 * is that snapshot written out.
 * @public
 */
import { decodeFloats, encodeFloats } from '../util/floatCodec.ts';
import { appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CoreError } from '../errors.ts';
import type { ActionSpace } from '../policy/actionSpace.ts';
import { tf } from '../policy/tf/tf.ts';
import { readPolicySnapshot, TfjsPolicy, writePolicySnapshot, type PolicySnapshot } from '../policy/tfjsPolicy.ts';
import { validateConfig, type CwrpoConfig } from './grpoConfig.ts';
import type { MetricRecord } from './metrics.ts';

/** One row of `metrics.jsonl`: the iteration (1-based) and the metrics logged for it. @public */
export type MetricsRow = MetricRecord & { readonly iteration: number };

/** Adam's state as plain data. @public */
export interface OptimizerState {
  /** Optimizer steps taken. */
  readonly iterations: number;
  /** β₁ᵗ and β₂ᵗ as the optimizer holds them (float32 products, not recomputed powers: see `restoreOptimizerState`). */
  readonly accBeta1: number;
  readonly accBeta2: number;
  /** First moments then second moments, in the order of the trainable variables. */
  readonly moments: readonly { readonly name: string; readonly shape: readonly number[]; readonly data: string }[];
}

/** The trainer's own state in `trainer.json`. @public */
export interface TrainerCheckpointState {
  readonly format: 'flowsteer.cwrpo-trainer';
  readonly version: 1;
  /** Iterations completed. */
  readonly iteration: number;
  readonly config: CwrpoConfig;
  /** State of the trainer's RNG (task sampling, minibatch shuffles). */
  readonly samplingRngState: number;
  /** Episodes started so far; episode k runs on the executor seeded from (config.seed, k). */
  readonly episodeCounter: number;
  readonly history: readonly MetricsRow[];
  readonly optimizer: OptimizerState;
}

/**
 * Everything a run needs to continue exactly, as plain data: both policies' snapshots and the trainer state.
 * `trainer.snapshot()` takes one, `restoreCwrpoTrainer` continues from one. Store `state` through
 * {@link trainerStateToJson} (JSON has no NaN or Infinity) and read it back with {@link parseTrainerState}.
 * @public
 */
export interface TrainerSnapshot {
  readonly policy: PolicySnapshot;
  readonly reference: PolicySnapshot;
  readonly state: TrainerCheckpointState;
}

/** A checkpoint read back: the policies are fresh instances the caller owns. @public */
export interface LoadedCheckpoint {
  readonly dir: string;
  readonly policy: TfjsPolicy;
  readonly reference: TfjsPolicy;
  readonly state: TrainerCheckpointState;
}

const stateFile = z.object({
  format: z.literal('flowsteer.cwrpo-trainer'),
  version: z.literal(1),
  iteration: z.number().int().nonnegative(),
  config: z.record(z.string(), z.unknown()),
  samplingRngState: z.number().int().nonnegative(),
  episodeCounter: z.number().int().nonnegative(),
  // Metric values may be NaN (an empty summary), which zod's number() rejects.
  history: z.array(z.record(z.string(), z.unknown())),
  optimizer: z.object({
    iterations: z.number().int().nonnegative(),
    accBeta1: z.number(),
    accBeta2: z.number(),
    moments: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), data: z.string() })),
  }),
});

// JSON has no Infinity or NaN (`maxGradNorm: Infinity` disables clipping; an empty summary is NaN): spell them out.
const NON_FINITE: Readonly<Record<string, number>> = { Infinity: Infinity, '-Infinity': -Infinity, NaN: Number.NaN };
const writeNonFinite = (_key: string, value: unknown): unknown => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value);
const reviveNonFinite = (value: unknown): unknown => {
  if (typeof value === 'string') return value in NON_FINITE ? NON_FINITE[value] : value;
  if (Array.isArray(value)) return value.map(reviveNonFinite);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, reviveNonFinite(item)]));
  return value;
};

/** tfjs keeps β₁ᵗ/β₂ᵗ in private variables; this is the one place that reaches them. @internal */
type AdamInternals = { accBeta1: tf.Variable; accBeta2: tf.Variable };

/** Adam's moments, step count and bias-correction powers as plain data. @public */
export async function captureOptimizerState(optimizer: tf.AdamOptimizer): Promise<OptimizerState> {
  const weights = await optimizer.getWeights();
  const [iterationTensor, ...moments] = weights;
  const iterations = iterationTensor ? Math.round((await iterationTensor.tensor.data())[0] as number) : 0;
  iterationTensor?.tensor.dispose(); // a fresh scalar; the moments are the optimizer's own variables
  const internals = optimizer as unknown as AdamInternals;
  return {
    iterations,
    accBeta1: (await internals.accBeta1.data())[0] as number,
    accBeta2: (await internals.accBeta2.data())[0] as number,
    moments: await Promise.all(
      moments.map(async ({ name, tensor }) => ({ name, shape: [...tensor.shape], data: encodeFloats((await tensor.data()) as Float32Array) })),
    ),
  };
}

/**
 * Restores a captured state into a fresh Adam optimizer. tfjs's `setWeights` recomputes β₁ᵗ as `pow(β₁, t + 1)`,
 * which differs in the last float32 bits from the running product the optimizer keeps; the saved products are
 * assigned back so a resumed run takes bit-identical steps.
 * @public
 */
export async function restoreOptimizerState(optimizer: tf.AdamOptimizer, state: OptimizerState): Promise<void> {
  const tensors = [
    { name: 'iter', tensor: tf.scalar(state.iterations, 'int32') },
    ...state.moments.map((moment) => ({ name: moment.name, tensor: tf.tensor(decodeFloats(moment.data), [...moment.shape], 'float32') })),
  ];
  await optimizer.setWeights(tensors);
  tf.dispose(tensors.map((t) => t.tensor)); // the optimizer's variables hold their own references
  const internals = optimizer as unknown as AdamInternals;
  tf.tidy(() => {
    internals.accBeta1.assign(tf.scalar(state.accBeta1));
    internals.accBeta2.assign(tf.scalar(state.accBeta2));
  });
}

/** `iter-0007` for iteration 7. @public */
export function checkpointDirName(iteration: number): string {
  return `iter-${String(iteration).padStart(4, '0')}`;
}

/** Writes a checkpoint folder (created if needed) and returns its path. @public */
export async function writeCheckpoint(dir: string, checkpoint: { policy: TfjsPolicy; reference: TfjsPolicy; state: TrainerCheckpointState }): Promise<string> {
  return writeTrainerSnapshot(dir, { policy: await checkpoint.policy.toSnapshot(), reference: await checkpoint.reference.toSnapshot(), state: checkpoint.state });
}

/** Writes a {@link TrainerSnapshot} as a checkpoint folder (created if needed) and returns its path. @public */
export async function writeTrainerSnapshot(dir: string, snapshot: TrainerSnapshot): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writePolicySnapshot(join(dir, 'policy'), snapshot.policy);
  await writePolicySnapshot(join(dir, 'reference'), snapshot.reference);
  // trainer.json last: a folder without it is an interrupted write, and `latestCheckpoint` skips it.
  await writeFile(join(dir, 'trainer.json'), `${JSON.stringify(snapshot.state, writeNonFinite)}\n`);
  return dir;
}

/** The trainer state as JSON-safe data: non-finite numbers (NaN metrics, `maxGradNorm: Infinity`) spelled out. @public */
export function trainerStateToJson(state: TrainerCheckpointState): Record<string, unknown> {
  return JSON.parse(JSON.stringify(state, writeNonFinite)) as Record<string, unknown>;
}

/**
 * Validates trainer state read back from JSON (a `trainer.json` or a database column written with
 * {@link trainerStateToJson}); throws CONFIG_INVALID naming `where` when it is not one.
 * @public
 */
export function parseTrainerState(raw: unknown, where = 'the input'): TrainerCheckpointState {
  const parsed = stateFile.safeParse(reviveNonFinite(raw));
  if (!parsed.success) throw new CoreError('CONFIG_INVALID', `[core] expected a flowsteer.cwrpo-trainer state in ${where}, got ${parsed.error.message}`);
  return { ...parsed.data, config: validateConfig(parsed.data.config as Partial<CwrpoConfig>), history: parsed.data.history as MetricsRow[] };
}

/**
 * The newest complete checkpoint under `runDir/checkpoints`, or `runDir` itself when it is a checkpoint folder;
 * undefined when there is none.
 * @public
 */
export async function latestCheckpoint(runDir: string): Promise<string | undefined> {
  if (existsSync(join(runDir, 'trainer.json'))) return runDir;
  const root = join(runDir, 'checkpoints');
  if (!existsSync(root)) return undefined;
  const names = (await readdir(root)).filter((name) => /^iter-\d+$/.test(name) && existsSync(join(root, name, 'trainer.json'))).sort();
  const last = names[names.length - 1];
  return last === undefined ? undefined : join(root, last);
}

/** Reads a checkpoint folder written by {@link writeCheckpoint} as plain data; throws CONFIG_INVALID when it is not one. @public */
export async function readTrainerSnapshot(dir: string): Promise<TrainerSnapshot> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, 'trainer.json'), 'utf8'));
  } catch (error) {
    throw new CoreError('CONFIG_INVALID', `[core] readCheckpoint: expected a readable trainer.json in ${dir}, got ${(error as Error).message}`, { cause: error });
  }
  const state = parseTrainerState(raw, `${dir}/trainer.json`);
  return { policy: await readPolicySnapshot(join(dir, 'policy')), reference: await readPolicySnapshot(join(dir, 'reference')), state };
}

/** Reads a checkpoint folder written by {@link writeCheckpoint}; throws CONFIG_INVALID when it is not one. @public */
export async function readCheckpoint(dir: string, space: ActionSpace): Promise<LoadedCheckpoint> {
  const snapshot = await readTrainerSnapshot(dir);
  const policy = TfjsPolicy.fromSnapshot(snapshot.policy, space);
  try {
    return { dir, policy, reference: TfjsPolicy.fromSnapshot(snapshot.reference, space), state: snapshot.state };
  } catch (error) {
    policy.dispose();
    throw error;
  }
}

/** Path of the metrics log of a run. @public */
export function metricsPath(runDir: string): string {
  return join(runDir, 'metrics.jsonl');
}

/** Appends one row to `runDir/metrics.jsonl`. @public */
export async function appendMetricsRow(runDir: string, row: MetricsRow): Promise<void> {
  await mkdir(runDir, { recursive: true });
  await appendFile(metricsPath(runDir), `${JSON.stringify(row)}\n`);
}

/** Replaces `runDir/metrics.jsonl` with `rows` (a resumed run drops rows logged after its checkpoint). @public */
export async function writeMetricsRows(runDir: string, rows: readonly MetricsRow[]): Promise<void> {
  await mkdir(runDir, { recursive: true });
  await writeFile(metricsPath(runDir), rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
}

/** Reads a metrics log; blank lines are skipped. @public */
export async function readMetricsRows(path: string): Promise<MetricsRow[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as MetricsRow);
}
