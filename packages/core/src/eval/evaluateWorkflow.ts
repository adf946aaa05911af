/**
 * Evaluates one fixed workflow on a set of tasks: executes it per task (bounded concurrency), scores the
 * final answer with each dataset's metric, and summarises per dataset. Used by `flowsteer eval`, the
 * benchmarks and (later) the API's `evaluate` mutation.
 * @public
 */
import type { Canvas } from '../canvas/types.ts';
import { executeWorkflow } from '../executor/executeWorkflow.ts';
import type { ExecuteOptions } from '../executor/types.ts';
import { computeReward, DEFAULT_DIVERSITY_REWARD_CONFIG, type DiversityRewardConfig } from '../rewards/diversityReward.ts';
import { scoreExecution, type TaskScore } from '../rewards/taskScore.ts';
import { toTaskView, type Task } from '../tasks/types.ts';
import { mapConcurrent } from './mapConcurrent.ts';

/** Per-task evaluation outcome. */
export interface EvalItem {
  readonly taskId: string;
  readonly dataset: string;
  readonly kind: Task['kind'];
  readonly answer: string;
  readonly score: TaskScore;
  /** Trajectory reward R of this workflow on this task (diversity-constrained, conditional release). */
  readonly reward: number;
  /** Executed without a global error and structurally feasible (R_div = 1). */
  readonly feasible: boolean;
  readonly executionOk: boolean;
  readonly error?: string;
  readonly tokens: number;
  readonly costUsd: number;
  readonly latencyMs: number;
  readonly wallMs: number;
  readonly nodeErrors: number;
}

/** Per-dataset summary; `score` is the paper's headline metric (accuracy, EM or pass@1) in percent. */
export interface DatasetSummary {
  readonly dataset: string;
  readonly kind: Task['kind'];
  readonly n: number;
  readonly metric: 'accuracy' | 'em_f1' | 'pass@1';
  readonly score: number;
  /** QA only: mean token F1 in percent. */
  readonly f1?: number;
  readonly feasible: number;
  readonly meanReward: number;
  readonly meanTokens: number;
  readonly meanCostUsd: number;
  readonly meanLatencyMs: number;
  readonly errors: number;
}

export interface EvalReport {
  readonly items: readonly EvalItem[];
  readonly datasets: readonly DatasetSummary[];
  readonly simulated: boolean;
  readonly wallMs: number;
}

export interface EvaluateOptions extends Omit<ExecuteOptions, 'cache'> {
  /** Tasks evaluated at once. @default 4 */
  readonly concurrency?: number;
  readonly reward?: DiversityRewardConfig;
  /** Called after each task (for progress bars). */
  readonly onProgress?: (done: number, total: number, item: EvalItem) => void;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Summarises items per dataset, in first-seen order. */
export function summarizeByDataset(items: readonly EvalItem[]): DatasetSummary[] {
  const groups = new Map<string, EvalItem[]>();
  for (const item of items) groups.set(item.dataset, [...(groups.get(item.dataset) ?? []), item]);
  return [...groups.entries()].map(([dataset, group]) => {
    const kind = (group[0] as EvalItem).kind;
    const metric = kind === 'math' ? 'accuracy' : kind === 'qa' ? 'em_f1' : 'pass@1';
    const f1 = kind === 'qa' ? { f1: 100 * mean(group.map((i) => i.score.metrics.f1 ?? 0)) } : {};
    return {
      dataset,
      kind,
      n: group.length,
      metric,
      score: 100 * mean(group.map((i) => (i.score.correct ? 1 : 0))),
      ...f1,
      feasible: 100 * mean(group.map((i) => (i.feasible ? 1 : 0))),
      meanReward: mean(group.map((i) => i.reward)),
      meanTokens: mean(group.map((i) => i.tokens)),
      meanCostUsd: mean(group.map((i) => i.costUsd)),
      meanLatencyMs: mean(group.map((i) => i.latencyMs)),
      errors: group.filter((i) => !i.executionOk || i.nodeErrors > 0).length,
    } satisfies DatasetSummary;
  });
}

/** Runs `canvas` on every task and scores it. Never throws for a failing task: the item records the error. */
export async function evaluateWorkflow(canvas: Canvas, tasks: readonly Task[], options: EvaluateOptions): Promise<EvalReport> {
  const started = performance.now();
  const rewardConfig = options.reward ?? DEFAULT_DIVERSITY_REWARD_CONFIG;
  let simulated = options.backend.simulated;
  let done = 0;
  const items = await mapConcurrent(tasks, options.concurrency ?? 4, async (task): Promise<EvalItem> => {
    const execution = await executeWorkflow(canvas, toTaskView(task), options);
    if (execution.simulated) simulated = true;
    const score = await scoreExecution(task, execution, options.sandbox);
    const reward = computeReward(canvas, score.score, rewardConfig, { tokens: execution.tokens.total });
    const item: EvalItem = {
      taskId: task.id,
      dataset: task.dataset,
      kind: task.kind,
      answer: execution.answer,
      score,
      reward: reward.total,
      feasible: execution.ok && reward.diversity === 1,
      executionOk: execution.ok,
      ...(execution.error ? { error: execution.error.message } : {}),
      tokens: execution.tokens.total,
      costUsd: execution.costUsd,
      latencyMs: execution.latencyMs,
      wallMs: execution.wallMs,
      nodeErrors: execution.trace.filter((node) => node.role === 'error').length,
    };
    done += 1;
    options.onProgress?.(done, tasks.length, item);
    return item;
  });
  return { items, datasets: summarizeByDataset(items), simulated, wallMs: performance.now() - started };
}
