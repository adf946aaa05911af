/**
 * What `flowsteer train` and `flowsteer eval --policy` share: network presets, the run folder's `run.json`
 * (the settings a resume or an evaluation must reuse: datasets, split, profile, network), loading a policy
 * from a run, checkpoint or policy folder, and evaluating a policy by running greedy episodes.
 * @public
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  ActionSpace,
  CoreError,
  createFixedWorkflowPolicy,
  createLlmDirector,
  createRandomPolicy,
  directorOperators,
  createTemplateLibrary,
  DECODINGS,
  FIXED_WORKFLOWS,
  latestCheckpoint,
  runRollouts,
  summarizeByDataset,
  TfjsPolicy,
  WorkflowEnv,
  type ActOptions,
  type BatchPolicy,
  type Decision,
  type DecodingName,
  type EvalItem,
  type EvalReport,
  type LlmBackend,
  type LlmDirectorOptions,
  type OperatorRegistry,
  type PolicyNetworkConfig,
  type Task,
  type Trajectory,
} from '@flowsteer/core';
import type { Runtime } from './runtime.ts';

/**
 * Network sizes the CLI offers (`--network`). `small` is the default: 0.28M parameters, 94% of them in the hashed
 * token embedding (8192 buckets, few collisions among task words), which costs a sparse lookup rather than compute,
 * so it trains at ~1–2 s/iteration on 2 CPU cores like a 33k-parameter net. `tiny` is for tests.
 */
export const NETWORK_PRESETS: Readonly<Record<string, Partial<PolicyNetworkConfig>>> = {
  tiny: { dModel: 16, heads: 2, layers: 1, ffn: 32, vocab: 128, maxTokens: 16 },
  small: { dModel: 32, heads: 4, layers: 1, ffn: 64, vocab: 8192, maxTokens: 32 },
  default: {},
};

/** Settings of a training run, written to `run.json` so `--resume` and `eval --policy` rebuild the same setup. */
export interface RunSettings {
  readonly datasets: readonly string[];
  readonly limit?: number;
  readonly dataDir?: string;
  readonly testFraction: number;
  readonly splitSeed: string;
  readonly backend: string;
  readonly profile?: string;
  readonly network: string;
  readonly label: string;
}

/** Writes `run.json` into a run folder. */
export async function writeRunSettings(runDir: string, settings: RunSettings): Promise<void> {
  await mkdir(runDir, { recursive: true });
  await writeFile(join(runDir, 'run.json'), `${JSON.stringify(settings, null, 2)}\n`);
}

/** Reads `run.json` of a run folder; undefined when there is none. */
export async function readRunSettings(runDir: string): Promise<RunSettings | undefined> {
  const path = join(runDir, 'run.json');
  if (!existsSync(path)) return undefined;
  return JSON.parse(await readFile(path, 'utf8')) as RunSettings;
}

/** The baseline policies `--policy` accepts by name. */
export const BASELINE_POLICIES = ['random', 'cot', 'selfConsistency', 'handDesigned'] as const;

/** An action space over the registry's operators and the built-in templates (what `train` uses). */
export function cliActionSpace(runtime: Runtime): ActionSpace {
  return new ActionSpace({ operators: runtime.registry.names(), templates: createTemplateLibrary() });
}

/** Where a `--policy PATH` points: the policy folder and the run folder it belongs to (if any). */
export async function resolvePolicyPath(path: string): Promise<{ policyDir: string; runDir?: string }> {
  const at = resolve(path);
  if (existsSync(join(at, 'config.json')) && existsSync(join(at, 'weights.json'))) {
    const runDir = dirname(dirname(dirname(at))); // runDir/checkpoints/iter-XXXX/policy
    return { policyDir: at, ...(existsSync(join(runDir, 'run.json')) ? { runDir } : {}) };
  }
  const checkpoint = existsSync(join(at, 'policy', 'config.json')) ? at : await latestCheckpoint(at);
  if (!checkpoint) {
    throw new CoreError('CONFIG_INVALID', `[cli] --policy: expected a run folder, a checkpoint folder or a policy folder, got ${path} (no checkpoint found)`);
  }
  const runDir = existsSync(join(at, 'run.json')) ? at : dirname(dirname(checkpoint));
  return { policyDir: join(checkpoint, 'policy'), ...(existsSync(join(runDir, 'run.json')) ? { runDir } : {}) };
}

/** Prefix of an LLM director policy spec: `llm:<backend name or model>`. */
export const LLM_POLICY_PREFIX = 'llm:';

/** What `loadCliPolicy` needs beyond the action space for an `llm:<name>` director. */
export interface CliPolicyOptions {
  /** Operator library shown to the director (names and descriptions). */
  readonly registry?: OperatorRegistry;
  /**
   * The LLM behind `llm:<name>`: a configured backend by name (e.g. `director`) or a model at the configured
   * endpoint. Absent: `llm:` specs are refused with what to configure.
   */
  readonly llmBackend?: (name: string) => LlmBackend;
  /** Director settings (temperature, history, repairs, concurrency). */
  readonly director?: Partial<Omit<LlmDirectorOptions, 'backend' | 'operators'>>;
  /** How a trained policy decodes (baselines and directors keep their own). @default 'greedy' */
  readonly decoding?: DecodingName;
}

/** A loaded CLI policy. */
export interface CliPolicy {
  readonly policy: BatchPolicy;
  readonly name: string;
  readonly kind: 'trained' | 'baseline' | 'llm';
  /** How to call `act`: a trained policy's chosen decoding; baselines and directors sample their own way. */
  readonly decoding: ActOptions;
  dispose(): void;
}

/** The LLM Flow-Director of `llm:<name>`; CONFIG_INVALID saying what to set when it cannot be built. */
function loadLlmDirector(spec: string, options: CliPolicyOptions): CliPolicy {
  const name = spec.slice(LLM_POLICY_PREFIX.length).trim();
  if (name === '') throw new CoreError('CONFIG_INVALID', `[cli] --policy: expected llm:<backend name or model>, got '${spec}'`);
  if (!options.registry) throw new CoreError('CONFIG_INVALID', `[cli] --policy ${spec}: expected the operator registry in the options (the director's library), got none`);
  if (!options.llmBackend) {
    throw new CoreError(
      'CONFIG_INVALID',
      `[cli] --policy ${spec}: expected a configured OpenAI-compatible backend for the director (set FLOWSTEER_DIRECTOR_MODEL, and FLOWSTEER_DIRECTOR_BASE_URL or OPENAI_BASE_URL), got none`,
    );
  }
  const backend = options.llmBackend(name);
  if (backend.simulated) {
    throw new CoreError('CONFIG_INVALID', `[cli] --policy ${spec}: expected a real LLM for the director, got the simulated backend ${backend.model} (it only simulates operators)`);
  }
  const policy = createLlmDirector({ backend, operators: directorOperators(options.registry), ...options.director });
  const temperature = options.director?.temperature ?? 0.6;
  // Sampled like the paper's evaluation (T 0.6, spec §4.4); `director.temperature: 0` makes runs repeatable and cacheable.
  return { policy, name: `LLM director ${backend.model} (${backend.name}, T=${temperature})`, kind: 'llm', decoding: {}, dispose: () => policy.forget() };
}

/**
 * A baseline by name, an LLM director (`llm:<backend name or model>`, needs `options.llmBackend` and
 * `options.registry`), or a trained policy loaded from a run/checkpoint/policy folder.
 */
export async function loadCliPolicy(spec: string, space: ActionSpace, seed: number, options: CliPolicyOptions = {}): Promise<CliPolicy> {
  if (spec.startsWith(LLM_POLICY_PREFIX)) return loadLlmDirector(spec, options);
  if (spec === 'random') return { policy: createRandomPolicy(space, seed), name: 'random (sampled)', kind: 'baseline', decoding: {}, dispose() {} };
  if (spec in FIXED_WORKFLOWS) {
    const workflows = FIXED_WORKFLOWS[spec as keyof typeof FIXED_WORKFLOWS];
    return { policy: createFixedWorkflowPolicy(space, spec, workflows), name: `fixed workflow: ${spec}`, kind: 'baseline', decoding: {}, dispose() {} };
  }
  const { policyDir } = await resolvePolicyPath(spec);
  const policy = await TfjsPolicy.load(policyDir, space);
  const decoding = options.decoding ?? 'greedy';
  return { policy, name: `trained policy (${decoding}): ${policyDir}`, kind: 'trained', decoding: DECODINGS[decoding], dispose: () => policy.dispose() };
}

/**
 * Runs one episode per task with `policy` (all episodes concurrently, one batched act per round) and reports
 * them like `evaluateWorkflow` does, so the same per-dataset table prints. `onProgress` fires per episode.
 */
export async function evaluatePolicy(
  policy: BatchPolicy,
  tasks: readonly Task[],
  runtime: Runtime,
  options: {
    /** How the policy decodes (`CliPolicy.decoding`). */
    readonly decoding: ActOptions;
    readonly concurrency?: number;
    readonly onProgress?: (done: number, total: number, item: EvalItem) => void;
  },
): Promise<EvalReport & { readonly shortcutRate: number; readonly meanTurns: number }> {
  const started = performance.now();
  const { trajectories } = await runRollouts<Decision>({
    policy,
    tasks,
    decoding: options.decoding,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    makeEnv: () => new WorkflowEnv({ registry: runtime.registry, backend: runtime.backend, sandbox: runtime.sandbox }),
    ...(options.onProgress
      ? { onEpisode: (t, done, total) => options.onProgress?.(done, total, toEvalItem(t, tasks[t.episode] as Task)) }
      : {}),
  });
  const items = trajectories.map((t) => toEvalItem(t, tasks[t.episode] as Task));
  const mean = (values: number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
  return {
    items,
    datasets: summarizeByDataset(items),
    simulated: runtime.backend.simulated,
    wallMs: performance.now() - started,
    shortcutRate: mean(trajectories.map((t) => (t.shortcut ? 1 : 0))),
    meanTurns: mean(trajectories.map((t) => t.outcome.rounds)),
  };
}

/** An episode's outcome in `evaluateWorkflow`'s item shape, so policy and workflow evaluations share one summary. */
export function toEvalItem(t: Trajectory, task: Task): EvalItem {
  const o = t.outcome;
  return {
    taskId: task.id,
    dataset: task.dataset,
    kind: task.kind,
    answer: o.answer,
    score: o.taskScore,
    reward: o.reward,
    feasible: o.executionOk && o.feasible,
    executionOk: o.executionOk,
    tokens: o.tokens,
    costUsd: o.costUsd,
    latencyMs: o.latencyMs,
    wallMs: 0,
    nodeErrors: o.nodeErrors,
  };
}
