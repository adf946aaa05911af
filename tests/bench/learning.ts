/**
 * Benchmark 1 (issue 3): does the trainer learn? On the SIMULATED executor with a mixed training set (math, QA and
 * code sources) and a seeded held-out split, one run trains CWRPO, GRPO and REINFORCE from the same initial
 * policy with the same batch sizes and the same wall-time budget, then evaluates them, the random policy and the
 * fixed workflows (CoT, self-consistency, hand-designed) on the held-out tasks with the same environment (full
 * conditional-release reward, 20 rounds, one executor seed). Prints the held-out table, the learning curves and
 * the goal checks: CWRPO ≥ 95% feasible, a higher answer score than every fixed workflow, a higher reward than
 * GRPO. It asserts nothing: the table is the result, whatever it shows.
 *
 * Run: pnpm exec tsx tests/bench/learning.ts [--iterations 1000] [--budget-min 13] [--vocab 8192] [--datasets gsm8k,hotpotqa,mbpp]
 *        [--limit 200] [--test-fraction 0.3] [--group 4] [--tasks-per-iter 9] [--epochs 3] [--lr 3e-3]
 *        [--algorithms cwrpo,grpo,reinforce] [--seed 42] [--tf-backend wasm] [--eval-modes paper,greedy,sample]
 *        [--demos N --demo-weight 0.1] [--fixed-executor-seed] [--group-by task|source] [--show-workflows]
 * Each algorithm trains in its own process (`--parallel`, default on), all at once, for `--iterations` iterations or
 * until `--budget-min` of training wall time has passed; the OS shares the machine's cores between them, so each gets
 * the same slice (on 2 cores and 3 algorithms, about 2/3 of a core for the whole budget). `--no-parallel` trains them
 * one after another in this process with an equal share of the budget each. Evaluation comes on top. The defaults
 * fit in about 15 minutes on a 2-core machine.
 * `--demos N` warm-starts every algorithm alike with N demonstrations per source (default 0: pure RL).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  ActionSpace,
  buildDemonstrations,
  createCachedSandbox,
  createCwrpoTrainer,
  createFixedWorkflowPolicy,
  createPythonSandbox,
  createRandomPolicy,
  createTemplateLibrary,
  createTfjsPolicy,
  DECODINGS,
  FIXED_WORKFLOWS,
  formatTfBackendInfo,
  isDecodingName,
  isTfBackendPreference,
  loadDataset,
  METRICS,
  runRollouts,
  selectTfBackend,
  splitTasks,
  TfjsPolicy,
  WorkflowEnv,
  type BatchPolicy,
  type Decision,
  type DecodingName,
  type DemoTrajectory,
  type MetricsRow,
  type PolicyNetworkConfig,
  type Task,
  type TrainerAlgorithm,
  type Trajectory,
} from '@flowsteer/core';
import { createOperatorRegistry, createSimBackend, DEFAULT_SIM_PROFILE } from '@flowsteer/operators';
import { fixed, NETWORK_PRESETS, renderTable } from '@flowsteer/server';

const { values: args } = parseArgs({
  options: {
    'budget-min': { type: 'string', default: '13' },
    iterations: { type: 'string', default: '1000' },
    datasets: { type: 'string', default: 'gsm8k,hotpotqa,mbpp' },
    limit: { type: 'string', default: '200' },
    'test-fraction': { type: 'string', default: '0.3' },
    group: { type: 'string', default: '4' },
    'tasks-per-iter': { type: 'string', default: '9' },
    lr: { type: 'string', default: '3e-3' },
    epochs: { type: 'string', default: '3' },
    'entropy-coef': { type: 'string', default: '0' },
    'tf-backend': { type: 'string', default: 'wasm' },
    algorithms: { type: 'string', default: 'cwrpo,grpo,reinforce' },
    profile: { type: 'string', default: DEFAULT_SIM_PROFILE },
    seed: { type: 'string', default: '42' },
    'curve-every': { type: 'string', default: '10' },
    vocab: { type: 'string' },
    'show-workflows': { type: 'boolean', default: false },
    'kl-beta': { type: 'string' },
    minibatch: { type: 'string' },
    'group-by': { type: 'string', default: 'task' },
    demos: { type: 'string', default: '0' },
    'demo-weight': { type: 'string', default: '0.1' },
    'eval-modes': { type: 'string', default: 'paper,greedy' },
    'fixed-executor-seed': { type: 'boolean', default: false },
    parallel: { type: 'boolean', default: true },
    'no-parallel': { type: 'boolean', default: false },
    // Internal: a child process trains one algorithm and writes its policy + history to --out.
    'train-only': { type: 'string' },
    out: { type: 'string' },
  },
});
const trainOnly = args['train-only'];
const parallel = args.parallel === true && args['no-parallel'] !== true && trainOnly === undefined;

const num = (name: keyof typeof args): number => Number(args[name]);
/** The CLI's default network (`small`: one pre-LN block, 0.28M parameters, most of them the hashed token embedding). */
const NETWORK: Partial<PolicyNetworkConfig> = { ...NETWORK_PRESETS.small, ...(args.vocab === undefined ? {} : { vocab: Number(args.vocab) }) };
const EVAL_SEED = 1_000_003; // one executor seed for every evaluated policy, never used in training
const started = performance.now();
const seconds = () => ((performance.now() - started) / 1000).toFixed(0);
const log = (line: string) => process.stderr.write(`[${seconds()}s]${trainOnly ? ` [${trainOnly}]` : ''} ${line}\n`);

const preference = args['tf-backend'];
if (!isTfBackendPreference(preference)) throw new Error(`--tf-backend: expected auto|webgpu|tensorflow|wasm|cpu, got ${preference}`);
const backendInfo = await selectTfBackend(preference);
log(formatTfBackendInfo(backendInfo));

// Data: a seeded split per task id, so the held-out tasks never appear in training.
const tasks: Task[] = [];
for (const name of (args.datasets ?? '').split(',').filter(Boolean)) {
  const loaded = await loadDataset(name, { limit: num('limit') });
  log(`${name}: ${loaded.tasks.length} tasks from ${loaded.resolved.origin} ${loaded.resolved.path}`);
  tasks.push(...loaded.tasks);
}
const { train, test } = splitTasks(tasks, { testFraction: num('test-fraction'), seed: `learning-${args.seed}` });
log(`split: ${train.length} train, ${test.length} held-out`);

const byId = new Map(tasks.map((task) => [task.id, task]));
const oracle = (id: string) => byId.get(id);
const registry = createOperatorRegistry();
const sandbox = createCachedSandbox(createPythonSandbox());
const space = new ActionSpace({ operators: registry.names(), templates: createTemplateLibrary() });
const backendFor = (seed: number) => createSimBackend({ profile: args.profile, seed, oracle });
const seed = num('seed');

// Optional warm start (`--demos N`): N training tasks per source replayed through the hand-designed workflow of
// their kind, with a Format added to the code workflow so that every demonstration is feasible. Every algorithm
// gets the same demonstrations; the default (0) is pure RL.
const DEMO_WORKFLOWS: Readonly<Record<Task['kind'], string>> = {
  ...FIXED_WORKFLOWS.handDesigned,
  code: `${FIXED_WORKFLOWS.handDesigned.code} -> Format`,
};
let demonstrations: DemoTrajectory[] = [];
if (num('demos') > 0) {
  const perSource = new Map<string, Task[]>();
  for (const task of train) perSource.set(task.dataset, [...(perSource.get(task.dataset) ?? []), task].slice(0, num('demos')));
  const featurizer = createTfjsPolicy({ space, seed, config: NETWORK });
  demonstrations = await buildDemonstrations(
    [...perSource.values()].flat().map((task) => ({ task, workflow: DEMO_WORKFLOWS[task.kind] })),
    { space, featurize: (observation) => featurizer.featurize(observation), makeEnv: () => new WorkflowEnv({ registry, backend: backendFor(seed), sandbox }) },
  );
  featurizer.dispose();
  log(`demonstrations: ${demonstrations.length} (${demonstrations.reduce((n, d) => n + d.decisions.length, 0)} decisions), weight ${args['demo-weight']}`);
}

// Training: every algorithm starts from the same weights and gets the same wall-time budget.
interface TrainedRun {
  readonly policy: BatchPolicy & { dispose?: () => void };
  readonly history: readonly MetricsRow[];
  readonly seconds: number;
  readonly parameters: number;
}
async function trainOne(algorithm: TrainerAlgorithm, budgetMs: number): Promise<TrainedRun & { policy: TfjsPolicy }> {
  const policy = createTfjsPolicy({ space, seed, config: NETWORK });
  const trainer = createCwrpoTrainer({
    config: {
      algorithm,
      groupSize: num('group'),
      tasksPerIteration: num('tasks-per-iter'),
      learningRate: num('lr'),
      groupBy: args['group-by'] === 'source' ? 'source' : 'task',
      demoWeight: num('demo-weight'),
      entropyCoef: num('entropy-coef'),
      ...(args['kl-beta'] === undefined || algorithm === 'reinforce' ? {} : { klBeta: num('kl-beta') }),
      seed,
      // REINFORCE has no ratio: one epoch (validateConfig enforces it).
      ...(algorithm === 'reinforce' ? {} : { epochs: num('epochs') }),
      miniBatchSize: args.minibatch === undefined ? num('group') * num('tasks-per-iter') : num('minibatch'),
    },
    policy,
    tasks: train,
    demonstrations,
    registry,
    ...(args['fixed-executor-seed'] ? { backend: backendFor(seed) } : { backendFor }),
    sandbox,
  });
  const t0 = performance.now();
  while (trainer.iteration < num('iterations') && performance.now() - t0 < budgetMs) {
    const row = await trainer.iterate();
    if (row.iteration % num('curve-every') === 0 || row.iteration === 1) {
      log(
        `${algorithm} it ${row.iteration}: reward ${fixed(row[METRICS.rewardMean], 3)} feasible ${fixed(row[METRICS.rewardFeasibleFrac], 2)} ` +
          `answer ${fixed(row[METRICS.answerScore], 3)} entropy ${fixed(row[METRICS.policyEntropy], 2)} rollout ${fixed(row[METRICS.timeRolloutS])}s update ${fixed(row[METRICS.timeUpdateS])}s`,
      );
    }
  }
  const run = { policy, history: [...trainer.history], seconds: (performance.now() - t0) / 1000, parameters: policy.network.parameterCount() };
  trainer.dispose();
  return run;
}

/** Trains `algorithm` in a child process (this script with --train-only) and loads what it wrote. */
async function trainInChild(algorithm: TrainerAlgorithm, dir: string): Promise<TrainedRun> {
  const forwarded = process.argv.slice(2).filter((arg) => arg !== '--parallel');
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...forwarded, '--no-parallel', '--train-only', algorithm, '--out', dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`training ${algorithm} in a child process failed with exit code ${String(code)}`);
  const saved = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as Omit<TrainedRun, 'policy'>;
  return { ...saved, policy: await TfjsPolicy.load(join(dir, 'policy'), space) };
}

const algorithms = (trainOnly === undefined ? (args.algorithms ?? '').split(',').filter(Boolean) : [trainOnly]) as TrainerAlgorithm[];
const budgetMs = num('budget-min') * 60_000;
const trained = new Map<string, TrainedRun>();
if (trainOnly !== undefined) {
  const out = args.out;
  if (out === undefined) throw new Error('--train-only needs --out DIR');
  const run = await trainOne(trainOnly as TrainerAlgorithm, budgetMs);
  await run.policy.save(join(out, 'policy'));
  await writeFile(join(out, 'run.json'), JSON.stringify({ history: run.history, seconds: run.seconds, parameters: run.parameters }));
  run.policy.dispose();
  process.exit(0);
} else if (parallel) {
  const root = await mkdtemp(join(tmpdir(), 'flowsteer-learning-'));
  try {
    const runs = await Promise.all(algorithms.map((algorithm) => trainInChild(algorithm, join(root, algorithm))));
    algorithms.forEach((algorithm, i) => trained.set(algorithm, runs[i] as TrainedRun));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
} else {
  for (const algorithm of algorithms) trained.set(algorithm, await trainOne(algorithm, budgetMs / Math.max(1, algorithms.length)));
}

// Held-out evaluation: the same environment and executor seed for every policy.
interface Row {
  readonly name: string;
  readonly trajectories: readonly Trajectory[];
}
/**
 * Decodings of the learned policies: the paper's (temperature 0.6, top-p 0.95, spec §4.4), arg-max, and the
 * policy's own distribution. The goal checks read the first one listed.
 */
const DECODING_LABELS: Readonly<Record<DecodingName, string>> = { paper: 'T 0.6, top-p 0.95', greedy: 'greedy', sample: 'sampled, T 1' };
const evalModes = (args['eval-modes'] ?? '').split(',').filter(Boolean);
for (const mode of evalModes) if (!isDecodingName(mode)) throw new Error(`--eval-modes: expected paper, greedy or sample, got ${mode}`);
async function evaluate(name: string, policy: BatchPolicy, mode: DecodingName = 'sample'): Promise<Row> {
  const { trajectories } = await runRollouts<Decision>({
    policy,
    tasks: test,
    decoding: DECODINGS[mode],
    makeEnv: () => new WorkflowEnv({ registry, backend: backendFor(EVAL_SEED), sandbox }),
  });
  log(`evaluated ${name}`);
  return { name, trajectories };
}
const rows: Row[] = [];
for (const [algorithm, run] of trained) {
  for (const mode of evalModes as DecodingName[]) rows.push(await evaluate(`${algorithm.toUpperCase()} (${DECODING_LABELS[mode]})`, run.policy, mode));
}
rows.push(await evaluate('random', createRandomPolicy(space, seed)));
for (const [name, workflows] of Object.entries(FIXED_WORKFLOWS)) rows.push(await evaluate(`fixed: ${name}`, createFixedWorkflowPolicy(space, name, workflows)));

const mean = (values: readonly number[]) => (values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length);
const stat = (row: Row, pick: (t: Trajectory) => number) => mean(row.trajectories.map(pick));
const label = `SIMULATED executor (${args.profile}) — not LLM results`;
const sources = [...new Set(test.map((t) => t.dataset))];
process.stdout.write(
  `${renderTable({
    title: `Held-out (${test.length} tasks: ${sources.map((s) => `${s} ${test.filter((t) => t.dataset === s).length}`).join(', ')}) — ${label}`,
    columns: ['policy', 'reward', 'answer score', 'correct %', 'feasible %', 'shortcut %', 'tokens/task', 'turns', ...sources.map((s) => `${s} answer`)],
    rows: rows.map((row) => [
      row.name,
      fixed(stat(row, (t) => t.outcome.reward), 3),
      fixed(stat(row, (t) => t.outcome.answerScore), 3),
      fixed(100 * stat(row, (t) => (t.outcome.correct ? 1 : 0))),
      fixed(100 * stat(row, (t) => (t.outcome.feasible ? 1 : 0))),
      fixed(100 * stat(row, (t) => (t.shortcut ? 1 : 0))),
      fixed(stat(row, (t) => t.outcome.tokens), 0),
      fixed(stat(row, (t) => t.outcome.rounds)),
      ...sources.map((s) => fixed(mean(row.trajectories.filter((t) => t.source === s).map((t) => t.outcome.answerScore)), 3)),
    ]),
  })}\n\n`,
);

// Learning curves: training-batch metrics every `curve-every` iterations.
const every = num('curve-every');
const longest = Math.max(0, ...[...trained.values()].map((run) => run.history.length));
const curveIterations = Array.from({ length: longest }, (_, i) => i + 1).filter((i) => i === 1 || i % every === 0 || i === longest);
const cell = (history: readonly MetricsRow[], iteration: number) => {
  const row = history[iteration - 1];
  return row ? `${fixed(row[METRICS.rewardMean], 2)} / ${fixed(100 * (row[METRICS.rewardFeasibleFrac] ?? NaN), 0)}% / ${fixed(row[METRICS.answerScore], 2)}` : '';
};
process.stdout.write(
  `${renderTable({
    title: 'Learning curves on the training batches: reward / feasible / answer score',
    columns: ['iteration', ...trained.keys()],
    rows: curveIterations.map((i) => [i, ...[...trained.values()].map((run) => cell(run.history, i))]),
  })}\n\n`,
);

process.stdout.write(
  `${renderTable({
    title: `Training runs (${parallel ? `${algorithms.length} processes at once on ${cpus().length} cores` : 'one after another, one process'}; budget ${args['budget-min']} min)`,
    columns: ['algorithm', 'iterations', 'seconds', 's/iteration', 'parameters'],
    rows: [...trained].map(([algorithm, run]) => [algorithm, run.history.length, fixed(run.seconds, 0), fixed(run.seconds / Math.max(1, run.history.length), 1), run.parameters]),
  })}\n\n`,
);

// Goal checks (issue 3, benchmark 1). Reported, not asserted.
const find = (name: string) => rows.find((row) => row.name.startsWith(name));
const cwrpo = find('CWRPO');
const grpo = find('GRPO');
if (cwrpo) {
  const feasible = stat(cwrpo, (t) => (t.outcome.feasible ? 1 : 0));
  const answer = stat(cwrpo, (t) => t.outcome.answerScore);
  const bestFixed = Math.max(...rows.filter((row) => row.name.startsWith('fixed')).map((row) => stat(row, (t) => t.outcome.answerScore)));
  const checks: [string, boolean][] = [
    [`CWRPO feasible ${fixed(100 * feasible)}% ≥ 95%`, feasible >= 0.95],
    [`CWRPO answer score ${fixed(answer, 3)} > best fixed workflow ${fixed(bestFixed, 3)}`, answer > bestFixed],
  ];
  if (grpo) {
    const a = stat(cwrpo, (t) => t.outcome.reward);
    const b = stat(grpo, (t) => t.outcome.reward);
    checks.push([`CWRPO reward ${fixed(a, 3)} > GRPO reward ${fixed(b, 3)}`, a > b]);
  }
  for (const [text, ok] of checks) process.stdout.write(`${ok ? 'PASS' : 'FAIL'}  ${text}\n`);
}
if (args['show-workflows']) {
  for (const row of rows.filter((r) => !r.name.startsWith('fixed'))) {
    for (const source of sources) {
      const counts = new Map<string, number>();
      for (const t of row.trajectories.filter((x) => x.source === source)) counts.set(t.outcome.dsl, (counts.get(t.outcome.dsl) ?? 0) + 1);
      const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 2);
      process.stdout.write(`${row.name} ${source}: ${top.map(([dsl, n]) => `${n}× ${dsl}`).join('  |  ')}\n`);
    }
  }
}
process.stdout.write(`total wall time ${seconds()} s on ${backendInfo.name}; ${label}\n`);
