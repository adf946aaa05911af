/**
 * `flowsteer train`: trains the TF.js Flow-Director with CWRPO (or the GRPO / REINFORCE ablations) on the train
 * side of a seeded split of dataset slices. Writes `run.json`, `metrics.jsonl` and `checkpoints/iter-XXXX/` into
 * the run folder; `--resume DIR` continues a run exactly where its last checkpoint left it.
 * @public
 */
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createCwrpoTrainer,
  createTfjsPolicy,
  formatTfBackendInfo,
  isTfBackendPreference,
  METRICS,
  resumeCwrpoTrainer,
  selectTfBackend,
  splitTasks,
  TF_BACKEND_PREFERENCES,
  type CwrpoTrainer,
  type CwrpoTrainerDeps,
  type MetricsRow,
  type TrainerAlgorithm,
} from '@flowsteer/core';
import { cliActionSpace, NETWORK_PRESETS, readRunSettings, writeRunSettings, type RunSettings } from './policyRuntime.ts';
import { createProgressBar } from './progressBar.ts';
import { createRuntime, loadDatasets } from './runtime.ts';
import { fixed } from './table.ts';

export const TRAIN_HELP = `Usage: flowsteer train --datasets NAME[,NAME…] --run-dir DIR [options]
       flowsteer train --resume DIR [--iterations N]

Trains the TF.js Flow-Director on the train side of a seeded split (the test side is for
\`flowsteer eval --policy DIR\`). Prints one metrics line per iteration; writes run.json, metrics.jsonl
and checkpoints/iter-XXXX/ (policy, reference, optimizer and RNG state) into the run folder.

Options:
  --datasets, -d     comma-separated dataset names or .jsonl paths                       (required)
  --run-dir          run folder                                       (default runs/train-<time>)
  --resume DIR       continue the run in DIR from its newest checkpoint (its settings are reused)
  --iterations N     train until N iterations are complete                                (default 50)
  --group G          rollouts per task                                                      (default 4)
  --tasks-per-iter K tasks per iteration, balanced over datasets                            (default 9)
  --algorithm        cwrpo | grpo | reinforce                                           (default cwrpo)
  --lr               Adam learning rate                                                  (default 3e-3)
  --epochs           passes over each batch (always 1 for reinforce)                         (default 3)
  --checkpoint-every checkpoint every N iterations (and always on stop)                     (default 10)
  --seed             seed of weights, sampling and the sim executor                        (default 42)
  --network          policy size: tiny | small | default                                 (default small)
  --tf-backend       ${TF_BACKEND_PREFERENCES.join(' | ')}                          (default auto)
  --backend          LLM backend: sim (the simulated executor) or openai (OpenAI-compatible) (default sim)
  --model            openai: the executor model                     (default FLOWSTEER_LLM_MODEL)
  --base-url         openai: the endpoint, e.g. http://127.0.0.1:8000/v1  (default OPENAI_BASE_URL)
  --profile          sim profile: sim-4o-mini, sim-weak, sim-strong                (default sim-4o-mini)
  --limit, -n        first N records of each dataset
  --test-fraction    share of tasks held out for evaluation                                (default 0.2)
  --split-seed       seed of the train/test split                                    (default flowsteer)
  --data-dir         folder with dataset .jsonl files

Ctrl-C stops after the current iteration and writes a checkpoint.
Results produced with --backend sim come from the SIMULATED executor, not from an LLM.
`;

/** The live metrics line of one iteration. */
export function formatMetricsLine(row: MetricsRow, target: number): string {
  const pct = (value: number | undefined) => `${fixed(100 * (value ?? Number.NaN), 0)}%`;
  return (
    `iter ${row.iteration}/${target}  reward ${fixed(row[METRICS.rewardMean], 3)} [${fixed(row[METRICS.rewardMin], 2)}, ${fixed(row[METRICS.rewardMax], 2)}]` +
    `  feasible ${pct(row[METRICS.rewardFeasibleFrac])}  answer ${fixed(row[METRICS.answerScore], 3)}  shortcut ${pct(row[METRICS.shortcutRate])}` +
    `  turns ${fixed(row[METRICS.episodeTurns])}  ops ${fixed(row[METRICS.episodeOps])}  tokens ${fixed(row[METRICS.episodeTokens], 0)}` +
    `  loss ${fixed(row[METRICS.lossTotal], 4)}  kl ${fixed(row[METRICS.lossKl], 4)}  clip ${fixed(row[METRICS.policyClipFrac], 2)}` +
    `  entropy ${fixed(row[METRICS.policyEntropy], 2)}  |g| ${fixed(row[METRICS.gradNorm], 2)}` +
    `  ${fixed((row[METRICS.timeRolloutS] ?? 0) + (row[METRICS.timeUpdateS] ?? 0))}s (${fixed(row[METRICS.throughputStepsPerS], 0)} steps/s)`
  );
}

function positiveInt(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag}: expected a positive integer, got '${text}'`);
  return value;
}

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag}: expected a positive number, got '${text}'`);
  return value;
}

export async function trainCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      datasets: { type: 'string', short: 'd' },
      'run-dir': { type: 'string' },
      resume: { type: 'string' },
      iterations: { type: 'string' },
      group: { type: 'string', default: '4' },
      'tasks-per-iter': { type: 'string', default: '9' },
      algorithm: { type: 'string', default: 'cwrpo' },
      lr: { type: 'string', default: '3e-3' },
      epochs: { type: 'string' },
      'checkpoint-every': { type: 'string', default: '10' },
      seed: { type: 'string', default: '42' },
      network: { type: 'string', default: 'small' },
      'tf-backend': { type: 'string', default: 'auto' },
      backend: { type: 'string', default: 'sim' },
      model: { type: 'string' },
      'base-url': { type: 'string' },
      profile: { type: 'string' },
      limit: { type: 'string', short: 'n' },
      'test-fraction': { type: 'string', default: '0.2' },
      'split-seed': { type: 'string', default: 'flowsteer' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(TRAIN_HELP);
    return 0;
  }
  if (!values.datasets && !values.resume) {
    process.stderr.write(`flowsteer train: --datasets (or --resume DIR) is required\n\n${TRAIN_HELP}`);
    return 2;
  }
  const preference = values['tf-backend'];
  if (!isTfBackendPreference(preference)) throw new Error(`--tf-backend: expected one of ${TF_BACKEND_PREFERENCES.join(', ')}, got '${preference}'`);

  // The run's settings: from run.json when resuming (the split and executor must not change), else from the flags.
  const runDir = values.resume ?? values['run-dir'] ?? join('runs', `train-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const saved = values.resume ? await readRunSettings(values.resume) : undefined;
  if (values.resume && !saved) throw new Error(`--resume: expected a run folder with run.json, got ${values.resume}`);
  const limit = values.limit === undefined ? undefined : positiveInt('--limit', values.limit);
  const testFraction = Number(values['test-fraction']);
  if (!(testFraction >= 0 && testFraction < 1)) throw new Error(`--test-fraction: expected a number in [0, 1), got '${values['test-fraction']}'`);
  if (!(values.network in NETWORK_PRESETS)) throw new Error(`--network: expected one of ${Object.keys(NETWORK_PRESETS).join(', ')}, got '${values.network}'`);
  const settings: Omit<RunSettings, 'label'> = saved ?? {
    datasets: (values.datasets ?? '').split(',').map((name) => name.trim()).filter(Boolean),
    ...(limit === undefined ? {} : { limit }),
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    testFraction,
    splitSeed: values['split-seed'],
    backend: values.backend,
    ...(values.profile ? { profile: values.profile } : {}),
    network: values.network,
  };

  const { tasks, loaded } = await loadDatasets(settings.datasets, {
    ...(settings.limit === undefined ? {} : { limit: settings.limit }),
    ...(settings.dataDir ? { dataDir: settings.dataDir } : {}),
  });
  const { train, test } = splitTasks(tasks, { testFraction: settings.testFraction, seed: settings.splitSeed });
  process.stderr.write(`${loaded.map((l) => `${l.dataset}: ${l.count} from ${l.origin} ${l.path}`).join('\n')}\n`);
  process.stderr.write(`split ${settings.splitSeed}: ${train.length} train, ${test.length} held out for eval\n`);
  const seed = Number.parseInt(values.seed, 10);
  const runtime = createRuntime({
    backend: settings.backend,
    ...(settings.profile ? { profile: settings.profile } : {}),
    ...(values.model ? { model: values.model } : {}),
    ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}),
    seed,
    tasks,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const tfInfo = await selectTfBackend(preference, { fallback: true });
  process.stdout.write(`${runtime.label}\n${formatTfBackendInfo(tfInfo)}\n`);

  const space = cliActionSpace(runtime);
  let onRow: (row: MetricsRow) => void = () => {};
  const deps: CwrpoTrainerDeps = {
    tasks: train,
    registry: runtime.registry,
    // A fresh sim seed per episode, as repeated LLM samples differ; a real LLM is one shared backend.
    backendFor: (episodeSeed) => runtime.backendFor(episodeSeed),
    sandbox: runtime.sandbox,
    runDir,
    onMetrics: (row) => onRow(row),
  };
  let trainer: CwrpoTrainer;
  if (values.resume) {
    trainer = await resumeCwrpoTrainer(runDir, { ...deps, space });
    process.stdout.write(`resumed ${runDir} at iteration ${trainer.iteration} (${trainer.config.algorithm})\n`);
  } else {
    const algorithm = values.algorithm as TrainerAlgorithm;
    const policy = createTfjsPolicy({ space, seed, config: NETWORK_PRESETS[values.network] ?? {} });
    const group = positiveInt('--group', values.group);
    const tasksPerIteration = positiveInt('--tasks-per-iter', values['tasks-per-iter']);
    trainer = createCwrpoTrainer({
      ...deps,
      policy,
      config: {
        algorithm,
        groupSize: group,
        tasksPerIteration,
        miniBatchSize: group * tasksPerIteration,
        learningRate: positiveNumber('--lr', values.lr),
        // REINFORCE has no ratio, so it takes one epoch unless told otherwise (and validateConfig rejects more).
        ...(values.epochs === undefined && algorithm === 'reinforce' ? {} : { epochs: positiveInt('--epochs', values.epochs ?? '3') }),
        checkpointEvery: Number.parseInt(values['checkpoint-every'], 10),
        seed,
        ...(values.iterations === undefined ? {} : { iterations: positiveInt('--iterations', values.iterations) }),
      },
    });
    await writeRunSettings(runDir, { ...settings, label: runtime.label });
    process.stdout.write(`run ${runDir}: ${algorithm}, ${policy.network.parameterCount()} parameters, ${group} rollouts × ${tasksPerIteration} tasks per iteration\n`);
  }

  const target = values.iterations === undefined ? trainer.config.iterations : positiveInt('--iterations', values.iterations);
  const bar = createProgressBar('train', target);
  bar.update(trainer.iteration);
  onRow = (row) => {
    process.stdout.write(`${formatMetricsLine(row, target)}\n`);
    bar.update(row.iteration, `reward ${fixed(row[METRICS.rewardMean], 3)} feasible ${fixed(100 * (row[METRICS.rewardFeasibleFrac] ?? Number.NaN), 0)}%`);
  };
  const controller = new AbortController();
  // Every concurrent episode (and its executor) listens on this one signal: far more than Node's default of 10.
  setMaxListeners(0, controller.signal);
  const onSigint = () => {
    process.stderr.write('\nstopping after this iteration (a checkpoint follows)…\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    const result = await trainer.train({ iterations: target, signal: controller.signal });
    bar.finish(`${result.stopped} at iteration ${result.iteration}`);
    process.stdout.write(`${runtime.label}\ncheckpoint: ${result.checkpoint ?? '(none)'}\nmetrics: ${join(runDir, 'metrics.jsonl')}\n`);
    for (const line of runtime.usageLines()) process.stdout.write(`${line}\n`);
    process.stdout.write(`evaluate: flowsteer eval --policy ${runDir} --dataset ${settings.datasets.join(',')}\n`);
  } finally {
    process.removeListener('SIGINT', onSigint);
    trainer.dispose();
  }
  return 0;
}
