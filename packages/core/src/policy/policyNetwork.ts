/**
 * The Flow-Director's network: a small pre-LN transformer over [global token, node tokens] with one logit head per
 * action-space head and a pointer head for `target` (DESIGN.md §3 "Policy").
 *
 * - Global token = learned start vector + mean-pooled hashed-token embedding + dense(globals) + embedding of the
 *   operator whose prompt is awaited.
 * - Node token = Σ embeddings of (operator, stage kind, role, stage position, child slot, template) + dense(flags).
 * - `layers` pre-LN blocks (multi-head self-attention with a key padding mask, then a ReLU MLP), a final LayerNorm.
 * - Heads: dense over the global token's output for type/size/slot0..3/count/template; `target` is a pointer:
 *   q = W_q·g, key_i = W_k·h_i + W_s·h_stage(i) (h_stage(i) is the first node of top-level stage i, because delete
 *   points at stages while modify/set_prompt point at nodes), logit_i = q·key_i / √d, empty slots −1e9.
 * Logits are unmasked; masking belongs to the action space (and to `logProbOf`, which gets the masks it used).
 *
 * Tensor discipline (CleanRL style, once for the whole file): every function that does math runs inside `tf.tidy`,
 * so intermediates are freed when it returns and only the returned tensors survive — the caller owns those and
 * must dispose them. Variables live until `dispose()`. Lookups are `embed` (oneHot·table) and products are
 * `fastMatMul`/`denseLayer` (tf/matmul.ts), so gradients exist and are fast on wasm (STACK.md §5); no op here
 * uses gather or matMul's transpose flags.
 * @public
 */
import { CoreError } from '../errors.ts';
import { HEADS, type ActionSpace, type HeadName } from './actionSpace.ts';
import { CHILD_SLOTS, GLOBAL_FEATURES, NODE_FLAGS, NODE_ROLES, POSITIONS, STAGE_KINDS, type FeatureBatch } from './featurize.ts';
import { denseLayer, embed, fastMatMul, type DenseActivation } from './tf/matmul.ts';
import { tf } from './tf/tf.ts';

/** Hyper-parameters of the network. */
export interface PolicyNetworkConfig {
  /** Width of every token. @default 64 */
  readonly dModel: number;
  /** Attention heads; must divide dModel. @default 4 */
  readonly heads: number;
  /** Transformer blocks. @default 2 */
  readonly layers: number;
  /** Hidden width of each block's MLP. @default 2 × dModel */
  readonly ffn: number;
  /** Hash buckets of the task text (featurize's `vocab`). @default 2048 */
  readonly vocab: number;
  /** Token slots of the task text (featurize's `maxTokens`). @default 64 */
  readonly maxTokens: number;
  /** Seed of the initial weights; the same seed gives the same weights. @default 0 */
  readonly seed: number;
}

/** Defaults of `PolicyNetworkConfig`, filled in for any field not given. */
export function resolveNetworkConfig(input: Partial<PolicyNetworkConfig> = {}): PolicyNetworkConfig {
  const dModel = input.dModel ?? 64;
  const config = {
    dModel,
    heads: input.heads ?? 4,
    layers: input.layers ?? 2,
    ffn: input.ffn ?? 2 * dModel,
    vocab: input.vocab ?? 2048,
    maxTokens: input.maxTokens ?? 64,
    seed: input.seed ?? 0,
  };
  if (!Number.isInteger(config.dModel) || config.dModel <= 0 || config.dModel % config.heads !== 0) {
    throw new CoreError('CONFIG_INVALID', `policy network: expected dModel a positive multiple of heads (${config.heads}), got ${config.dModel}`);
  }
  for (const key of ['heads', 'layers', 'ffn', 'vocab', 'maxTokens'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 1) {
      throw new CoreError('CONFIG_INVALID', `policy network: expected ${key} a positive integer, got ${config[key]}`);
    }
  }
  return config;
}

/** Sizes the network takes from the action space (so a checkpoint can be checked against a space). */
export interface NetworkDims {
  /** Width of every action-space head. */
  readonly heads: Readonly<Record<HeadName, number>>;
  /** Rows of the operator tables: empty + operators + unknown. */
  readonly operatorRows: number;
  /** Rows of the template table: none/custom + template head width. */
  readonly templateRows: number;
}

/** Network dimensions implied by an action space. */
export function dimsOf(space: ActionSpace): NetworkDims {
  return { heads: { ...space.sizes }, operatorRows: space.operators.length + 2, templateRows: space.sizes.template + 1 };
}

/** One weight as plain data (`getWeights` / `setWeights`). */
export interface NamedWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** Per-head inputs of `logProbOf`: the chosen index, its mask and whether the decision used the head. */
export interface ScoringInput {
  /** [B, heads] int32, −1 (or anything) for an unused head. Column order is `HEADS`. */
  readonly indices: tf.Tensor2D;
  /** [B, width] 0/1 per head (all 0 for an unused head). */
  readonly masks: Readonly<Record<HeadName, tf.Tensor2D>>;
  /** [B, heads] 0/1: 1 when the decision used that head. */
  readonly used: tf.Tensor2D;
}

const NEG = -1e9;
const POINTER_HEAD: HeadName = 'target';
const DENSE_HEADS = HEADS.filter((head) => head !== POINTER_HEAD);

type Init = { kind: 'normal'; std: number } | { kind: 'zeros' } | { kind: 'ones' };

let instances = 0;

/** The policy network; create with `new PolicyNetwork(dims, config)`, free with `dispose()`. */
export class PolicyNetwork {
  readonly config: PolicyNetworkConfig;
  readonly dims: NetworkDims;
  private readonly variables = new Map<string, tf.Variable>();
  private readonly prefix: string;

  constructor(dims: NetworkDims, config: Partial<PolicyNetworkConfig> = {}) {
    this.config = resolveNetworkConfig(config);
    this.dims = { heads: { ...dims.heads }, operatorRows: dims.operatorRows, templateRows: dims.templateRows };
    // tfjs registers variable names globally, so each instance (policy, frozen reference, clones) gets a prefix.
    instances += 1;
    this.prefix = `flowDirector${instances}`;
    this.build();
  }

  private build(): void {
    const { dModel: d, ffn, vocab, layers } = this.config;
    const embedding: Init = { kind: 'normal', std: 0.05 };
    const dense = (fanIn: number): Init => ({ kind: 'normal', std: 1 / Math.sqrt(fanIn) });
    const zeros: Init = { kind: 'zeros' };
    const ones: Init = { kind: 'ones' };
    // Near-zero output layers start the policy close to uniform over the valid options (CleanRL's 0.01 gain).
    const output: Init = { kind: 'normal', std: 0.01 };
    this.add('global.start', [d], embedding);
    this.add('global.tokens', [vocab, d], embedding);
    this.add('global.features.w', [GLOBAL_FEATURES.length, d], dense(GLOBAL_FEATURES.length));
    this.add('global.features.b', [d], zeros);
    this.add('global.pending', [this.dims.operatorRows, d], embedding);
    this.add('node.operator', [this.dims.operatorRows, d], embedding);
    this.add('node.kind', [STAGE_KINDS.length + 1, d], embedding);
    this.add('node.role', [NODE_ROLES.length + 1, d], embedding);
    this.add('node.position', [POSITIONS, d], embedding);
    this.add('node.child', [CHILD_SLOTS, d], embedding);
    this.add('node.template', [this.dims.templateRows, d], embedding);
    this.add('node.flags', [NODE_FLAGS, d], dense(NODE_FLAGS));
    for (let l = 0; l < layers; l += 1) {
      this.add(`block${l}.ln1.gamma`, [d], ones);
      this.add(`block${l}.ln1.beta`, [d], zeros);
      for (const part of ['query', 'key', 'value']) {
        this.add(`block${l}.${part}.w`, [d, d], dense(d));
        this.add(`block${l}.${part}.b`, [d], zeros);
      }
      this.add(`block${l}.out.w`, [d, d], dense(d));
      this.add(`block${l}.out.b`, [d], zeros);
      this.add(`block${l}.ln2.gamma`, [d], ones);
      this.add(`block${l}.ln2.beta`, [d], zeros);
      this.add(`block${l}.mlp1.w`, [d, ffn], dense(d));
      this.add(`block${l}.mlp1.b`, [ffn], zeros);
      this.add(`block${l}.mlp2.w`, [ffn, d], dense(ffn));
      this.add(`block${l}.mlp2.b`, [d], zeros);
    }
    this.add('final.gamma', [d], ones);
    this.add('final.beta', [d], zeros);
    for (const head of DENSE_HEADS) {
      this.add(`head.${head}.w`, [d, this.dims.heads[head]], output);
      this.add(`head.${head}.b`, [this.dims.heads[head]], zeros);
    }
    this.add('pointer.query', [d, d], output); // near-zero query: near-uniform target logits at the start
    this.add('pointer.key', [d, d], dense(d));
    this.add('pointer.stageKey', [d, d], dense(d));
  }

  private add(name: string, shape: number[], init: Init): void {
    // Seeded per variable (seed, creation index), so weights depend only on the seed and the architecture.
    const seed = (this.config.seed >>> 0) * 4099 + this.variables.size;
    const value = tf.tidy(() =>
      init.kind === 'normal' ? tf.randomNormal(shape, 0, init.std, 'float32', seed) : init.kind === 'ones' ? tf.ones(shape) : tf.zeros(shape),
    );
    this.variables.set(name, tf.variable(value, true, `${this.prefix}/${name}`));
    value.dispose();
  }

  private v<T extends tf.Tensor>(name: string): T {
    const variable = this.variables.get(name);
    if (!variable) throw new CoreError('INTERNAL', `policy network: expected a variable named ${name}, got none`);
    return variable as unknown as T;
  }

  /** `activation(x · <name>.w + <name>.b)` over the last axis. */
  private affine(x: tf.Tensor, name: string, activation: DenseActivation = 'linear'): tf.Tensor {
    return denseLayer(x, this.v<tf.Tensor2D>(`${name}.w`), this.v<tf.Tensor1D>(`${name}.b`), activation);
  }

  /** Variables the optimizer updates, in a fixed order. */
  trainableVariables(): tf.Variable[] {
    return [...this.variables.values()];
  }

  /** Number of scalar parameters. */
  parameterCount(): number {
    let total = 0;
    for (const variable of this.variables.values()) total += variable.size;
    return total;
  }

  /** Copies of every weight, in a fixed order, read asynchronously (works on every backend, webgpu included). */
  async readWeights(): Promise<NamedWeight[]> {
    return Promise.all(
      [...this.variables.entries()].map(async ([name, variable]) => ({
        name,
        shape: [...variable.shape],
        values: Float32Array.from((await variable.data()) as Float32Array),
      })),
    );
  }

  /** A network of the same shape whose variables are device-side copies of these (no read-back). */
  clone(): PolicyNetwork {
    const copy = new PolicyNetwork(this.dims, this.config);
    // A fresh buffer per variable: the copy must not share storage with the trained original.
    for (const [name, variable] of copy.variables) tf.tidy(() => variable.assign(tf.add(this.variables.get(name) as tf.Variable, 0)));
    return copy;
  }

  /** Copies of every weight, in a fixed order. Synchronous, so not on webgpu under Node: use `readWeights` there. */
  getWeights(): NamedWeight[] {
    return [...this.variables.entries()].map(([name, variable]) => ({
      name,
      shape: [...variable.shape],
      values: Float32Array.from(variable.dataSync() as Float32Array),
    }));
  }

  /** Assigns weights by name; every variable must be given, with its shape. */
  setWeights(weights: readonly NamedWeight[]): void {
    const byName = new Map(weights.map((weight) => [weight.name, weight]));
    for (const [name, variable] of this.variables) {
      const weight = byName.get(name);
      if (!weight) throw new CoreError('CONFIG_INVALID', `policy network: expected a weight named ${name}, got none`);
      const sameShape = weight.shape.length === variable.shape.length && weight.shape.every((dim, i) => dim === variable.shape[i]);
      if (!sameShape || weight.values.length !== variable.size) {
        throw new CoreError(
          'CONFIG_INVALID',
          `policy network: expected ${name} of shape [${variable.shape.join(', ')}], got [${weight.shape.join(', ')}] with ${weight.values.length} values`,
        );
      }
    }
    for (const [name, variable] of this.variables) {
      const weight = byName.get(name) as NamedWeight;
      tf.tidy(() => variable.assign(tf.tensor(weight.values, [...weight.shape], 'float32')));
    }
  }

  /** Frees the variables; the network is unusable afterwards. */
  dispose(): void {
    for (const variable of this.variables.values()) variable.dispose();
    this.variables.clear();
  }

  /** Unmasked logits [B, width] of every head. */
  forward(batch: FeatureBatch): Record<HeadName, tf.Tensor2D> {
    return tf.tidy(() => {
      const { global, nodes } = this.encode(batch);
      const logits = {} as Record<HeadName, tf.Tensor2D>;
      for (const head of DENSE_HEADS) logits[head] = this.affine(global, `head.${head}`) as tf.Tensor2D;
      logits[POINTER_HEAD] = this.pointer(global, nodes, batch);
      return logits;
    });
  }

  /**
   * Differentiable log π and entropy of stored decisions: per used head the masked log-softmax
   * (logits + (1 − mask)·(−1e9)) at the chosen index, summed over heads; entropy likewise summed.
   */
  logProbOf(batch: FeatureBatch, scoring: ScoringInput): { logProbs: tf.Tensor1D; entropy: tf.Tensor1D } {
    return tf.tidy(() => {
      const logits = this.forward(batch);
      let logProbs: tf.Tensor1D = tf.zeros([batch.size]);
      let entropy: tf.Tensor1D = tf.zeros([batch.size]);
      const indices = tf.cast(scoring.indices, 'int32');
      const used = tf.cast(scoring.used, 'float32');
      // tf.slice per column, not tf.split: SplitV is very slow on wasm and cpu.
      const column = (x: tf.Tensor2D, h: number) => tf.reshape(tf.slice(x, [0, h], [batch.size, 1]), [batch.size]);
      HEADS.forEach((head, h) => {
        const mask = tf.cast(scoring.masks[head], 'float32');
        const logSoftmax = tf.logSoftmax(tf.add(logits[head], tf.mul(tf.sub(1, mask), NEG)));
        // oneHot of −1 is all zeros, so an unused head adds 0 even before the `used` factor.
        const chosen = tf.oneHot(column(indices as tf.Tensor2D, h) as tf.Tensor1D, this.dims.heads[head]);
        const weight = column(used as tf.Tensor2D, h);
        logProbs = tf.add(logProbs, tf.mul(tf.sum(tf.mul(logSoftmax, tf.cast(chosen, 'float32')), 1), weight));
        const headEntropy = tf.neg(tf.sum(tf.mul(tf.mul(tf.exp(logSoftmax), logSoftmax), mask), 1));
        entropy = tf.add(entropy, tf.mul(headEntropy, weight));
      });
      return { logProbs, entropy };
    });
  }

  /** Global token output [B, d] and node token outputs [B, N, d]. */
  private encode(batch: FeatureBatch): { global: tf.Tensor2D; nodes: tf.Tensor3D } {
    const { dModel: d, layers } = this.config;
    const slots = batch.nodeOperator.shape[1];
    const b = batch.size;
    if (batch.tokenBag.shape[1] !== this.config.vocab || slots !== this.dims.heads[POINTER_HEAD]) {
      throw new CoreError(
        'INTERNAL',
        `policy network: expected features with vocab ${this.config.vocab} and ${this.dims.heads[POINTER_HEAD]} node slots, ` +
          `got ${batch.tokenBag.shape[1]} and ${slots} (pass the network's vocab to stackFeatures)`,
      );
    }
    const global = tf.add(
      tf.addN([
        fastMatMul(batch.tokenBag, this.v<tf.Tensor2D>('global.tokens')), // = mean-pooled embed(tokens), see FeatureBatch
        this.affine(batch.globals, 'global.features'),
        embed(batch.pendingOperator, this.v<tf.Tensor2D>('global.pending')),
      ]),
      this.v<tf.Tensor1D>('global.start'),
    );
    const nodes = tf.addN([
      embed(batch.nodeOperator, this.v<tf.Tensor2D>('node.operator')),
      embed(batch.nodeKind, this.v<tf.Tensor2D>('node.kind')),
      embed(batch.nodeRole, this.v<tf.Tensor2D>('node.role')),
      embed(batch.nodePosition, this.v<tf.Tensor2D>('node.position')),
      embed(batch.nodeChild, this.v<tf.Tensor2D>('node.child')),
      embed(batch.nodeTemplate, this.v<tf.Tensor2D>('node.template')),
      denseLayer(batch.nodeFlags, this.v<tf.Tensor2D>('node.flags')),
    ]);
    let x: tf.Tensor3D = tf.concat([tf.reshape(global, [b, 1, d]), nodes], 1) as tf.Tensor3D;
    // The global token always attends to itself, so no row of the attention is fully masked.
    const keyBias = tf.reshape(tf.mul(tf.sub(1, tf.concat([tf.ones([b, 1]), batch.nodeMask], 1)), NEG), [b, 1, 1, slots + 1]);
    for (let l = 0; l < layers; l += 1) {
      x = tf.add(x, this.attention(this.layerNorm(x, `block${l}.ln1`), keyBias, l));
      const hidden = this.affine(this.layerNorm(x, `block${l}.ln2`), `block${l}.mlp1`, 'relu');
      x = tf.add(x, this.affine(hidden, `block${l}.mlp2`));
    }
    x = this.layerNorm(x, 'final');
    return {
      global: tf.reshape(tf.slice(x, [0, 0, 0], [b, 1, d]), [b, d]),
      nodes: tf.slice(x, [0, 1, 0], [b, slots, d]),
    };
  }

  private layerNorm(x: tf.Tensor3D, name: string): tf.Tensor3D {
    const { mean, variance } = tf.moments(x, -1, true);
    const normed = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
    return tf.add(tf.mul(normed, this.v<tf.Tensor1D>(`${name}.gamma`)), this.v<tf.Tensor1D>(`${name}.beta`));
  }

  private attention(x: tf.Tensor3D, keyBias: tf.Tensor, layer: number): tf.Tensor3D {
    const [b, s, d] = x.shape;
    const h = this.config.heads;
    const dh = d / h;
    // Three projections rather than one fused [d, 3d] one: splitting the fused output (SplitV) costs ~10× the
    // whole forward pass on wasm and cpu.
    const heads = (part: string, perm: number[], shape: [number, number, number]) =>
      tf.reshape(tf.transpose(tf.reshape(this.affine(x, `block${layer}.${part}`), [b, s, h, dh]), perm), shape) as tf.Tensor3D;
    const queries = heads('query', [0, 2, 1, 3], [b * h, s, dh]);
    const keysT = heads('key', [0, 2, 3, 1], [b * h, dh, s]); // explicit transpose: no transposeB flag (slow on wasm)
    const values = heads('value', [0, 2, 1, 3], [b * h, s, dh]);
    const scores = tf.add(tf.reshape(tf.mul(fastMatMul(queries, keysT), 1 / Math.sqrt(dh)), [b, h, s, s]), keyBias);
    const weights = tf.reshape(tf.softmax(scores), [b * h, s, s]);
    const context = tf.reshape(tf.transpose(tf.reshape(fastMatMul(weights, values), [b, h, s, dh]), [0, 2, 1, 3]), [b, s, d]);
    return this.affine(context, `block${layer}.out`) as tf.Tensor3D;
  }

  private pointer(global: tf.Tensor2D, nodes: tf.Tensor3D, batch: FeatureBatch): tf.Tensor2D {
    const [b, slots, d] = nodes.shape;
    const query = tf.reshape(denseLayer(global, this.v<tf.Tensor2D>('pointer.query')), [b, d, 1]) as tf.Tensor3D;
    const stages = fastMatMul(batch.stageSelect, nodes) as tf.Tensor3D;
    const keys = tf.add(denseLayer(nodes, this.v<tf.Tensor2D>('pointer.key')), denseLayer(stages, this.v<tf.Tensor2D>('pointer.stageKey')));
    const scores = tf.mul(tf.reshape(fastMatMul(keys, query), [b, slots]), 1 / Math.sqrt(d));
    return tf.add(scores, tf.mul(tf.sub(1, batch.nodeMask), NEG)) as tf.Tensor2D;
  }
}
