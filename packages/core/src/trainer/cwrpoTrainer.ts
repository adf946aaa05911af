/**
 * The CWRPO trainer (spec §5, DESIGN.md §3 "Trainer"): one `iterate()` is one batch of rollouts and one update,
 * written top to bottom as CleanRL writes its algorithms. The math lives in `advantages.ts` and `loss.ts`.
 *
 * Interpretation notes (docs/trainer.md has the rest):
 * - **Decisions, not tokens.** A trajectory is the sequence of factored decisions the policy took; environment
 *   feedback is never a decision, so it can never enter the loss. The decision mask m is 1 for decisions where
 *   some head had two or more valid options. `masking: false` (the "no masking" ablation) also counts decisions
 *   the masks forced (every head down to one option: log π = 0 whatever θ), which only dilutes the
 *   per-trajectory mean — for this policy that is all "no masking" can mean, and it is honest to say so.
 * - **π_old** is the behaviour policy's log-probability recorded at sampling time; **π_ref** is a frozen copy of
 *   the policy taken when training starts (kept in every checkpoint).
 * - **Padding.** Decisions are scored flat (no dummy decisions) and scattered into the [B, T] layout with a 0/1
 *   matrix product, so padding holds exact zeros with mask 0 and changes neither the loss nor its gradient.
 * - **Executor seeds.** With `backendFor`, episode k runs on a backend seeded from (config.seed, k), as repeated
 *   LLM samples would differ; the counter k is part of the trainer state, so a resumed run continues the stream.
 * - **Stopping.** `train` checks its abort signal between iterations, so a checkpoint never holds half an update.
 *   `iterate({ signal })` can also stop mid-rollout: it rejects with ABORTED before any update, but the sampling
 *   RNG, the policy's RNG and the episode counter have already moved, so a caller that wants to redo that
 *   iteration exactly restores the trainer from a snapshot taken before it (`snapshot()` / `restoreCwrpoTrainer`).
 * @public
 */
import { join } from 'node:path';
import { WorkflowEnv } from '../env/workflowEnv.ts';
import type { EnvConfigInput } from '../env/envConfig.ts';
import { CoreError } from '../errors.ts';
import type { LlmBackend } from '../llm/types.ts';
import type { OperatorRegistry } from '../operators/types.ts';
import type { ActionSpace } from '../policy/actionSpace.ts';
import { fastMatMul } from '../policy/tf/matmul.ts';
import { tf } from '../policy/tf/tf.ts';
import { TfjsPolicy, type PolicyDecision } from '../policy/tfjsPolicy.ts';
import { SeededRng } from '../util/random.ts';
import type { CodeSandbox } from '../sandbox/types.ts';
import type { Task } from '../tasks/types.ts';
import { groupRelativeAdvantages } from './advantages.ts';
import {
  appendMetricsRow,
  captureOptimizerState,
  checkpointDirName,
  latestCheckpoint,
  readTrainerSnapshot,
  restoreOptimizerState,
  writeMetricsRows,
  writeTrainerSnapshot,
  type MetricsRow,
  type TrainerCheckpointState,
  type TrainerSnapshot,
} from './checkpoint.ts';
import type { DemoTrajectory } from './demonstrations.ts';
import { validateConfig, type CwrpoConfig, type CwrpoConfigInput } from './grpoConfig.ts';
import { cwrpoLoss, globalGradNorm, type DemoBatch } from './loss.ts';
import { METRICS, summarize, type MetricRecord } from './metrics.ts';
import { runRollouts, type Trajectory } from './rollout.ts';
import { sampleTasksBalanced, shuffleInPlace } from './sampling.ts';

/** What the trainer runs on besides its config and policy. @public */
export interface CwrpoTrainerDeps {
  /** Training tasks (the train split); sampled balanced over their datasets. */
  readonly tasks: readonly Task[];
  readonly registry: OperatorRegistry;
  /** One executor backend for every episode … */
  readonly backend?: LlmBackend;
  /** … or one per episode, from a seed (the sim backend: `(seed) => createSimBackend({ seed, … })`). Wins over `backend`. */
  readonly backendFor?: (seed: number) => LlmBackend;
  readonly sandbox: CodeSandbox;
  /** Environment settings besides `maxRounds` and the reward switches, which come from the trainer config. */
  readonly env?: EnvConfigInput;
  /** Demonstrations mixed into every update with weight `config.demoWeight` (see `demonstrations.ts`). */
  readonly demonstrations?: readonly DemoTrajectory[];
  /** Folder for `metrics.jsonl` and `checkpoints/`; nothing is written without it. */
  readonly runDir?: string;
  /** Episodes live at once during rollouts. @default all episodes of the iteration */
  readonly concurrency?: number;
  /** Called with each iteration's metrics (live metrics lines). */
  readonly onMetrics?: (row: MetricsRow) => void;
  /** Called as rollout episodes finish (progress bars). */
  readonly onEpisode?: (done: number, total: number) => void;
  /**
   * Keep every step (action, feedback, canvas, …) on the trajectories of `lastBatch`, for storage and replay.
   * Off by default: it costs memory and time the benchmarks do not spend. @default false
   */
  readonly recordSteps?: boolean;
}

/** Options of {@link CwrpoTrainer.iterate}. @public */
export interface IterateOptions {
  /**
   * Aborts the iteration during its rollouts: `iterate` rejects with a CoreError ABORTED and nothing is updated,
   * but the RNGs and the episode counter have moved (restore from a snapshot to redo the iteration exactly).
   */
  readonly signal?: AbortSignal;
}

/** Options of {@link createCwrpoTrainer}. @public */
export interface CwrpoTrainerOptions extends CwrpoTrainerDeps {
  readonly config?: CwrpoConfigInput;
  /** The policy to train; the trainer updates its weights in place. */
  readonly policy: TfjsPolicy;
  /** @internal Set by {@link resumeCwrpoTrainer}. */
  readonly resume?: {
    readonly state: TrainerCheckpointState;
    readonly reference: TfjsPolicy;
    /** Adam with the checkpoint's state restored. */
    readonly optimizer: tf.AdamOptimizer;
    readonly ownsPolicy: boolean;
  };
}

/** Result of {@link CwrpoTrainer.train}. @public */
export interface TrainResult {
  readonly iteration: number;
  readonly stopped: 'done' | 'aborted';
  /** The checkpoint written on stop (undefined without a run folder). */
  readonly checkpoint?: string;
}

/** A CWRPO training run. @public */
export interface CwrpoTrainer {
  readonly config: CwrpoConfig;
  readonly policy: TfjsPolicy;
  /** The frozen reference policy of the KL term. */
  readonly reference: TfjsPolicy;
  /** Iterations completed. */
  readonly iteration: number;
  /** Metrics of every completed iteration. */
  readonly history: readonly MetricsRow[];
  /**
   * The trajectories of the last completed iteration, in episode order (`episode` = index in the iteration); with
   * `recordSteps` they carry their steps. Empty before the first iteration and after a restore.
   */
  readonly lastBatch: readonly Trajectory<PolicyDecision>[];
  /** One iteration: rollouts, rewards, advantages, `epochs` passes of minibatch updates, metrics. */
  iterate(options?: IterateOptions): Promise<MetricsRow>;
  /**
   * Iterates until `iterations` iterations are complete in total (default `config.iterations`) or `signal` aborts
   * (checked between iterations); checkpoints every `config.checkpointEvery` iterations and on stop.
   */
  train(options?: { readonly iterations?: number; readonly signal?: AbortSignal }): Promise<TrainResult>;
  /** Writes a checkpoint of the current state to `runDir/checkpoints/iter-XXXX`; undefined without a run folder. */
  checkpoint(): Promise<string | undefined>;
  /** The current state as plain data (what a checkpoint holds); {@link restoreCwrpoTrainer} continues from it. */
  snapshot(): Promise<TrainerSnapshot>;
  /** Frees the optimizer and the reference policy (and the policy, for a resumed trainer that loaded it). */
  dispose(): void;
}

/** A minibatch laid out as [B, T] (trajectories × decisions) plus the flat decisions to score. @internal */
interface PackedBatch {
  readonly decisions: PolicyDecision[];
  /** [B·T, N] 0/1: row b·T + t picks flat decision n. */
  readonly scatter: tf.Tensor2D;
  readonly rows: number;
  readonly cols: number;
  readonly mask: tf.Tensor2D;
  readonly validMask: tf.Tensor2D;
  readonly oldLogProbs: tf.Tensor2D;
  readonly refLogProbs?: tf.Tensor2D;
}

/** Packs trajectories into the loss's [B, T] layout. @internal */
function pack(items: readonly { decisions: readonly PolicyDecision[]; choices: readonly boolean[]; ref?: Float32Array }[]): PackedBatch {
  const rows = items.length;
  const cols = Math.max(1, ...items.map((item) => item.decisions.length));
  const decisions = items.flatMap((item) => [...item.decisions]);
  const n = decisions.length;
  const scatter = new Float32Array(rows * cols * n);
  const mask = new Float32Array(rows * cols);
  const valid = new Float32Array(rows * cols);
  const old = new Float32Array(rows * cols);
  const ref = new Float32Array(rows * cols);
  let flat = 0;
  items.forEach((item, b) => {
    item.decisions.forEach((decision, t) => {
      const at = b * cols + t;
      scatter[at * n + flat] = 1;
      valid[at] = 1;
      mask[at] = item.choices[t] ? 1 : 0;
      old[at] = decision.logProb;
      ref[at] = item.ref?.[t] ?? 0;
      flat += 1;
    });
  });
  return {
    decisions,
    scatter: tf.tensor2d(scatter, [rows * cols, n]),
    rows,
    cols,
    mask: tf.tensor2d(mask, [rows, cols]),
    validMask: tf.tensor2d(valid, [rows, cols]),
    oldLogProbs: tf.tensor2d(old, [rows, cols]),
    ...(items.every((item) => item.ref) ? { refLogProbs: tf.tensor2d(ref, [rows, cols]) } : {}),
  };
}

function disposePacked(batch: PackedBatch | undefined): void {
  if (batch) tf.dispose([batch.scatter, batch.mask, batch.validMask, batch.oldLogProbs, ...(batch.refLogProbs ? [batch.refLogProbs] : [])]);
}

/** Flat [N] values → [B, T] through the scatter matrix (differentiable; padding is exactly 0). @internal */
function spread(values: tf.Tensor1D, batch: PackedBatch): tf.Tensor2D {
  return tf.reshape(fastMatMul(batch.scatter, tf.reshape(values, [batch.decisions.length, 1])), [batch.rows, batch.cols]);
}

/** log π of every decision under `policy`, without gradients, in chunks. @internal */
async function scoreWithoutGrad(policy: TfjsPolicy, decisions: readonly PolicyDecision[], chunk = 512): Promise<Float32Array> {
  const out = new Float32Array(decisions.length);
  for (let start = 0; start < decisions.length; start += chunk) {
    const scored = policy.scoreDecisions(decisions.slice(start, start + chunk));
    try {
      // Async reads only: webgpu under Node cannot read synchronously (dataSync needs OffscreenCanvas).
      out.set((await scored.logProbs.data()) as Float32Array, start);
    } finally {
      tf.dispose([scored.logProbs, scored.entropy]);
    }
  }
  return out;
}

/** Seed of episode k's executor: a fixed function of (config seed, k). @internal */
function episodeSeed(seed: number, episode: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) + episode) >>> 0;
}

const mean = (values: readonly number[]): number => (values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length);

/**
 * Creates a CWRPO trainer for `policy` (the frozen reference is cloned from it now).
 * @example
 * const trainer = createCwrpoTrainer({ config: { algorithm: 'cwrpo' }, policy, tasks: train, registry, sandbox, backendFor: (seed) => createSimBackend({ seed, oracle }) });
 * await trainer.train({ iterations: 50 });
 * @public
 */
export function createCwrpoTrainer(options: CwrpoTrainerOptions): CwrpoTrainer {
  const config = options.resume?.state.config ?? validateConfig(options.config);
  const { policy, tasks, registry, sandbox } = options;
  if (tasks.length === 0) throw new CoreError('CONFIG_INVALID', '[core] createCwrpoTrainer: expected at least one training task, got none');
  if (!options.backend && !options.backendFor) throw new CoreError('CONFIG_INVALID', '[core] createCwrpoTrainer: expected a backend or backendFor, got neither');
  const reference = options.resume?.reference ?? policy.clone();
  const optimizer = options.resume?.optimizer ?? tf.train.adam(config.learningRate);
  const variables = policy.network.trainableVariables();
  const samplingRng = new SeededRng(options.resume?.state.samplingRngState ?? config.seed);
  const history: MetricsRow[] = [...(options.resume?.state.history ?? [])];
  let iteration = options.resume?.state.iteration ?? 0;
  let episodeCounter = options.resume?.state.episodeCounter ?? 0;
  let lastCheckpoint = options.resume ? iteration : -1;
  let lastBatch: readonly Trajectory<PolicyDecision>[] = [];
  const envConfig: EnvConfigInput = { ...options.env, maxRounds: config.maxRounds, reward: { ...options.env?.reward, ...config.reward } };
  const backendAt = (episode: number): LlmBackend =>
    options.backendFor ? options.backendFor(episodeSeed(config.seed, episode)) : (options.backend as LlmBackend);
  const demos = config.demoWeight > 0 ? (options.demonstrations ?? []).filter((demo) => demo.decisions.length > 0) : [];

  async function iterate(iterateOptions: IterateOptions = {}): Promise<MetricsRow> {
    const { signal } = iterateOptions;
    // 1. Roll out G completions per task: tasks balanced over sources, one environment (and executor seed) per episode
    const batchTasks = sampleTasksBalanced(tasks, config.tasksPerIteration, samplingRng);
    const episodes = batchTasks.flatMap((task) => Array.from({ length: config.groupSize }, () => task));
    const firstEpisode = episodeCounter;
    episodeCounter += episodes.length;
    const rollout = await runRollouts({
      policy,
      tasks: episodes,
      makeEnv: (_task, k) => new WorkflowEnv({ registry, backend: backendAt(firstEpisode + k), sandbox, config: envConfig, ...(signal ? { signal } : {}) }),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(signal ? { signal } : {}),
      ...(options.recordSteps ? { recordSteps: true } : {}),
      ...(options.onEpisode ? { onEpisode: (_t: Trajectory<PolicyDecision>, done: number, total: number) => options.onEpisode?.(done, total) } : {}),
    });
    const trajectories = rollout.trajectories;

    // 2. Rewards: the environment's trajectory reward R (conditional release unless the config ablates it)
    const rewards = trajectories.map((t) => t.outcome.reward);

    // 3. Group-relative advantages: Â_i = (R_i − μ_g)/max(σ_g, stdFloor), groups = task (G rollouts) or source
    const groupKeys = trajectories.map((t) => (config.groupBy === 'task' ? t.taskId : t.source));
    const { advantages, zeroStdFraction } = groupRelativeAdvantages(rewards, groupKeys, { stdFloor: config.stdFloor });

    // 4. Reference log-probs log π_ref (frozen policy), once per batch; π_old is what the rollout recorded
    const flatDecisions = trajectories.flatMap((t) => [...t.decisions]);
    const refFlat = await scoreWithoutGrad(reference, flatDecisions);
    const refPerTrajectory: Float32Array[] = [];
    let offset = 0;
    for (const t of trajectories) {
      refPerTrajectory.push(refFlat.subarray(offset, offset + t.decisions.length));
      offset += t.decisions.length;
    }

    // 5. Clipped surrogate + β·KL (+ entropy, + demonstrations): `epochs` passes over shuffled minibatches, Adam
    //    after clipping the global gradient norm
    const updateStarted = performance.now();
    const updates: Record<'total' | 'policyLoss' | 'kl' | 'entropy' | 'demoLoss' | 'clipFrac' | 'approxKl' | 'gradNorm', number>[] = [];
    const demoBatch = demos.length > 0 ? pack(demos.map((demo) => ({ decisions: demo.decisions, choices: demo.decisions.map(() => true) }))) : undefined;
    const demoBehaviour = demoBatch?.oldLogProbs; // demonstrations record their behaviour log-probs as logProb
    try {
      for (let epoch = 0; epoch < config.epochs; epoch += 1) {
        const order = shuffleInPlace(trajectories.map((_, i) => i), samplingRng);
        for (let start = 0; start < order.length; start += config.miniBatchSize) {
          const mbIndices = order.slice(start, start + config.miniBatchSize);
          const mb = pack(mbIndices.map((i) => ({ ...(trajectories[i] as Trajectory<PolicyDecision>), ref: refPerTrajectory[i] as Float32Array })));
          const mbAdvantages = tf.tensor1d(mbIndices.map((i) => advantages[i] as number));
          let parts: tf.Scalar[] = [];
          try {
            const { value, grads } = tf.variableGrads(() => {
              const scored = policy.scoreDecisions(mb.decisions);
              let demo: DemoBatch | undefined;
              if (demoBatch) {
                const demoScored = policy.scoreDecisions(demoBatch.decisions);
                demo = { logProbs: spread(demoScored.logProbs, demoBatch), mask: demoBatch.validMask, ...(demoBehaviour ? { behaviourLogProbs: demoBehaviour } : {}) };
              }
              const loss = cwrpoLoss(
                config,
                {
                  logProbs: spread(scored.logProbs, mb),
                  oldLogProbs: mb.oldLogProbs,
                  advantages: mbAdvantages,
                  mask: mb.mask,
                  validMask: mb.validMask,
                  entropies: spread(scored.entropy, mb),
                  ...(mb.refLogProbs ? { refLogProbs: mb.refLogProbs } : {}),
                },
                demo,
              );
              parts = [loss.policyLoss, loss.kl, loss.entropy, loss.demoLoss, loss.clipFrac, loss.approxKlOld].map((part) => tf.keep(part));
              return loss.total;
            }, variables);
            const gradList = variables.map((v) => grads[v.name] ?? tf.zerosLike(v));
            const normTensor = globalGradNorm(gradList);
            const gradNorm = ((await normTensor.data()) as Float32Array)[0] as number;
            normTensor.dispose();
            // Global-norm clipping (tfjs has no clipByGlobalNorm): g ← g · min(1, c/(‖g‖ + 1e-6)), as torch's clip_grad_norm_
            const scale = gradNorm > config.maxGradNorm ? config.maxGradNorm / (gradNorm + 1e-6) : 1;
            const clipped = gradList.map((g) => (scale === 1 ? g : tf.mul(g, scale)));
            // An array in variable order: Adam keys its moments by position, which is what checkpoints restore.
            optimizer.applyGradients(variables.map((v, k) => ({ name: v.name, tensor: clipped[k] as tf.Tensor })));
            const read = async (t: tf.Tensor) => ((await t.data()) as Float32Array)[0] as number;
            const [policyLoss, kl, entropy, demoLoss, clipFrac, approxKl] = (await Promise.all(parts.map(read))) as [number, number, number, number, number, number];
            updates.push({ total: await read(value), policyLoss, kl, entropy, demoLoss, clipFrac, approxKl, gradNorm });
            tf.dispose([value, ...new Set([...Object.values(grads), ...gradList, ...clipped])]);
          } finally {
            tf.dispose([mbAdvantages, ...parts]);
            disposePacked(mb);
          }
        }
      }
    } finally {
      disposePacked(demoBatch);
    }
    const updateS = (performance.now() - updateStarted) / 1000;

    // 6. Logging: stable metric names (metrics.ts), one JSONL row per iteration
    iteration += 1;
    const reward = summarize(rewards);
    const rolloutS = rollout.wallMs / 1000;
    const averaged = (key: keyof (typeof updates)[number]) => mean(updates.map((update) => update[key]));
    const metrics: MetricRecord = {
      [METRICS.lossPolicy]: averaged('policyLoss'),
      [METRICS.lossKl]: averaged('kl'),
      [METRICS.lossEntropy]: averaged('entropy'),
      [METRICS.lossDemo]: averaged('demoLoss'),
      [METRICS.lossTotal]: averaged('total'),
      [METRICS.rewardMean]: reward.mean,
      [METRICS.rewardMin]: reward.min,
      [METRICS.rewardMax]: reward.max,
      [METRICS.rewardFeasibleFrac]: mean(trajectories.map((t) => (t.outcome.feasible ? 1 : 0))),
      [METRICS.answerScore]: mean(trajectories.map((t) => t.outcome.answerScore)),
      [METRICS.shortcutRate]: mean(trajectories.map((t) => (t.shortcut ? 1 : 0))),
      [METRICS.episodeTurns]: mean(trajectories.map((t) => t.outcome.rounds)),
      [METRICS.episodeOps]: mean(trajectories.map((t) => t.outcome.operators)),
      [METRICS.episodeTokens]: mean(trajectories.map((t) => t.outcome.tokens)),
      [METRICS.policyEntropy]: mean(flatDecisions.map((d) => d.entropy)),
      [METRICS.policyClipFrac]: averaged('clipFrac'),
      [METRICS.policyApproxKl]: averaged('approxKl'),
      [METRICS.advZeroStdFrac]: zeroStdFraction,
      [METRICS.timeRolloutS]: rolloutS,
      [METRICS.timeUpdateS]: updateS,
      [METRICS.throughputStepsPerS]: rolloutS > 0 ? rollout.steps / rolloutS : Number.NaN,
      [METRICS.gradNorm]: averaged('gradNorm'),
      [METRICS.lr]: config.learningRate,
    };
    const row: MetricsRow = { iteration, ...metrics };
    history.push(row);
    lastBatch = trajectories;
    if (options.runDir) await appendMetricsRow(options.runDir, row);
    options.onMetrics?.(row);
    return row;
  }

  async function snapshot(): Promise<TrainerSnapshot> {
    const state: TrainerCheckpointState = {
      format: 'flowsteer.cwrpo-trainer',
      version: 1,
      iteration,
      config,
      samplingRngState: samplingRng.state,
      episodeCounter,
      history: [...history],
      optimizer: await captureOptimizerState(optimizer),
    };
    return { policy: await policy.toSnapshot(), reference: await reference.toSnapshot(), state };
  }

  async function checkpoint(): Promise<string | undefined> {
    if (!options.runDir) return undefined;
    const taken = await snapshot();
    lastCheckpoint = taken.state.iteration;
    return writeTrainerSnapshot(join(options.runDir, 'checkpoints', checkpointDirName(taken.state.iteration)), taken);
  }

  async function train(trainOptions: { readonly iterations?: number; readonly signal?: AbortSignal } = {}): Promise<TrainResult> {
    const target = trainOptions.iterations ?? config.iterations;
    while (iteration < target && !trainOptions.signal?.aborted) {
      await iterate();
      if (config.checkpointEvery > 0 && iteration % config.checkpointEvery === 0) await checkpoint();
    }
    if (lastCheckpoint !== iteration) await checkpoint();
    const dir = options.runDir ? join(options.runDir, 'checkpoints', checkpointDirName(iteration)) : undefined;
    return { iteration, stopped: iteration < target ? 'aborted' : 'done', ...(dir ? { checkpoint: dir } : {}) };
  }

  return {
    config,
    policy,
    reference,
    get iteration() {
      return iteration;
    },
    history,
    get lastBatch() {
      return lastBatch;
    },
    iterate,
    train,
    checkpoint,
    snapshot,
    dispose() {
      optimizer.dispose();
      reference.dispose();
      if (options.resume?.ownsPolicy) policy.dispose();
    },
  };
}

/**
 * Continues a run from a {@link TrainerSnapshot} (`trainer.snapshot()`, or one read back from a database):
 * policy, reference, Adam state, RNG states, episode counter, iteration and metrics are restored, so iterating on
 * is the uninterrupted run. The trainer owns the policies it builds (`dispose` frees them). Nothing is written to
 * `deps.runDir` (see {@link resumeCwrpoTrainer} for run folders). Throws CONFIG_INVALID for a snapshot of another
 * action space.
 * @public
 */
export async function restoreCwrpoTrainer(snapshot: TrainerSnapshot, deps: CwrpoTrainerDeps & { readonly space: ActionSpace }): Promise<CwrpoTrainer> {
  const { space, ...trainerDeps } = deps;
  const owned: { dispose(): void }[] = [];
  try {
    const policy = TfjsPolicy.fromSnapshot(snapshot.policy, space);
    owned.push(policy);
    const reference = TfjsPolicy.fromSnapshot(snapshot.reference, space);
    owned.push(reference);
    const optimizer = tf.train.adam(snapshot.state.config.learningRate);
    owned.push(optimizer);
    await restoreOptimizerState(optimizer, snapshot.state.optimizer);
    return createCwrpoTrainer({ ...trainerDeps, policy, resume: { state: snapshot.state, reference, optimizer, ownsPolicy: true } });
  } catch (error) {
    for (const item of owned) item.dispose();
    throw error;
  }
}

/**
 * Continues a run from its newest checkpoint (`runDir`, or a checkpoint folder itself) through
 * {@link restoreCwrpoTrainer}, and rewrites `runDir/metrics.jsonl` to the checkpoint's rows, so the continued run
 * is the uninterrupted one. The trainer owns the loaded policy. Throws CONFIG_INVALID when there is no checkpoint.
 * @public
 */
export async function resumeCwrpoTrainer(runDir: string, deps: CwrpoTrainerDeps & { readonly space: ActionSpace }): Promise<CwrpoTrainer> {
  const dir = await latestCheckpoint(runDir);
  if (!dir) throw new CoreError('CONFIG_INVALID', `[core] resumeCwrpoTrainer: expected a checkpoint under ${runDir}/checkpoints, got none`);
  const snapshot = await readTrainerSnapshot(dir);
  const trainerRunDir = deps.runDir ?? (dir === runDir ? undefined : runDir);
  const trainer = await restoreCwrpoTrainer(snapshot, { ...deps, ...(trainerRunDir ? { runDir: trainerRunDir } : {}) });
  try {
    if (trainerRunDir) await writeMetricsRows(trainerRunDir, snapshot.state.history);
    return trainer;
  } catch (error) {
    trainer.dispose();
    throw error;
  }
}
