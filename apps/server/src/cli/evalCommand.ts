/**
 * `flowsteer eval`: evaluates one workflow (DSL) on dataset slices and prints a per-dataset table.
 * @public
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { evaluateWorkflow, parseDsl, printDsl, type DatasetSummary, type EvalReport } from '@flowsteer/core';
import { createProgressBar } from './progressBar.ts';
import { createRuntime, loadDatasets, type LoadedDataset } from './runtime.ts';
import { fixed, renderTable } from './table.ts';

export const EVAL_HELP = `Usage: flowsteer eval --dataset NAME[,NAME…] --workflow "<DSL>" [options]

Evaluates a fixed workflow on dataset slices and prints score (the paper's metric), feasibility,
mean tokens and mean latency per dataset.

Options:
  --dataset, -d     comma-separated dataset names (gsm8k, math, hotpotqa, squad_v2, mbpp, humaneval,
                    triviaqa, nq, mathqa, ds1000) or paths to .jsonl files            (required)
  --workflow, -w    workflow DSL, e.g. "Plan -> Programmer -> Verify ? Revise : done -> Format" (required)
  --backend         LLM backend: sim (the simulated executor)                           (default sim)
  --profile         sim profile: sim-4o-mini, sim-weak, sim-strong                      (default sim-4o-mini)
  --limit, -n       first N records of each dataset
  --concurrency, -c tasks evaluated at once                                             (default 4)
  --seed            sim seed                                                            (default 0)
  --data-dir        folder with dataset .jsonl files (else FLOWSTEER_DATA_DIR, ../shared/datasets, bundled samples)
  --json FILE       also write the full report as JSON
`;

/** Renders the per-dataset results table. */
export function renderEvalTable(datasets: readonly DatasetSummary[], label: string, workflow: string, simulated = true): string {
  // Latency and cost of the sim backend are what the profiled model would have taken and charged, not measured.
  const sim = simulated ? 'sim ' : '';
  return renderTable({
    title: `${label}\nworkflow: ${workflow}`,
    columns: ['dataset', 'n', 'metric', 'score', 'F1', 'feasible %', 'reward', 'tokens', `${sim}cost $`, `${sim}latency ms`, 'errors'],
    rows: datasets.map((d) => [
      d.dataset,
      d.n,
      d.metric === 'em_f1' ? 'EM' : d.metric,
      fixed(d.score),
      d.f1 === undefined ? '—' : fixed(d.f1),
      fixed(d.feasible),
      fixed(d.meanReward, 3),
      fixed(d.meanTokens, 0),
      d.meanCostUsd.toFixed(5),
      fixed(d.meanLatencyMs, 0),
      d.errors,
    ]),
  });
}

function describeSources(loaded: readonly LoadedDataset[]): string {
  return loaded
    .map((l) => `${l.dataset}: ${l.count} from ${l.origin} ${l.path}${l.errors.length > 0 ? ` (${l.errors.length} bad lines skipped)` : ''}`)
    .join('\n');
}

export async function evalCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      dataset: { type: 'string', short: 'd' },
      workflow: { type: 'string', short: 'w' },
      backend: { type: 'string', default: 'sim' },
      profile: { type: 'string' },
      limit: { type: 'string', short: 'n' },
      concurrency: { type: 'string', short: 'c', default: '4' },
      seed: { type: 'string', default: '0' },
      'data-dir': { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(EVAL_HELP);
    return 0;
  }
  if (!values.dataset || !values.workflow) {
    process.stderr.write(`flowsteer eval: --dataset and --workflow are required\n\n${EVAL_HELP}`);
    return 2;
  }
  const limit = values.limit === undefined ? undefined : positiveInt('--limit', values.limit);
  const concurrency = positiveInt('--concurrency', values.concurrency);
  const seed = Number.parseInt(values.seed, 10);
  const canvas = parseDsl(values.workflow);
  const names = values.dataset.split(',').map((name) => name.trim()).filter(Boolean);
  const { tasks, loaded } = await loadDatasets(names, { ...(limit === undefined ? {} : { limit }), ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}) });
  process.stderr.write(`${describeSources(loaded)}\n`);
  for (const l of loaded) for (const error of l.errors.slice(0, 5)) process.stderr.write(`  skipped ${error.file}:${error.line}: ${error.message}\n`);
  const runtime = createRuntime({ backend: values.backend, ...(values.profile ? { profile: values.profile } : {}), seed, tasks });
  process.stderr.write(`${runtime.label}\n`);

  const bar = createProgressBar('eval', tasks.length);
  let correct = 0;
  const report: EvalReport = await evaluateWorkflow(canvas, tasks, {
    registry: runtime.registry,
    backend: runtime.backend,
    sandbox: runtime.sandbox,
    concurrency,
    onProgress: (done, _total, item) => {
      if (item.score.correct) correct += 1;
      bar.update(done, `correct ${correct}/${done}`);
    },
  });
  bar.finish(`correct ${correct}/${tasks.length} in ${(report.wallMs / 1000).toFixed(1)}s`);
  process.stdout.write(`${renderEvalTable(report.datasets, runtime.label, printDsl(canvas), report.simulated)}\n`);
  if (values.json) {
    await writeFile(
      values.json,
      JSON.stringify({ label: runtime.label, backend: runtime.backend.name, model: runtime.backend.model, workflow: printDsl(canvas), sources: loaded, ...report }, null, 2),
    );
    process.stderr.write(`wrote ${values.json}\n`);
  }
  return 0;
}

function positiveInt(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag}: expected a positive integer, got '${text}'`);
  return value;
}
