/**
 * `evaluate`: a checkpoint or a workflow (stored version or DSL) on the first `limit` tasks of each dataset, run
 * synchronously (the limit is capped for that reason) and stored as `evaluation` episodes, one per task: a
 * checkpoint's episodes with their steps, a fixed workflow's with its final DSL only. A checkpoint is evaluated
 * on the test side of its experiment's split, so it is never scored on tasks it trained on.
 * @public
 */
import {
  evaluateWorkflow,
  parseDsl,
  printDsl,
  runRollouts,
  splitTasks,
  WorkflowEnv,
  type Canvas,
  type Decision,
  type Task,
  type TaskKind,
} from '@flowsteer/core';
import type { AppDb } from '../db/client.ts';
import { createEpisode, finishEpisode, getCheckpoint, getExperiment, getRun, getWorkflowVersion, type EpisodeResult, type StepWrite } from '../db/repositories/index.ts';
import { AppError, toAppError } from '../errors.ts';
import type { DatasetScore, EvaluateJobInput, EvaluationReport } from '../graphql/context.ts';
import { finalCanvasOf, stepWrite, trajectoryResult } from './episodeRecords.ts';
import { resolveJobPolicy } from './jobPolicy.ts';
import type { JobRuntime } from './jobRuntime.ts';
import { parseExperimentConfig } from './trainerSetup.ts';

/** Most tasks per dataset one evaluation runs (it runs inside the request). @public */
export const MAX_EVALUATION_LIMIT = 50;
/** Most datasets one evaluation covers. @public */
export const MAX_EVALUATION_DATASETS = 10;

/** A dataset's row of an evaluation: the API's {@link DatasetScore} plus feasibility, reward and tokens. @public */
export interface DatasetEvaluation extends DatasetScore {
  /** Share of tasks whose workflow executed and met the diversity constraints, in [0, 1]. */
  readonly feasible: number;
  readonly meanReward: number;
  readonly meanTokens: number;
}

/** {@link EvaluationReport} with the richer per-dataset rows. @public */
export interface EvaluationResult extends EvaluationReport {
  readonly datasets: readonly DatasetEvaluation[];
}

/** What the evaluator needs. @public */
export interface EvaluatorDeps {
  readonly db: AppDb;
  readonly runtime: JobRuntime;
}

/** One evaluated task, ready to store. @internal */
interface ScoredItem {
  readonly task: Task;
  readonly score: number;
  readonly feasible: boolean;
  readonly reward: number;
  readonly tokens: number;
  readonly result: EpisodeResult;
  readonly steps: readonly StepWrite[];
}

const METRIC_OF: Readonly<Record<TaskKind, string>> = { math: 'accuracy', qa: 'em_f1', code: 'pass@1' };
const mean = (values: readonly number[]) => (values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length);

function assertInput(input: EvaluateJobInput): void {
  const sources = [input.checkpointId, input.workflowId, input.dsl].filter((source) => source !== undefined).length;
  if (sources !== 1) throw new AppError('BAD_USER_INPUT', `expected exactly one of checkpointId, workflowId and dsl, got ${sources}`);
  if (input.datasets.length === 0 || input.datasets.length > MAX_EVALUATION_DATASETS) {
    throw new AppError('BAD_USER_INPUT', `expected 1 to ${MAX_EVALUATION_DATASETS} datasets, got ${input.datasets.length}`);
  }
  if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > MAX_EVALUATION_LIMIT) {
    throw new AppError('BAD_USER_INPUT', `expected limit to be an integer from 1 to ${MAX_EVALUATION_LIMIT}, got ${input.limit}`);
  }
}

/** Runs an evaluation and stores its episodes; BAD_USER_INPUT / NOT_FOUND for bad input, before anything is written. @public */
export async function evaluate(deps: EvaluatorDeps, input: EvaluateJobInput): Promise<EvaluationResult> {
  const { db, runtime } = deps;
  assertInput(input);
  runtime.assertBackend(input.backend);
  const operators = runtime.registry.names();
  let canvas: Canvas | undefined;
  let split: { testFraction: number; seed: string } | undefined;
  try {
    if (input.dsl !== undefined) canvas = parseDsl(input.dsl, { operators });
    if (input.workflowId !== undefined) {
      const version = await getWorkflowVersion(db, input.workflowId, input.workflowVersion);
      if (!version) throw new AppError('NOT_FOUND', `expected an existing workflow version, got ${input.workflowId} v${input.workflowVersion ?? 'latest'}`);
      canvas = parseDsl(version.dsl, { operators });
    }
    if (input.checkpointId !== undefined) {
      const checkpoint = await getCheckpoint(db, input.checkpointId);
      if (!checkpoint) throw new AppError('NOT_FOUND', `expected an existing checkpoint, got id ${input.checkpointId}`);
      const run = checkpoint.runId ? await getRun(db, checkpoint.runId) : undefined;
      const experiment = run ? await getExperiment(db, run.experimentId) : undefined;
      if (experiment) {
        const config = parseExperimentConfig(experiment.config);
        split = { testFraction: config.testFraction, seed: config.splitSeed };
      }
    }
  } catch (error) {
    throw toAppError(error);
  }

  const tasks: Task[] = [];
  for (const dataset of input.datasets) {
    let loaded: Task[];
    try {
      loaded = await runtime.loadTasks(dataset);
    } catch (error) {
      throw toAppError(error);
    }
    const eligible = split ? splitTasks(loaded, split).test : loaded;
    tasks.push(...eligible.slice(0, input.limit));
  }
  const oracle = new Map(tasks.map((task) => [task.id, task]));
  const items = canvas ? await evaluateCanvas(canvas, tasks, deps, input.backend, oracle) : await evaluateCheckpoint(input, tasks, deps, oracle);

  const episodeIds: string[] = [];
  for (const item of items) {
    const episode = await createEpisode(db, {
      kind: 'evaluation',
      policy: canvas ? 'workflow' : 'checkpoint',
      checkpointId: input.checkpointId ?? null,
      taskId: item.task.id,
      dataset: item.task.dataset,
      question: item.task.problem,
      backend: input.backend,
      createdBy: input.userId === '' ? null : input.userId,
    });
    await finishEpisode(db, episode.id, { ...item.result, steps: item.steps });
    episodeIds.push(episode.id);
  }

  const byDataset = new Map<string, ScoredItem[]>();
  for (const item of items) byDataset.set(item.task.dataset, [...(byDataset.get(item.task.dataset) ?? []), item]);
  const datasets = [...byDataset.entries()].map(([dataset, group]): DatasetEvaluation => ({
    dataset,
    metric: METRIC_OF[(group[0] as ScoredItem).task.kind],
    count: group.length,
    score: mean(group.map((item) => item.score)),
    feasible: mean(group.map((item) => (item.feasible ? 1 : 0))),
    meanReward: mean(group.map((item) => item.reward)),
    meanTokens: mean(group.map((item) => item.tokens)),
  }));
  return { backend: input.backend, simulated: input.backend === 'sim', label: runtime.label(input.backend), datasets, episodeIds };
}

async function evaluateCanvas(canvas: Canvas, tasks: readonly Task[], deps: EvaluatorDeps, backend: string, oracle: ReadonlyMap<string, Task>): Promise<ScoredItem[]> {
  const { runtime } = deps;
  const report = await evaluateWorkflow(canvas, tasks, {
    registry: runtime.registry,
    backend: runtime.backendFor({ backend, seed: 0, tasks: oracle }),
    sandbox: runtime.sandbox,
  });
  const dsl = printDsl(canvas);
  return report.items.map((item) => ({
    task: oracle.get(item.taskId) as Task,
    score: item.score.score,
    feasible: item.feasible,
    reward: item.reward,
    tokens: item.tokens,
    result: {
      status: 'finished',
      finalDsl: dsl,
      finalCanvas: canvas,
      answer: item.answer,
      answerScore: item.score.score,
      reward: item.reward,
      rewardComponents: { correct: item.score.correct, feasible: item.feasible, executionOk: item.executionOk, nodeErrors: item.nodeErrors },
      tokens: item.tokens,
      costUsd: item.costUsd,
      ...(item.error === undefined ? {} : { error: item.error }),
    },
    steps: [],
  }));
}

async function evaluateCheckpoint(input: EvaluateJobInput, tasks: readonly Task[], deps: EvaluatorDeps, oracle: ReadonlyMap<string, Task>): Promise<ScoredItem[]> {
  const { db, runtime } = deps;
  const resolved = await resolveJobPolicy(db, runtime, { checkpointId: input.checkpointId }, 0);
  try {
    const { trajectories } = await runRollouts<Decision>({
      policy: resolved.policy,
      tasks,
      greedy: true,
      recordSteps: true,
      makeEnv: (_task, episode) =>
        new WorkflowEnv({ registry: runtime.registry, backend: runtime.backendFor({ backend: input.backend, seed: episode, tasks: oracle }), sandbox: runtime.sandbox }),
    });
    return trajectories.map((trajectory) => ({
      task: tasks[trajectory.episode] as Task,
      score: trajectory.outcome.answerScore,
      feasible: trajectory.outcome.executionOk && trajectory.outcome.feasible,
      reward: trajectory.outcome.reward,
      tokens: trajectory.outcome.tokens,
      result: trajectoryResult(trajectory.outcome, finalCanvasOf(trajectory)),
      steps: (trajectory.steps ?? []).map(stepWrite),
    }));
  } finally {
    resolved.dispose();
  }
}
