/**
 * Concurrent rollouts: many episodes advance in lock-step rounds. Each round makes ONE batched `policy.act` over
 * the observations of every live episode (the policy batches its forward pass), then steps those episodes'
 * environments concurrently (`Promise.all`; with a real LLM backend the executor calls dominate and overlap).
 * Deterministic for a deterministic policy and executor: the policy sees the live episodes in episode order, and
 * each episode has its own environment, so step timing cannot change any result.
 * @public
 */
import { printActionText } from '../actions/actionText.ts';
import type { Action } from '../actions/types.ts';
import { countOperators } from '../canvas/canvas.ts';
import type { Canvas } from '../canvas/types.ts';
import type { FeedbackSignals } from '../env/feedback.ts';
import type { EpisodeOutcome, Observation, StepResult, WorkflowEnv } from '../env/workflowEnv.ts';
import { CoreError } from '../errors.ts';
import { HEADS, type Decision } from '../policy/actionSpace.ts';
import type { ActOptions } from '../policy/types.ts';
import { diversityScore, type DiversityRewardConfig } from '../rewards/diversityReward.ts';
import type { TaskScore } from '../rewards/taskScore.ts';
import type { Task, TaskKind } from '../tasks/types.ts';
import { sourceOf } from './sampling.ts';

/** Anything that acts on a batch of observations (`TfjsPolicy`, the baselines). @public */
export interface BatchPolicy<D extends Decision = Decision> {
  act(observations: readonly Observation[], options?: ActOptions): Promise<D[]>;
}

/** What the trainer, the benchmarks and `flowsteer eval` read of a finished episode. @public */
export interface TrajectoryOutcome {
  readonly reason: EpisodeOutcome['reason'];
  /** Trajectory reward R under the environment's reward config (the training signal). */
  readonly reward: number;
  /** R_div as the environment's reward saw it (1 when its `useDiversity` is false). */
  readonly diversity: number;
  /**
   * R_div of the final workflow measured with the diversity terms whatever the reward ablation, so feasibility
   * and shortcut rates compare across algorithms (GRPO trains with `useDiversity: false`).
   */
  readonly measuredDiversity: number;
  /**
   * A legitimate workflow: measured R_div = 1 and, for an episode that ran out of rounds, one the finish gate
   * would accept (`EnvConfig.gateOnTimeout`; an accepted finish has passed it already).
   */
  readonly feasible: boolean;
  /** Why the finish gate would reject the final workflow of an episode that ran out of rounds. */
  readonly gateReasons: readonly string[];
  readonly released: boolean;
  /** R_answer in [0, 1] (accuracy, QA F1 or pass@1), released or not. */
  readonly answerScore: number;
  /** The paper's headline metric (accuracy, EM, pass@1). */
  readonly correct: boolean;
  /** The scorer's full result (EM and F1 for QA, …). */
  readonly taskScore: TaskScore;
  readonly rounds: number;
  /** Operators in the final workflow (children counted, loop bodies once). */
  readonly operators: number;
  /** Executor tokens of the final workflow's execution. */
  readonly tokens: number;
  readonly costUsd: number;
  readonly latencyMs: number;
  readonly executionOk: boolean;
  readonly nodeErrors: number;
  readonly answer: string;
  readonly dsl: string;
}

/**
 * One environment step as a viewer replays it (recorded with `recordSteps`): the action the policy took, what the
 * environment said back, and the canvas after it. Plain JSON-able data.
 * @public
 */
export interface TrajectoryStep {
  /** 1-based step number (= the environment round). */
  readonly step: number;
  readonly action: Action;
  /** The action in the paper's XML syntax (`printActionText`). */
  readonly actionText: string;
  readonly valid: boolean;
  /** Why an invalid action was refused. */
  readonly reason?: string;
  readonly feedback: string;
  readonly signals: FeedbackSignals;
  readonly canvas: Canvas;
  readonly dsl: string;
  /** 0 until the last step, which carries the trajectory reward R. */
  readonly reward: number;
  readonly done: boolean;
}

/** One finished episode and the decisions that produced it. @public */
export interface Trajectory<D extends Decision = Decision> {
  /** Index of the episode in the rollout call. */
  readonly episode: number;
  readonly taskId: string;
  /** The task text the policy saw (the task view's problem; never gold data). */
  readonly question: string;
  /** Data source (dataset name): the balancing and `groupBy: 'source'` key. */
  readonly source: string;
  readonly kind: TaskKind;
  readonly decisions: readonly D[];
  /**
   * Per decision: at least one of its heads had two or more valid options. A decision where the masks left a
   * single option everywhere has log π = 0 whatever the weights; the loss's decision mask excludes it
   * (see `masking` in the trainer config).
   */
  readonly choices: readonly boolean[];
  readonly outcome: TrajectoryOutcome;
  /** Every step in order, when the rollout was asked to record them (`recordSteps`). */
  readonly steps?: readonly TrajectoryStep[];
  /** A shortcut (spec §8): the episode ended without a feasible workflow (`outcome.feasible` is false). */
  readonly shortcut: boolean;
}

/** Options of {@link runRollouts}. @public */
export interface RolloutOptions<D extends Decision> {
  readonly policy: BatchPolicy<D>;
  /** One episode per entry (repeat a task G times for G rollouts). */
  readonly tasks: readonly Task[];
  /** A fresh environment for episode `episode` (one per episode: environments are not re-entrant). */
  readonly makeEnv: (task: Task, episode: number) => WorkflowEnv;
  /** Arg-max decisions (evaluation); shorthand for `decoding: { greedy: true }`. @default false */
  readonly greedy?: boolean;
  /** How the policy decodes (evaluation; see `DECODINGS`, the paper's is temperature 0.6, top-p 0.95). @default the policy's own distribution */
  readonly decoding?: ActOptions;
  /** Episodes live at once; the rest wait for a slot. @default all of them */
  readonly concurrency?: number;
  /** Diversity terms for `measuredDiversity` (weights, thresholds); its ablation switches are ignored. @default the env's */
  readonly diversity?: DiversityRewardConfig;
  /** Checked between steps: an abort throws ABORTED (episodes in flight are dropped). */
  readonly signal?: AbortSignal;
  /**
   * Keep a {@link TrajectoryStep} per step on each trajectory (canvas, feedback, …) for storage and replay. Off by
   * default: the benchmarks and training need only the decisions. @default false
   */
  readonly recordSteps?: boolean;
  /** Called as each episode ends (progress bars). */
  readonly onEpisode?: (trajectory: Trajectory<D>, done: number, total: number) => void;
}

/** Result of {@link runRollouts}. @public */
export interface RolloutResult<D extends Decision> {
  /** In episode order. */
  readonly trajectories: Trajectory<D>[];
  /** Environment steps taken (= decisions). */
  readonly steps: number;
  /** Batched `act` calls. */
  readonly actCalls: number;
  readonly wallMs: number;
}

interface Live<D extends Decision> {
  readonly episode: number;
  readonly task: Task;
  readonly env: WorkflowEnv;
  observation: Observation;
  readonly decisions: D[];
  readonly steps: TrajectoryStep[];
}

const aborted = (): CoreError => new CoreError('ABORTED', '[core] rollouts aborted');

/** True when some head of `decision` had at least two valid options. @internal */
export function hasChoice(decision: Decision): boolean {
  return HEADS.some((head) => {
    const mask = decision.masks[head];
    if (!mask) return false;
    let options = 0;
    for (let i = 0; i < mask.length && options < 2; i += 1) if (mask[i]) options += 1;
    return options >= 2;
  });
}

function summarizeOutcome(outcome: EpisodeOutcome, diversity: DiversityRewardConfig, gateOnTimeout: boolean): TrajectoryOutcome {
  const execution = outcome.execution;
  const measuredDiversity = diversityScore(outcome.canvas, diversity).diversity;
  return {
    reason: outcome.reason,
    reward: outcome.reward.total,
    diversity: outcome.reward.diversity,
    measuredDiversity,
    feasible: measuredDiversity === 1 && !(gateOnTimeout && outcome.gateReasons.length > 0),
    gateReasons: outcome.gateReasons,
    released: outcome.reward.released,
    answerScore: outcome.taskScore.score,
    correct: outcome.taskScore.correct,
    taskScore: outcome.taskScore,
    rounds: outcome.rounds,
    operators: countOperators(outcome.canvas),
    tokens: execution?.tokens.total ?? 0,
    costUsd: execution?.costUsd ?? 0,
    latencyMs: execution?.latencyMs ?? 0,
    executionOk: execution?.ok ?? false,
    nodeErrors: execution?.trace.filter((node) => node.role === 'error').length ?? 0,
    answer: execution?.answer ?? '',
    dsl: outcome.dsl,
  };
}

/**
 * The {@link TrajectoryStep} of one `env.step(action)`: what `recordSteps` keeps, for callers that step an
 * environment themselves (a streamed agent episode).
 * @public
 */
export function toTrajectoryStep(action: Action, result: StepResult): TrajectoryStep {
  const { observation, info } = result;
  return {
    step: observation.round,
    action,
    actionText: printActionText(action),
    valid: info.valid,
    ...(info.reason === undefined ? {} : { reason: info.reason }),
    feedback: observation.feedback,
    signals: observation.signals,
    canvas: observation.canvas,
    dsl: observation.dsl,
    reward: result.reward,
    done: result.done,
  };
}

/**
 * Runs one episode per task to the end and returns the trajectories in episode order. Never throws for an
 * ordinary bad action (the environment records it); throws ABORTED when `signal` aborts between rounds (an
 * execution in flight ends early and the whole call rejects, so no half-aborted episode is ever returned).
 * @example const { trajectories } = await runRollouts({ policy, tasks: [task, task], makeEnv: () => new WorkflowEnv(deps) })
 * @public
 */
export async function runRollouts<D extends Decision>(options: RolloutOptions<D>): Promise<RolloutResult<D>> {
  const started = performance.now();
  const total = options.tasks.length;
  const limit = Math.max(1, Math.min(options.concurrency ?? total, total));
  const trajectories = new Array<Trajectory<D>>(total);
  let live: Live<D>[] = [];
  let next = 0;
  let done = 0;
  let steps = 0;
  let actCalls = 0;
  while (done < total) {
    if (options.signal?.aborted) throw aborted();
    while (live.length < limit && next < total) {
      const task = options.tasks[next] as Task;
      const env = options.makeEnv(task, next);
      live.push({ episode: next, task, env, observation: env.reset(task), decisions: [], steps: [] });
      next += 1;
    }
    const decisions = await options.policy.act(
      live.map((episode) => episode.observation),
      options.greedy ? { ...options.decoding, greedy: true } : { ...options.decoding },
    );
    actCalls += 1;
    if (decisions.length !== live.length) {
      throw new CoreError('INTERNAL', `[core] runRollouts: expected ${live.length} decisions from the policy, got ${decisions.length}`);
    }
    if (options.signal?.aborted) throw aborted();
    await Promise.all(
      live.map(async (episode, i) => {
        const decision = decisions[i] as D;
        episode.decisions.push(decision);
        const result = await episode.env.step(decision.action);
        episode.observation = result.observation;
        if (options.recordSteps) episode.steps.push(toTrajectoryStep(decision.action, result));
      }),
    );
    steps += live.length;
    for (const episode of live.filter((candidate) => candidate.observation.done)) {
      const outcome = episode.env.result;
      if (!outcome) throw new CoreError('INTERNAL', `[core] runRollouts: episode ${episode.episode} is done without an outcome`);
      const summary = summarizeOutcome(outcome, options.diversity ?? episode.env.config.reward, episode.env.config.gateOnTimeout);
      const trajectory: Trajectory<D> = {
        episode: episode.episode,
        taskId: episode.task.id,
        question: episode.observation.task.problem,
        source: sourceOf(episode.task),
        kind: episode.task.kind,
        decisions: episode.decisions,
        choices: episode.decisions.map(hasChoice),
        outcome: summary,
        ...(options.recordSteps ? { steps: episode.steps } : {}),
        shortcut: !summary.feasible,
      };
      trajectories[episode.episode] = trajectory;
      done += 1;
      options.onEpisode?.(trajectory, done, total);
    }
    live = live.filter((episode) => !episode.observation.done);
  }
  // An abort during the last round may have cut an execution short without throwing (the executor records it):
  // such a batch must not look complete.
  if (options.signal?.aborted) throw aborted();
  return { trajectories, steps, actCalls, wallMs: performance.now() - started };
}
