/**
 * `flowsteer bench`: evaluates a policy (trained checkpoint, LLM director, baseline) or a fixed workflow on the
 * paper's benchmark suites and prints each result beside FlowSteer's published number (spec §7.1). Progress goes to
 * stderr; the table, or with `--json` the report object, to stdout.
 * @public
 */
import { parseArgs } from 'node:util';
import { isTfBackendPreference, parseDsl, selectTfBackend, splitTasks, type Task } from '@flowsteer/core';
import { loadBenchDatasets, selectBenchDatasets, type BenchDataset } from '../bench/benchSuites.ts';
import { renderBenchTable } from '../bench/renderBenchTable.ts';
import { runBench, type BenchTarget } from '../bench/runBench.ts';
import { AppError } from '../errors.ts';
import { BASELINE_POLICIES, cliActionSpace, LLM_POLICY_PREFIX, loadCliPolicy, readRunSettings, resolvePolicyPath } from './policyRuntime.ts';
import { createProgressBar } from './progressBar.ts';
import { createRuntime, loadDatasets } from './runtime.ts';

export const BENCH_HELP = `Usage: flowsteer bench --policy RUN_DIR|CHECKPOINT_DIR|llm:<name>|${BASELINE_POLICIES.join('|')} [options]
       flowsteer bench --workflow "<DSL>" [options]

Evaluates a policy (one environment episode per task) or a fixed workflow on the paper's benchmark
suites and prints, per benchmark, its metric (accuracy; EM and F1; pass@1 on the hidden tests), mean
tokens, cost, turns (policies) and feasible %, beside FlowSteer's published number and the executor
backbone it was measured with, plus IID/OOD averages.

Suites: iid = GSM8K, MATH, HotpotQA, SQuAD v2, MBPP, HumanEval
        ood = TriviaQA, NQ, MathQA, DS-1000, and AIME 2025 / APPS when their files are supplied
              (aime2025.jsonl / apps.jsonl in --data-dir or FLOWSTEER_DATA_DIR; "not supplied" otherwise)

Options:
  --policy          a run/checkpoint/policy folder from \`flowsteer train\`, an LLM director (llm:<name>)
                    or a baseline: ${BASELINE_POLICIES.join(', ')}
  --workflow, -w    a fixed workflow DSL instead of a policy        (exactly one of --policy, --workflow)
  --suite           iid | ood | all | a comma list of suites and datasets                (default all)
  --limit, -n       first N tasks of each dataset (a trained policy: of its test split)
  --backend         executor LLM: sim (the simulated executor) or openai (any OpenAI-compatible endpoint:
                    OPENAI_BASE_URL, OPENAI_API_KEY, FLOWSTEER_LLM_MODEL …)               (default sim)
  --model           openai: the executor model                      (default FLOWSTEER_LLM_MODEL)
  --base-url        openai: the endpoint, e.g. http://127.0.0.1:8000/v1  (default OPENAI_BASE_URL)
  --profile         sim profile: sim-4o-mini, sim-weak, sim-strong                  (default sim-4o-mini)
  --seed            sim and random-policy seed                                                (default 0)
  --concurrency, -c tasks (workflow) or episodes (policy) at once      (default 4 / every episode)
  --tf-backend      tfjs backend for a trained policy                                      (default auto)
  --data-dir        folder with dataset .jsonl files (else FLOWSTEER_DATA_DIR, ../shared/datasets, bundled)
  --json            print the report as one JSON object instead of the table

Results produced with --backend sim come from the SIMULATED executor, not from an LLM, and say so.
`;

export async function benchCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      policy: { type: 'string' },
      workflow: { type: 'string', short: 'w' },
      suite: { type: 'string', default: 'all' },
      limit: { type: 'string', short: 'n' },
      backend: { type: 'string', default: 'sim' },
      model: { type: 'string' },
      'base-url': { type: 'string' },
      profile: { type: 'string' },
      seed: { type: 'string', default: '0' },
      concurrency: { type: 'string', short: 'c' },
      'tf-backend': { type: 'string', default: 'auto' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(BENCH_HELP);
    return 0;
  }
  if ((values.policy === undefined) === (values.workflow === undefined)) {
    const got = values.policy === undefined ? 'neither' : 'both';
    process.stderr.write(`flowsteer bench: expected exactly one of --policy and --workflow, got ${got}\n\n${BENCH_HELP}`);
    return 2;
  }
  const limit = values.limit === undefined ? undefined : positiveInt('--limit', values.limit);
  const concurrency = values.concurrency === undefined ? undefined : positiveInt('--concurrency', values.concurrency);
  const seed = integer('--seed', values.seed);
  const infos = selectBenchDatasets(values.suite);
  // Parse the DSL before loading anything: a typo should cost nothing.
  const canvas = values.workflow === undefined ? undefined : parseDsl(values.workflow);
  const tfBackend = values['tf-backend'];
  if (!isTfBackendPreference(tfBackend)) throw new AppError('BAD_USER_INPUT', `[bench] --tf-backend: expected auto|webgpu|tensorflow|wasm|cpu, got '${tfBackend}'`);

  const checkpoint = values.policy === undefined ? undefined : await trainedPolicySplit(values.policy);
  const datasets = await loadBenchDatasets(infos, {
    ...(limit === undefined ? {} : { limit }),
    ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
    ...(checkpoint?.keep ? { keep: checkpoint.keep } : {}),
  });
  process.stderr.write(`${describeSources(datasets)}\n`);
  for (const d of datasets) for (const error of d.errors.slice(0, 5)) process.stderr.write(`  skipped ${error.file}:${error.line}: ${error.message}\n`);
  const tasks: Task[] = datasets.flatMap((dataset) => [...dataset.tasks]);
  const runtime = createRuntime({
    backend: values.backend,
    ...(values.profile === undefined ? {} : { profile: values.profile }),
    ...(values.model === undefined ? {} : { model: values.model }),
    ...(values['base-url'] === undefined ? {} : { baseUrl: values['base-url'] }),
    seed,
    tasks,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stderr.write(`${runtime.label}\n`);

  let target: BenchTarget;
  let dispose = () => {};
  if (canvas) {
    target = { kind: 'workflow', canvas, spec: values.workflow ?? '' };
  } else {
    const spec = values.policy ?? '';
    if (checkpoint) await selectTfBackend(tfBackend, { fallback: true, log: (line) => process.stderr.write(`${line}\n`) });
    const loaded = await loadCliPolicy(spec, cliActionSpace(runtime), seed, { registry: runtime.registry, llmBackend: runtime.llmBackend });
    target = { kind: 'policy', policy: loaded.policy, name: loaded.name, decoding: loaded.decoding, spec };
    dispose = () => loaded.dispose();
  }

  const bar = createProgressBar('bench', tasks.length);
  let correct = 0;
  try {
    const report = await runBench({
      target,
      datasets,
      runtime,
      seed,
      ...(limit === undefined ? {} : { limit }),
      ...(concurrency === undefined ? {} : { concurrency }),
      onProgress: (done, _total, item) => {
        if (item.score.correct) correct += 1;
        bar.update(done, `${item.dataset} · correct ${correct}/${done}`);
      },
    });
    bar.finish(`correct ${correct}/${tasks.length} in ${(report.wallMs / 1000).toFixed(1)}s`);
    // Real backends' calls, cache hit rate and billed cost; read after the run, when they are final.
    const llmUsage = runtime.usageLines();
    if (values.json) process.stdout.write(`${JSON.stringify(llmUsage.length > 0 ? { ...report, llmUsage } : report)}\n`);
    else process.stdout.write(`${renderBenchTable(report)}\n${llmUsage.map((line) => `${line}\n`).join('')}`);
  } finally {
    dispose();
  }
  return 0;
}

/**
 * For a trained policy whose run folder records its split: leave out the tasks it trained on (the train side of
 * its split, over the datasets it trained on, loaded as training loaded them), so it is never scored on them.
 * Undefined for a baseline or an LLM director; `keep` is absent for a bare policy folder with no run settings.
 */
async function trainedPolicySplit(spec: string): Promise<{ keep?: (task: Task) => boolean } | undefined> {
  if ((BASELINE_POLICIES as readonly string[]).includes(spec) || spec.startsWith(LLM_POLICY_PREFIX)) return undefined;
  const at = await resolvePolicyPath(spec).catch(() => undefined);
  if (!at) return undefined; // Not a folder: let loadCliPolicy judge the spec and say what it expected.
  const run = at.runDir ? await readRunSettings(at.runDir) : undefined;
  if (!run) return {};
  const { tasks } = await loadDatasets(run.datasets, {
    ...(run.limit === undefined ? {} : { limit: run.limit }),
    ...(run.dataDir === undefined ? {} : { dataDir: run.dataDir }),
  });
  const trainedOn = new Set(splitTasks(tasks, { testFraction: run.testFraction, seed: run.splitSeed }).train.map((task) => task.id));
  process.stderr.write(`trained policy: its ${trainedOn.size} training tasks (${run.datasets.join(', ')}, split seed ${run.splitSeed}) are left out\n`);
  return { keep: (task) => !trainedOn.has(task.id) };
}

function describeSources(datasets: readonly BenchDataset[]): string {
  return datasets
    .map((d) => {
      if (d.status === 'not_supplied') return `${d.info.name}: not supplied`;
      const skipped = d.errors.length > 0 ? ` (${d.errors.length} bad lines skipped)` : '';
      const excluded = d.excluded > 0 ? ` (${d.excluded} training tasks left out)` : '';
      return `${d.info.name}: ${d.tasks.length} from ${d.origin ?? 'shared'} ${d.path ?? ''}${skipped}${excluded}`;
    })
    .join('\n');
}

function positiveInt(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new AppError('BAD_USER_INPUT', `[bench] ${flag}: expected a positive integer, got '${text}'`);
  return value;
}

function integer(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value)) throw new AppError('BAD_USER_INPUT', `[bench] ${flag}: expected an integer, got '${text}'`);
  return value;
}
