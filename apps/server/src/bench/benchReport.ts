/**
 * The result of a `flowsteer bench` run as plain JSON-able data (what `--json` prints and the API stores): a row
 * per benchmark with the measured metric beside the paper's published FlowSteer number, suite averages, and a
 * compact record per task. Every measured value travels with `simulated` and the runtime label, so a stored
 * report can never be mistaken for LLM results.
 * @public
 */
import { summarizeByDataset, type DatasetInfo, type DatasetMetric, type EvalItem, type TaskKind } from '@flowsteer/core';
import type { BenchDataset } from './benchSuites.ts';
import { PAPER_AVERAGES, paperScore, type PaperBackbone, type PaperScore } from './paperResults.ts';

/** Version tag of the JSON shape; bump it when a field changes meaning. @public */
export const BENCH_REPORT_FORMAT = 'flowsteer.bench/v1';

/** What was evaluated. @public */
export interface BenchSubject {
  readonly kind: 'policy' | 'workflow';
  /** Policy name as the loader reports it, or the workflow DSL. */
  readonly name: string;
  /** The `--policy` spec or the `--workflow` DSL as given. */
  readonly spec: string;
}

/** One benchmark's row. Measured fields are absent when the dataset was not run. @public */
export interface BenchRow {
  readonly dataset: string;
  readonly displayName: string;
  readonly split: 'iid' | 'ood';
  readonly kind: TaskKind;
  readonly metric: DatasetMetric;
  readonly status: BenchDataset['status'];
  /** Why there is no result (`not_supplied`, `empty`). */
  readonly reason?: string;
  readonly n: number;
  /** The headline metric in percent: accuracy, EM (QA) or pass@1 on the hidden tests (code). */
  readonly score?: number;
  /** QA only: mean token F1 in percent. */
  readonly f1?: number;
  readonly meanTokens?: number;
  readonly meanCostUsd?: number;
  /** Environment rounds per episode (policies only). */
  readonly meanTurns?: number;
  /** Share of tasks whose final workflow executed and met the diversity constraints, in percent. */
  readonly feasible?: number;
  readonly meanReward?: number;
  /** Tasks with an execution error or a failed node. */
  readonly errors?: number;
  readonly source?: { readonly path: string; readonly origin: string; readonly skippedLines: number; readonly excludedTrainTasks: number };
  /** FlowSteer as published, with the executor backbone it was measured with. */
  readonly paper?: PaperScore;
  /** True when the measured fields come from the simulated executor. */
  readonly simulated: boolean;
}

/** A suite average over the rows that ran, and the paper's average over the same datasets. @public */
export interface BenchAverage {
  readonly split: 'iid' | 'ood';
  readonly datasets: readonly string[];
  readonly n: number;
  /** Mean of the rows' headline scores (EM for QA), in percent. */
  readonly score: number;
  readonly meanTokens: number;
  readonly meanCostUsd: number;
  readonly meanTurns?: number;
  readonly feasible: number;
  /** The paper's mean over the same datasets (the published suite average covers all six). */
  readonly paperSameDatasets?: number;
  /** The published average over all six datasets of the suite (rebuttal, EM for QA). */
  readonly paperPublished: number;
  readonly simulated: boolean;
}

/** One task's outcome, without answers or test output (those may quote hidden tests). @public */
export interface BenchItem {
  readonly taskId: string;
  readonly dataset: string;
  readonly correct: boolean;
  /** R_answer in [0, 1]. */
  readonly answerScore: number;
  readonly em?: number;
  readonly f1?: number;
  readonly feasible: boolean;
  readonly tokens: number;
  readonly costUsd: number;
  readonly turns?: number;
  readonly executionOk: boolean;
}

/** The whole report. @public */
export interface BenchReport {
  readonly format: typeof BENCH_REPORT_FORMAT;
  /** `SIMULATED executor (…) — not LLM results` with the sim backend. */
  readonly label: string;
  readonly simulated: boolean;
  readonly backend: string;
  readonly model: string;
  /** The backbone whose published numbers fill the paper column. */
  readonly paperBackbone: PaperBackbone;
  readonly subject: BenchSubject;
  readonly seed: number;
  readonly limit?: number;
  readonly rows: readonly BenchRow[];
  readonly averages: readonly BenchAverage[];
  readonly items: readonly BenchItem[];
  readonly wallMs: number;
  /** With a real LLM backend: one line per backend (calls, cache hit rate, retries, billed tokens and cost). */
  readonly llmUsage?: readonly string[];
}

const mean = (values: readonly number[]) => (values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length);

/** A row for a dataset that did not run. @public */
export function unavailableRow(dataset: BenchDataset, backbone: PaperBackbone, simulated: boolean): BenchRow {
  const paper = paperScore(dataset.info.name, backbone);
  return {
    ...rowIdentity(dataset.info),
    status: dataset.status,
    ...(dataset.reason === undefined ? {} : { reason: dataset.reason }),
    n: 0,
    ...(paper ? { paper } : {}),
    simulated,
  };
}

/**
 * The row of a dataset that ran: core's per-dataset summary of its items (the same numbers `flowsteer eval`
 * prints), the mean turns when the items came from episodes, and the paper's number.
 * @public
 */
export function measuredRow(dataset: BenchDataset, items: readonly EvalItem[], turns: readonly number[] | undefined, backbone: PaperBackbone, simulated: boolean): BenchRow {
  const summary = summarizeByDataset(items.map((item) => ({ ...item, dataset: dataset.info.name })))[0];
  const paper = paperScore(dataset.info.name, backbone);
  return {
    ...rowIdentity(dataset.info),
    status: dataset.status,
    n: items.length,
    ...(summary
      ? {
          score: summary.score,
          ...(summary.f1 === undefined ? {} : { f1: summary.f1 }),
          meanTokens: summary.meanTokens,
          meanCostUsd: summary.meanCostUsd,
          feasible: summary.feasible,
          meanReward: summary.meanReward,
          errors: summary.errors,
        }
      : {}),
    ...(turns && turns.length > 0 ? { meanTurns: mean(turns) } : {}),
    ...(dataset.path === undefined
      ? {}
      : { source: { path: dataset.path, origin: dataset.origin ?? 'shared', skippedLines: dataset.errors.length, excludedTrainTasks: dataset.excluded } }),
    ...(paper ? { paper } : {}),
    simulated,
  };
}

function rowIdentity(info: DatasetInfo) {
  return { dataset: info.name, displayName: info.displayName, split: info.split, kind: info.kind, metric: info.metric } as const;
}

/** IID and OOD averages over the rows that ran (a suite with none is left out). @public */
export function suiteAverages(rows: readonly BenchRow[]): BenchAverage[] {
  const averages: BenchAverage[] = [];
  for (const split of ['iid', 'ood'] as const) {
    const ran = rows.filter((row) => row.split === split && row.score !== undefined);
    if (ran.length === 0) continue;
    const turns = ran.flatMap((row) => (row.meanTurns === undefined ? [] : [row.meanTurns]));
    const paper = ran.flatMap((row) => (row.paper ? [row.paper.score] : []));
    averages.push({
      split,
      datasets: ran.map((row) => row.dataset),
      n: ran.reduce((sum, row) => sum + row.n, 0),
      score: mean(ran.map((row) => row.score ?? 0)),
      meanTokens: mean(ran.map((row) => row.meanTokens ?? 0)),
      meanCostUsd: mean(ran.map((row) => row.meanCostUsd ?? 0)),
      ...(turns.length > 0 ? { meanTurns: mean(turns) } : {}),
      feasible: mean(ran.map((row) => row.feasible ?? 0)),
      ...(paper.length === ran.length ? { paperSameDatasets: mean(paper) } : {}),
      paperPublished: PAPER_AVERAGES[split].score,
      simulated: ran.some((row) => row.simulated),
    });
  }
  return averages;
}

/** The compact per-task record of an evaluated item. @public */
export function benchItem(item: EvalItem, dataset: string, turns: number | undefined): BenchItem {
  const { em, f1 } = item.score.metrics;
  return {
    taskId: item.taskId,
    dataset,
    correct: item.score.correct,
    answerScore: item.score.score,
    ...(em === undefined ? {} : { em }),
    ...(f1 === undefined ? {} : { f1 }),
    feasible: item.feasible,
    tokens: item.tokens,
    costUsd: item.costUsd,
    ...(turns === undefined ? {} : { turns }),
    executionOk: item.executionOk,
  };
}
