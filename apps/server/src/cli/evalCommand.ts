/**
 * `flowsteer eval`: evaluates one workflow (DSL), or a policy (`--policy`: a trained checkpoint or a baseline) by
 * running environment episodes, on dataset slices and prints a per-dataset table.
 * @public
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  evaluateWorkflow,
  isDecodingName,
  isTfBackendPreference,
  parseDsl,
  printDsl,
  selectTfBackend,
  splitTasks,
  type DatasetSummary,
  type EvalReport,
  type Task,
} from '@flowsteer/core';
import { BASELINE_POLICIES, cliActionSpace, evaluatePolicy, loadCliPolicy, readRunSettings, resolvePolicyPath } from './policyRuntime.ts';
import { createProgressBar } from './progressBar.ts';
import { createRuntime, loadDatasets, type LoadedDataset, type Runtime } from './runtime.ts';
import { fixed, renderTable } from './table.ts';

export const EVAL_HELP = `Usage: flowsteer eval --dataset NAME[,NAME…] --workflow "<DSL>" [options]
       flowsteer eval --dataset NAME[,NAME…] --policy RUN_DIR|CHECKPOINT_DIR|${BASELINE_POLICIES.join('|')} [options]

Evaluates a fixed workflow on dataset slices and prints score (the paper's metric), feasibility,
mean tokens and mean latency per dataset. With --policy, runs one environment episode per task
(a trained policy decodes as --decoding says; random samples; the fixed workflows build their workflow
per task kind) on the test side of the split (the run's own split for a trained policy).

Options:
  --dataset, -d     comma-separated dataset names (gsm8k, math, hotpotqa, squad_v2, mbpp, humaneval,
                    triviaqa, nq, mathqa, ds1000) or paths to .jsonl files            (required)
  --workflow, -w    workflow DSL, e.g. "Plan -> Programmer -> Verify ? Revise : done -> Format"
  --policy          a run folder, checkpoint folder or policy folder from \`flowsteer train\`, or a
                    baseline: ${BASELINE_POLICIES.join(', ')}  (--workflow or --policy is required)
  --split           all | train | test                    (default test with --policy, else all)
  --test-fraction   held-out share for --split            (default: the run's, else 0.2)
  --split-seed      split seed for --split                (default: the run's, else flowsteer)
  --tf-backend      tfjs backend for a trained policy     (default auto)
  --decoding        a trained policy's decoding: greedy (arg-max), paper (temperature 0.6, top-p 0.95,
                    the paper's evaluation) or sample (its training distribution)      (default greedy)
  --backend         LLM backend: sim (the simulated executor) or openai (any OpenAI-compatible
                    endpoint: OPENAI_BASE_URL, OPENAI_API_KEY, FLOWSTEER_LLM_MODEL …)     (default sim)
  --model           openai: the executor model                  (default FLOWSTEER_LLM_MODEL)
  --base-url        openai: the endpoint, e.g. http://127.0.0.1:8000/v1 (default OPENAI_BASE_URL)
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
      policy: { type: 'string' },
      split: { type: 'string' },
      'test-fraction': { type: 'string' },
      'split-seed': { type: 'string' },
      'tf-backend': { type: 'string', default: 'auto' },
      decoding: { type: 'string', default: 'greedy' },
      backend: { type: 'string', default: 'sim' },
      model: { type: 'string' },
      'base-url': { type: 'string' },
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
  if (!values.dataset || (!values.workflow && !values.policy)) {
    process.stderr.write(`flowsteer eval: --dataset and --workflow are required (or --policy instead of --workflow)\n\n${EVAL_HELP}`);
    return 2;
  }
  const limit = values.limit === undefined ? undefined : positiveInt('--limit', values.limit);
  const concurrency = positiveInt('--concurrency', values.concurrency);
  const seed = Number.parseInt(values.seed, 10);
  const names = values.dataset.split(',').map((name) => name.trim()).filter(Boolean);
  const { tasks, loaded } = await loadDatasets(names, { ...(limit === undefined ? {} : { limit }), ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}) });
  process.stderr.write(`${describeSources(loaded)}\n`);
  for (const l of loaded) for (const error of l.errors.slice(0, 5)) process.stderr.write(`  skipped ${error.file}:${error.line}: ${error.message}\n`);
  const runtime = createRuntime({
    backend: values.backend,
    ...(values.profile ? { profile: values.profile } : {}),
    ...(values.model ? { model: values.model } : {}),
    ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}),
    seed,
    tasks,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stderr.write(`${runtime.label}\n`);
  if (values.policy) return evalPolicyCommand(values.policy, tasks, runtime, { ...values, concurrency, seed, json: values.json });
  const canvas = parseDsl(values.workflow ?? '');

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
  for (const line of runtime.usageLines()) process.stdout.write(`${line}\n`);
  if (values.json) {
    await writeFile(
      values.json,
      JSON.stringify({ label: runtime.label, backend: runtime.backend.name, model: runtime.backend.model, workflow: printDsl(canvas), sources: loaded, ...report }, null, 2),
    );
    process.stderr.write(`wrote ${values.json}\n`);
  }
  return 0;
}

/** `eval --policy`: episodes on the chosen side of the split, the same table plus shortcut rate and turns. */
async function evalPolicyCommand(
  spec: string,
  allTasks: readonly Task[],
  runtime: Runtime,
  options: {
    split?: string | undefined;
    'test-fraction'?: string | undefined;
    'split-seed'?: string | undefined;
    'tf-backend': string;
    decoding: string;
    concurrency: number;
    seed: number;
    json?: string | undefined;
  },
): Promise<number> {
  const baseline = (BASELINE_POLICIES as readonly string[]).includes(spec);
  const decoding = options.decoding;
  if (!isDecodingName(decoding)) throw new Error(`--decoding: expected greedy, paper or sample, got '${decoding}'`);
  const run = baseline ? undefined : await resolvePolicyPath(spec).then((at) => (at.runDir ? readRunSettings(at.runDir) : undefined));
  const split = options.split ?? 'test';
  if (!['all', 'train', 'test'].includes(split)) throw new Error(`--split: expected all, train or test, got '${split}'`);
  const testFraction = options['test-fraction'] === undefined ? (run?.testFraction ?? 0.2) : Number(options['test-fraction']);
  const splitSeed = options['split-seed'] ?? run?.splitSeed ?? 'flowsteer';
  const sides = splitTasks(allTasks, { testFraction, seed: splitSeed });
  const tasks = split === 'all' ? [...allTasks] : sides[split as 'train' | 'test'];
  process.stderr.write(`split ${split}${split === 'all' ? '' : ` (test fraction ${testFraction}, seed ${splitSeed})`}: ${tasks.length} tasks\n`);
  if (!baseline) {
    const preference = options['tf-backend'];
    if (!isTfBackendPreference(preference)) throw new Error(`--tf-backend: expected auto|webgpu|tensorflow|wasm|cpu, got '${preference}'`);
    await selectTfBackend(preference, { fallback: true, log: (line) => process.stderr.write(`${line}\n`) });
  }
  const loaded = await loadCliPolicy(spec, cliActionSpace(runtime), options.seed, { registry: runtime.registry, llmBackend: runtime.llmBackend, decoding });
  const bar = createProgressBar('eval', tasks.length);
  let correct = 0;
  try {
    const report = await evaluatePolicy(loaded.policy, tasks, runtime, {
      decoding: loaded.decoding,
      onProgress: (done, _total, item) => {
        if (item.score.correct) correct += 1;
        bar.update(done, `correct ${correct}/${done}`);
      },
    });
    bar.finish(`correct ${correct}/${tasks.length} in ${(report.wallMs / 1000).toFixed(1)}s`);
    process.stdout.write(`${renderEvalTable(report.datasets, runtime.label, loaded.name, runtime.backend.simulated)}\n`);
    for (const line of runtime.usageLines()) process.stdout.write(`${line}\n`);
    process.stdout.write(`shortcut rate ${fixed(100 * report.shortcutRate)}%, mean turns ${fixed(report.meanTurns)} (episodes on the ${split} split)\n`);
    if (options.json) {
      await writeFile(options.json, JSON.stringify({ label: runtime.label, backend: runtime.backend.name, model: runtime.backend.model, policy: loaded.name, split, ...report }, null, 2));
      process.stderr.write(`wrote ${options.json}\n`);
    }
  } finally {
    loaded.dispose();
  }
  return 0;
}

function positiveInt(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag}: expected a positive integer, got '${text}'`);
  return value;
}
