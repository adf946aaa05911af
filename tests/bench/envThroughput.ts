/**
 * Benchmark: canvas edit + execute steps per second with the SIMULATED executor, and where one step's
 * time goes (env/canvas, executor, operator logic, sim, sandbox). Scripted episodes build ≤ 8-operator
 * workflows through the full two-step prompt protocol and finish; the code section reports sandbox runs/s
 * and how many runs the sandbox cache saves. Prints tables; asserts nothing.
 *
 * Run: pnpm exec tsx tests/bench/envThroughput.ts [--episodes N]   (pin to one core: taskset -c 0 …)
 */
import { parseArgs } from 'node:util';
import {
  createCachedSandbox,
  createPythonSandbox,
  loadDataset,
  WorkflowEnv,
  type Action,
  type CodeSandbox,
  type LlmBackend,
  type Operator,
  type OperatorRegistry,
  type Task,
} from '@flowsteer/core';
import { createOperatorRegistry, createSimBackend } from '@flowsteer/operators';
import { fixed, renderTable } from '@flowsteer/server';

interface Timers {
  sim: number;
  sandbox: number;
  /** Sandbox time outside operators: scoring the final code on the hidden tests. */
  scoringSandbox: number;
  sandboxRuns: number;
  operators: number;
  /** Operators currently running (parallel branches overlap). */
  inOperator: number;
  executor: number;
  steps: number;
  executions: number;
}

function timedBackend(inner: LlmBackend, timers: Timers): LlmBackend {
  return {
    name: inner.name,
    model: inner.model,
    simulated: inner.simulated,
    async complete(request) {
      const started = performance.now();
      try {
        return await inner.complete(request);
      } finally {
        timers.sim += performance.now() - started;
      }
    },
  };
}

function timedSandbox(inner: CodeSandbox, timers: Timers): CodeSandbox {
  return {
    async runPython(code, options) {
      const started = performance.now();
      try {
        const result = await inner.runPython(code, options);
        if (!result.cached) timers.sandboxRuns += 1;
        return result;
      } finally {
        if (timers.inOperator > 0) timers.sandbox += performance.now() - started;
        else timers.scoringSandbox += performance.now() - started;
      }
    },
  };
}

function timedRegistry(inner: OperatorRegistry, timers: Timers): OperatorRegistry {
  const wrap = (operator: Operator): Operator => ({
    ...operator,
    async run(ctx) {
      const started = performance.now();
      timers.inOperator += 1;
      try {
        return await operator.run(ctx);
      } finally {
        timers.inOperator -= 1;
        timers.operators += performance.now() - started;
      }
    },
  });
  const wrapped = new Map(inner.names().map((name) => [name, wrap(inner.get(name) as Operator)]));
  return { get: (name) => wrapped.get(name), has: (name) => wrapped.has(name), names: () => inner.names() };
}

/** The scripted edit sequence for a workflow: every add goes through its prompt turns, then finish. */
function script(kind: Task['kind'], variant: 'llm-only' | 'with-code'): Action[] {
  const prompt = (text: string): Action => ({ type: 'prompt', prompt: text });
  const solverBranch = variant === 'with-code' ? (kind === 'code' ? 'Programmer' : 'Programmer') : 'AnswerGenerate';
  const actions: Action[] = [
    { type: 'add', operator: 'Plan' },
    prompt('Outline the steps needed.'),
    { type: 'add_parallel', operators: ['AnswerGenerate', 'AnswerGenerate', solverBranch] },
    prompt('Solve step by step.'),
    prompt('Solve it another way.'),
    prompt('Solve it independently.'),
    { type: 'add', operator: 'ScEnsemble' },
    prompt('Pick the most consistent answer.'),
  ];
  if (kind === 'code') {
    actions.push({ type: 'add_conditional', condition: 'Test', onFail: 'Revise' }, prompt('Run the tests.'), prompt('Fix the failing code.'));
  } else {
    actions.push({ type: 'add_conditional', condition: 'Verify', onFail: 'Revise' }, prompt('Check the answer.'), prompt('Fix the mistake.'));
    actions.push({ type: 'add', operator: 'Format' }, prompt('Return only the final answer.'));
  }
  actions.push({ type: 'finish' });
  return actions;
}

interface Row {
  label: string;
  episodes: number;
  steps: number;
  seconds: number;
  timers: Timers;
  correct: number;
  cache?: { hits: number; misses: number };
}

async function measure(
  label: string,
  tasks: readonly Task[],
  variant: 'llm-only' | 'with-code',
  episodes: number,
  sandbox: CodeSandbox & { stats?: () => { hits: number; misses: number } },
  warmup = 0,
): Promise<Row> {
  // Warm-up episodes let V8 optimise the hot paths before timing starts; their timings are discarded.
  if (warmup > 0) await measure(label, tasks, variant, warmup, createPythonSandbox(), 0).catch(() => undefined);
  const timers: Timers = { sim: 0, sandbox: 0, scoringSandbox: 0, sandboxRuns: 0, operators: 0, inOperator: 0, executor: 0, steps: 0, executions: 0 };
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const registry = timedRegistry(createOperatorRegistry(), timers);
  let correct = 0;
  const started = performance.now();
  for (let episode = 0; episode < episodes; episode += 1) {
    const task = tasks[episode % tasks.length] as Task;
    // A new seed per pass over the tasks: repeated tasks get fresh sim draws, as G rollouts would.
    const backend = timedBackend(createSimBackend({ seed: Math.floor(episode / tasks.length), oracle: (id) => byId.get(id) }), timers);
    const env = new WorkflowEnv({ registry, backend, sandbox: timedSandbox(sandbox, timers) });
    env.reset(task);
    for (const action of script(task.kind, variant)) {
      const result = await env.step(action);
      timers.steps += 1;
      if (result.info.execution) {
        timers.executions += 1;
        timers.executor += result.info.execution.wallMs;
      }
      if (result.done) {
        if (result.info.outcome?.taskScore.correct) correct += 1;
        break;
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { label, episodes, steps: timers.steps, seconds, timers, correct, ...(sandbox.stats ? { cache: sandbox.stats() } : {}) };
}

function splitRow(row: Row): (string | number)[] {
  const total = row.seconds * 1000;
  const { sim, sandbox, scoringSandbox, operators, executor } = row.timers;
  // Parallel branches overlap in wall time, so shares are of summed component time, clamped at 0.
  const envShare = Math.max(0, total - executor - scoringSandbox);
  const executorOwn = Math.max(0, executor - operators);
  const operatorOwn = Math.max(0, operators - sim - sandbox);
  const perStep = (ms: number) => fixed((ms / row.steps) * 1000, 0);
  return [
    row.label,
    row.episodes,
    row.steps,
    fixed(row.steps / row.seconds, 0),
    fixed((total / row.steps) * 1000, 0),
    perStep(envShare),
    perStep(executorOwn),
    perStep(operatorOwn),
    perStep(sim),
    perStep(sandbox),
    perStep(scoringSandbox),
    row.timers.sandboxRuns,
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { episodes: { type: 'string', default: '300' } } });
  const episodes = Number(values.episodes);
  const load = async (name: string) => (await loadDataset(name, { limit: 40 })).tasks;
  const [gsm8k, math, hotpotqa, squad, mbpp, humaneval] = await Promise.all(['gsm8k', 'math', 'hotpotqa', 'squad_v2', 'mbpp', 'humaneval'].map(load));
  const sandbox = createCachedSandbox(createPythonSandbox());
  await sandbox.runPython('print(1)'); // first call probes isolation and the interpreter (~0.2 s), not part of any row

  const rows: Row[] = [];
  rows.push(await measure('math (gsm8k+MATH), 8 ops, no code op', [...(gsm8k as Task[]), ...(math as Task[])], 'llm-only', episodes, sandbox, 40));
  rows.push(await measure('qa (HotpotQA+SQuAD), 8 ops', [...(hotpotqa as Task[]), ...(squad as Task[])], 'llm-only', episodes, sandbox, 40));
  rows.push(await measure('math, 8 ops with Programmer', [...(gsm8k as Task[]), ...(math as Task[])], 'with-code', Math.min(episodes, 80), createCachedSandbox(createPythonSandbox())));
  const codeTasks = [...(mbpp as Task[]).slice(0, 20), ...(humaneval as Task[]).slice(0, 20)];
  const codeSandbox = createCachedSandbox(createPythonSandbox());
  rows.push(await measure('code (MBPP+HumanEval), 7 ops with Test', codeTasks, 'with-code', Math.min(episodes, 80), codeSandbox));

  process.stdout.write(
    `${renderTable({
      title: `Env throughput — SIMULATED executor (sim-4o-mini), scripted episodes, node ${process.version}, ${process.env.FLOWSTEER_BENCH_CPUS ?? 'unpinned'}`,
      columns: ['workload', 'episodes', 'steps', 'steps/s', 'µs/step', 'env+canvas µs', 'executor µs', 'operators µs', 'sim µs', 'sandbox µs', 'scoring µs', 'sandbox runs'],
      rows: rows.map(splitRow),
      footer: [
        'µs columns are per env step (a step is one round: an edit, a prompt turn or the finish). Component times are summed over',
        'concurrently running parallel branches, so they can add up to more than the wall time. sandbox = Programmer/Test runs inside',
        'the workflow; scoring = running the final code on the hidden tests at the end of a code episode (pass@1).',
      ],
    })}\n\n`,
  );
  process.stdout.write(
    `${renderTable({
      title: 'Code sandbox and its cache (same runs as the rows above)',
      columns: ['workload', 'sandbox runs', 'runs/s while sandboxing', 'cache hits', 'cache misses', 'runs saved %'],
      rows: rows
        .filter((row) => row.cache && row.timers.sandboxRuns > 0)
        .map((row) => {
          const cache = row.cache as { hits: number; misses: number };
          return [
            row.label,
            row.timers.sandboxRuns,
            fixed(row.timers.sandboxRuns / (row.timers.sandbox / 1000), 1),
            cache.hits,
            cache.misses,
            fixed((100 * cache.hits) / (cache.hits + cache.misses), 1),
          ];
        }),
      footer: ['The math rows share one cache; each code row has its own. Cached results skip the Python process entirely.'],
    })}\n`,
  );
}

await main();
