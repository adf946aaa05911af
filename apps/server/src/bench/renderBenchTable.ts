/**
 * The `flowsteer bench` table: one row per benchmark with the measured metric, cost and feasibility beside the
 * paper's published FlowSteer number and its backbone, then the suite averages. With the sim backend the title
 * and the footer say SIMULATED, and the measured column headers carry `sim`, so no copied fragment of the table
 * reads as an LLM result.
 * @public
 */
import { fixed, renderTable } from '../cli/table.ts';
import type { BenchAverage, BenchReport, BenchRow } from './benchReport.ts';
import { PAPER_AVERAGES } from './paperResults.ts';

const METRIC_LABEL: Readonly<Record<BenchRow['metric'], string>> = { accuracy: 'accuracy', em_f1: 'EM / F1', 'pass@1': 'pass@1' };

/** Renders the report as a plain-text (Markdown-compatible) table with its footer. @public */
export function renderBenchTable(report: BenchReport): string {
  const sim = report.simulated ? 'sim ' : '';
  const rows = [
    ...report.rows.map(rowCells),
    ...report.averages.map(averageCells),
  ];
  const subject = report.subject.kind === 'policy' ? `policy: ${report.subject.name}` : `workflow: ${report.subject.name}`;
  return renderTable({
    title: [`flowsteer bench — ${report.label}`, subject, `paper column: FlowSteer as published (executor ${report.paperBackbone}, spec §7)`].join('\n'),
    columns: ['suite', 'dataset', 'n', 'metric', `${sim}score`, `${sim}F1`, `${sim}tokens`, `${sim}cost $`, `${sim}turns`, `${sim}feasible %`, 'paper', 'paper F1', 'paper backbone'],
    rows,
    footer: footer(report),
  });
}

function rowCells(row: BenchRow): (string | number)[] {
  const ran = row.score !== undefined;
  // The reason goes beside the name, not into the score column, so the numeric columns stay right-aligned.
  const missing = row.status === 'not_supplied' ? ' (not supplied)' : row.status === 'empty' ? ' (no records)' : '';
  return [
    row.split.toUpperCase(),
    `${row.displayName}${missing}`,
    ran ? row.n : '—',
    METRIC_LABEL[row.metric],
    fixed(row.score, 2),
    fixed(row.f1, 2),
    fixed(row.meanTokens, 0),
    row.meanCostUsd === undefined ? '—' : row.meanCostUsd.toFixed(5),
    fixed(row.meanTurns, 1),
    fixed(row.feasible, 1),
    fixed(row.paper?.score, 2),
    fixed(row.paper?.f1, 2),
    row.paper?.backbone ?? '—',
  ];
}

function averageCells(average: BenchAverage): (string | number)[] {
  return [
    average.split.toUpperCase(),
    `average (${average.datasets.length} of 6)`,
    average.n,
    'mean score',
    fixed(average.score, 2),
    '—',
    fixed(average.meanTokens, 0),
    average.meanCostUsd.toFixed(5),
    fixed(average.meanTurns, 1),
    fixed(average.feasible, 1),
    fixed(average.paperSameDatasets, 2),
    '—',
    '(same datasets)',
  ];
}

function footer(report: BenchReport): string[] {
  const lines: string[] = [];
  if (report.simulated) {
    lines.push(
      `SIMULATED: every measured number (score, F1, tokens, cost, turns, feasible) comes from the simulated executor (${report.model}), not from an LLM; only the paper columns are LLM results.`,
    );
  }
  lines.push(
    'score: accuracy (math), EM (QA; F1 beside it), pass@1 on the dataset\'s hidden tests in the sandbox (code; never the workflow\'s own Test verdict).',
    `averages: mean of the suite's headline scores (EM for QA); the paper average is over the same datasets. Published: IID ${PAPER_AVERAGES.iid.score}, OOD ${PAPER_AVERAGES.ood.score} (rebuttal, OOD incl. AIME 2025 and APPS); paper Tables 3/4 print ${PAPER_AVERAGES.tables.iid} / ${PAPER_AVERAGES.tables.ood} (rule unverified).`,
    report.subject.kind === 'policy' ? 'turns: environment rounds per episode (the paper\'s "turns").' : 'turns: — (a fixed workflow is not built turn by turn).',
  );
  for (const row of report.rows) {
    if (row.status === 'not_supplied') lines.push(`${row.displayName}: not supplied — ${row.reason ?? 'no file found'}.`);
    else if (row.status === 'empty') lines.push(`${row.displayName}: ${row.reason ?? 'no usable records'}.`);
  }
  if (report.rows.some((row) => row.dataset === 'ds1000' && row.score !== undefined)) {
    lines.push('DS-1000: its hidden tests import numpy/pandas/scipy/sklearn/torch/tensorflow/matplotlib; a library missing from the sandbox python fails them (scores 0).');
  }
  const swapped = report.rows.some((row) => row.paper && row.paper.backbone !== 'gpt-4o-mini');
  if (swapped) lines.push('paper numbers for non-GPT-4o-mini backbones are read off the v1 backend-swap figure (spec §7.5): lower confidence.');
  lines.push('data: evaluation slices, not the paper\'s 128-item eval files (spec §6), so compare in kind, not item for item.');
  return lines;
}
