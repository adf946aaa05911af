/**
 * `TfjsPolicy`: the trainable Flow-Director (DESIGN.md §3 "Policy"). `act` featurizes the observations of all
 * concurrent episodes, runs ONE batched forward pass and samples each decision from the action space under its
 * masks with a policy-owned seeded RNG. Each returned decision carries its features, so the trainer can re-score
 * it later (`scoreDecisions`) without the environment. Checkpoints hold weights, network config and RNG state; a
 * loaded policy acts exactly like the saved one; `toSnapshot`/`fromSnapshot` carry the same data in memory.
 * @public
 */
import { decodeFloats, encodeFloats } from '../util/floatCodec.ts';
import { SeededRng } from '../util/random.ts';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Observation } from '../env/workflowEnv.ts';
import { CoreError } from '../errors.ts';
import { HEADS, type ActionSpace, type Decision, type HeadName } from './actionSpace.ts';
import { disposeFeatureBatch, featurize, stackFeatures, type PolicyFeatures } from './featurize.ts';
import { dimsOf, PolicyNetwork, type NamedWeight, type NetworkDims, type PolicyNetworkConfig } from './policyNetwork.ts';
import { tf } from './tf/tf.ts';
import type { ActOptions, Policy } from './types.ts';

/** A decision plus the features it was sampled from (what `scoreDecisions` needs). */
export type PolicyDecision = Decision & { readonly features: PolicyFeatures };

/** Settings of `createTfjsPolicy`. */
export interface TfjsPolicyOptions {
  readonly space: ActionSpace;
  /** Seeds the initial weights and the sampling RNG. @default 0 */
  readonly seed?: number;
  /** Network hyper-parameters; `config.seed` defaults to `seed`. */
  readonly config?: Partial<PolicyNetworkConfig>;
}

export { SeededRng };

const CHECKPOINT_FORMAT = 'flowsteer.tfjs-policy';
const headWidths = z.object(Object.fromEntries(HEADS.map((head) => [head, z.number().int().positive()])) as Record<HeadName, z.ZodNumber>);
const configFile = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.literal(1),
  network: z.object({ dModel: z.number(), heads: z.number(), layers: z.number(), ffn: z.number(), vocab: z.number(), maxTokens: z.number(), seed: z.number() }),
  dims: z.object({ heads: headWidths, operatorRows: z.number().int(), templateRows: z.number().int() }),
  operators: z.array(z.string()),
  rngState: z.number().int().nonnegative(),
});
const weightsFile = z.object({
  weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), dtype: z.literal('float32'), data: z.string() })),
});
const snapshotSchema = configFile.extend(weightsFile.shape);

/**
 * A policy as plain JSON-able data: network config, dims, operators, sampling-RNG state and the weights as
 * base64 float32. `TfjsPolicy.fromSnapshot` rebuilds a policy that acts exactly like the one it was taken from;
 * the checkpoint files are this object split into `config.json` and `weights.json`.
 * @public
 */
export type PolicySnapshot = z.infer<typeof snapshotSchema>;

function sameDims(a: NetworkDims, b: NetworkDims): boolean {
  return a.operatorRows === b.operatorRows && a.templateRows === b.templateRows && HEADS.every((head) => a.heads[head] === b.heads[head]);
}

/** The trainable TF.js Flow-Director. */
export class TfjsPolicy implements Policy {
  readonly name = 'tfjs';
  private readonly rng: SeededRng;

  constructor(
    readonly space: ActionSpace,
    readonly network: PolicyNetwork,
    rngState: number,
  ) {
    if (!sameDims(network.dims, dimsOf(space))) {
      throw new CoreError(
        'CONFIG_INVALID',
        `TfjsPolicy: expected a network built for this action space (${JSON.stringify(dimsOf(space))}), got ${JSON.stringify(network.dims)}`,
      );
    }
    this.rng = new SeededRng(rngState);
  }

  /** Features of one observation, as `act` computes them (e.g. to score a demonstration's decisions). */
  featurize(observation: Observation): PolicyFeatures {
    return featurize(observation, this.space, { maxTokens: this.network.config.maxTokens, vocab: this.network.config.vocab });
  }

  /**
   * One decision per observation from one batched forward pass. Sampling draws from the policy's RNG in
   * observation order after the pass, so the same RNG state and observations give the same decisions.
   */
  async act(observations: readonly Observation[], options: ActOptions = {}): Promise<PolicyDecision[]> {
    if (observations.length === 0) return [];
    for (const observation of observations) {
      if (observation.done) {
        throw new CoreError('INTERNAL', `TfjsPolicy.act: expected observations of running episodes, got a finished one (task ${observation.task.id})`);
      }
    }
    const features = observations.map((observation) => this.featurize(observation));
    const batch = stackFeatures(features, this.network.config.vocab);
    let flat: Float32Array;
    try {
      // One concatenated read-back instead of one per head: a single device→host copy (matters on webgpu).
      const joined = tf.tidy(() => {
        const logits = this.network.forward(batch);
        return tf.concat(HEADS.map((head) => logits[head]), 1);
      });
      flat = (await joined.data()) as Float32Array;
      joined.dispose();
    } finally {
      disposeFeatureBatch(batch);
    }
    const widths = this.space.sizes;
    const offsets = {} as Record<HeadName, number>;
    let total = 0;
    for (const head of HEADS) {
      offsets[head] = total;
      total += widths[head];
    }
    const random = () => this.rng.next();
    return observations.map((observation, b) => {
      const logits = (head: HeadName) => flat.subarray(b * total + offsets[head], b * total + offsets[head] + widths[head]);
      return { ...this.space.sample(observation, logits, random, options), features: features[b] as PolicyFeatures };
    });
  }

  /**
   * Differentiable log π and entropy [B] of stored decisions under the current weights, recomputed from their
   * features, indices and masks (the trainer calls it inside `tf.variableGrads`). The caller owns both tensors.
   */
  scoreDecisions(decisions: readonly PolicyDecision[]): { logProbs: tf.Tensor1D; entropy: tf.Tensor1D } {
    if (decisions.length === 0) throw new CoreError('INTERNAL', 'TfjsPolicy.scoreDecisions: expected at least one decision, got none');
    const size = decisions.length;
    const indices = new Int32Array(size * HEADS.length);
    const used = new Float32Array(size * HEADS.length);
    const widths = this.space.sizes;
    const masks = Object.fromEntries(HEADS.map((head) => [head, new Float32Array(size * widths[head])])) as Record<HeadName, Float32Array>;
    decisions.forEach((decision, b) => {
      HEADS.forEach((head, h) => {
        const mask = decision.masks[head];
        indices[b * HEADS.length + h] = mask ? decision.indices[head] : -1;
        if (!mask) return;
        used[b * HEADS.length + h] = 1;
        for (let i = 0; i < widths[head]; i += 1) masks[head][b * widths[head] + i] = mask[i] ? 1 : 0;
      });
    });
    const batch = stackFeatures(decisions.map((decision) => decision.features), this.network.config.vocab);
    try {
      return tf.tidy(() =>
        this.network.logProbOf(batch, {
          indices: tf.tensor2d(indices, [size, HEADS.length], 'int32'),
          used: tf.tensor2d(used, [size, HEADS.length]),
          masks: Object.fromEntries(HEADS.map((head) => [head, tf.tensor2d(masks[head], [size, widths[head]])])) as Record<HeadName, tf.Tensor2D>,
        }),
      );
    } finally {
      disposeFeatureBatch(batch);
    }
  }

  /** State of the sampling RNG (saved in checkpoints). */
  get rngState(): number {
    return this.rng.state;
  }

  set rngState(state: number) {
    this.rng.state = state >>> 0;
  }

  /** An independent copy with the same weights and RNG state (e.g. the frozen reference policy). */
  clone(): TfjsPolicy {
    return new TfjsPolicy(this.space, this.network.clone(), this.rng.state);
  }

  /** The policy as plain data (weights copied out), for a database row or a message. */
  async toSnapshot(): Promise<PolicySnapshot> {
    return {
      format: CHECKPOINT_FORMAT,
      version: 1,
      network: { ...this.network.config },
      dims: this.network.dims,
      operators: [...this.space.operators],
      rngState: this.rng.state,
      weights: (await this.network.readWeights()).map((weight) => ({ name: weight.name, shape: [...weight.shape], dtype: 'float32' as const, data: encodeFloats(weight.values) })),
    };
  }

  /**
   * Rebuilds a policy from {@link TfjsPolicy.toSnapshot} output (validated: it may come from a file or a database);
   * the action space must have the same operators and head widths. Throws CONFIG_INVALID otherwise.
   */
  static fromSnapshot(snapshot: unknown, space: ActionSpace): TfjsPolicy {
    const parsed = snapshotSchema.safeParse(snapshot);
    if (!parsed.success) throw new CoreError('CONFIG_INVALID', `TfjsPolicy.fromSnapshot: expected a ${CHECKPOINT_FORMAT} snapshot, got ${parsed.error.message}`);
    const { dims, operators } = parsed.data;
    if (operators.join('\n') !== space.operators.join('\n') || !sameDims(dims, dimsOf(space))) {
      throw new CoreError(
        'CONFIG_INVALID',
        `TfjsPolicy: expected a checkpoint for operators [${space.operators.join(', ')}] and head widths ${JSON.stringify(space.sizes)}, ` +
          `got [${operators.join(', ')}] and ${JSON.stringify(dims.heads)}`,
      );
    }
    const network = new PolicyNetwork(dims, parsed.data.network);
    try {
      network.setWeights(parsed.data.weights.map((weight): NamedWeight => ({ name: weight.name, shape: weight.shape, values: decodeFloats(weight.data) })));
    } catch (error) {
      network.dispose();
      throw error;
    }
    return new TfjsPolicy(space, network, parsed.data.rngState);
  }

  /** Writes the snapshot to `dir` as `config.json` (everything but the weights) and `weights.json`. */
  async save(dir: string): Promise<void> {
    await writePolicySnapshot(dir, await this.toSnapshot());
  }

  /** Loads a policy saved by `save`; the action space must have the same operators and head widths. */
  static async load(dir: string, space: ActionSpace): Promise<TfjsPolicy> {
    return TfjsPolicy.fromSnapshot(await readPolicySnapshot(dir), space);
  }

  /** Frees the network's variables. */
  dispose(): void {
    this.network.dispose();
  }
}

/** A fresh `TfjsPolicy` for `space` with seeded weights and RNG. */
export function createTfjsPolicy(options: TfjsPolicyOptions): TfjsPolicy {
  const seed = options.seed ?? 0;
  const network = new PolicyNetwork(dimsOf(options.space), { ...options.config, seed: options.config?.seed ?? seed });
  // A different stream from the weight initialiser's, derived from the same seed.
  return new TfjsPolicy(options.space, network, (seed ^ 0x9e3779b9) >>> 0);
}

/** Writes a policy snapshot to `dir` as `config.json` (everything but the weights) and `weights.json`. */
export async function writePolicySnapshot(dir: string, snapshot: PolicySnapshot): Promise<void> {
  await mkdir(dir, { recursive: true });
  const { weights, ...config } = snapshot;
  await writeFile(join(dir, 'weights.json'), JSON.stringify({ weights }));
  await writeFile(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** Reads a policy folder written by {@link writePolicySnapshot}; throws CONFIG_INVALID when it is not one. */
export async function readPolicySnapshot(dir: string): Promise<PolicySnapshot> {
  const read = async <T>(file: string, schema: z.ZodType<T>): Promise<T> => {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(join(dir, file), 'utf8'));
    } catch (error) {
      throw new CoreError('CONFIG_INVALID', `TfjsPolicy.load: expected a readable JSON ${file} in ${dir}, got ${(error as Error).message}`, { cause: error });
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new CoreError('CONFIG_INVALID', `TfjsPolicy.load: expected a ${CHECKPOINT_FORMAT} ${file}, got ${parsed.error.message}`);
    return parsed.data;
  };
  const config = await read('config.json', configFile);
  const { weights } = await read('weights.json', weightsFile);
  return { ...config, weights };
}
