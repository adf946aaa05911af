/**
 * Benchmark: the real Flow-Director (TfjsPolicy) per TensorFlow.js backend — batched `act` latency, the
 * update step (log-probs of stored decisions + gradient + Adam) at several batch sizes, and rollout
 * steps/s of concurrent episodes on the SIMULATED executor with one batched act per round. Every backend
 * available in this process is measured (cpu, wasm, and webgpu on a GPU machine); ratios are to wasm in the
 * same run. Prints tables; asserts nothing.
 *
 * Run: pnpm exec tsx tests/bench/policyThroughput.ts [--backends cpu,wasm,webgpu] [--quick]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import {
  ActionSpace,
  createPythonSandbox,
  createTemplateLibrary,
  createTfjsPolicy,
  disposeTfBackends,
  formatTfBackendInfo,
  loadDataset,
  selectTfBackend,
  tf,
  WorkflowEnv,
  type Observation,
  type PolicyDecision,
  type Task,
  type TfBackendName,
} from '@flowsteer/core';
import { createOperatorRegistry, createSimBackend } from '@flowsteer/operators';
import { fixed, renderTable } from '@flowsteer/server';

const { values } = parseArgs({ options: { backends: { type: 'string', default: 'cpu,wasm,webgpu' }, quick: { type: 'boolean', default: false } } });
const quick = values.quick;
const registry = createOperatorRegistry();
const space = new ActionSpace({ operators: registry.names(), templates: createTemplateLibrary() });
const sandbox = createPythonSandbox();

async function time(fn: () => Promise<unknown>, repeats: number): Promise<number> {
  await fn(); // warm-up: kernel compilation and first allocation are not part of a step
  const started = performance.now();
  for (let i = 0; i < repeats; i += 1) await fn();
  return (performance.now() - started) / repeats;
}

/** Collects realistic observations and decisions by running the initial policy in the environment. */
async function collect(tasks: readonly Task[], count: number): Promise<{ observations: Observation[]; decisions: PolicyDecision[] }> {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const policy = createTfjsPolicy({ space, seed: 1 });
  const observations: Observation[] = [];
  const decisions: PolicyDecision[] = [];
  for (let episode = 0; observations.length < count; episode += 1) {
    const env = new WorkflowEnv({ registry, sandbox, backend: createSimBackend({ seed: episode, oracle: (id) => byId.get(id) }) });
    let observation = env.reset(tasks[episode % tasks.length] as Task);
    while (!observation.done && observations.length < count) {
      const [decision] = await policy.act([observation]);
      observations.push(observation);
      decisions.push(decision as PolicyDecision);
      observation = (await env.step((decision as PolicyDecision).action)).observation;
    }
  }
  policy.network.dispose();
  return { observations, decisions };
}

async function rolloutStepsPerSecond(tasks: readonly Task[], concurrent: number, rounds: number): Promise<number> {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const policy = createTfjsPolicy({ space, seed: 2 });
  let steps = 0;
  const started = performance.now();
  let envs = tasks.slice(0, concurrent).map((task, i) => {
    const env = new WorkflowEnv({ registry, sandbox, backend: createSimBackend({ seed: i, oracle: (id) => byId.get(id) }) });
    return { env, observation: env.reset(task) };
  });
  for (let round = 0; round < rounds && envs.length > 0; round += 1) {
    const decisions = await policy.act(envs.map((e) => e.observation));
    const results = await Promise.all(envs.map((e, i) => e.env.step((decisions[i] as PolicyDecision).action)));
    steps += results.length;
    envs = envs.map((e, i) => ({ env: e.env, observation: (results[i] as { observation: Observation }).observation })).filter((e) => !e.observation.done);
  }
  const seconds = (performance.now() - started) / 1000;
  policy.network.dispose();
  return steps / seconds;
}

interface Row {
  backend: TfBackendName;
  act: Record<number, number>;
  update: Record<number, number>;
  rollout: number;
}

async function measure(backend: TfBackendName, tasks: readonly Task[], decisions: readonly PolicyDecision[], observations: readonly Observation[]): Promise<Row> {
  const policy = createTfjsPolicy({ space, seed: 3 });
  const optimizer = tf.train.adam(1e-4);
  const act: Record<number, number> = {};
  const update: Record<number, number> = {};
  const actSizes = backend === 'cpu' || quick ? [1, 16] : [1, 16, 64, 256];
  const updateSizes = backend === 'cpu' || quick ? [32] : [32, 128, 512];
  for (const size of actSizes) act[size] = await time(() => policy.act(observations.slice(0, size)), size >= 64 ? 3 : 8);
  for (const size of updateSizes) {
    const batch = decisions.slice(0, size);
    update[size] = await time(async () => {
      const cost = optimizer.minimize(() => {
        const { logProbs, entropy } = policy.scoreDecisions(batch);
        return tf.neg(tf.add(tf.mean(logProbs), tf.mul(0.01, tf.mean(entropy)))) as tf.Scalar;
      }, true);
      await cost?.data();
      cost?.dispose();
    }, size >= 256 ? 2 : 4);
  }
  const rollout = await rolloutStepsPerSecond(tasks, backend === 'cpu' || quick ? 8 : 32, quick ? 6 : 12);
  policy.network.dispose();
  optimizer.dispose();
  return { backend, act, update, rollout };
}

async function main(): Promise<void> {
  const tasks = [
    ...(await loadDataset('gsm8k', { limit: 40 })).tasks,
    ...(await loadDataset('hotpotqa', { limit: 30 })).tasks,
    ...(await loadDataset('mbpp', { limit: 40 })).tasks,
  ];
  await selectTfBackend('wasm');
  const { observations, decisions } = await collect(tasks, quick ? 64 : 512);
  const rows: Row[] = [];
  const infos: string[] = [];
  for (const name of values.backends.split(',') as TfBackendName[]) {
    try {
      const info = await selectTfBackend(name);
      infos.push(formatTfBackendInfo(info));
      const row = await measure(name, tasks, decisions, observations);
      rows.push(row);
      // Printed now, so a run killed by a time limit (a GPU machine's budget) still reports this backend.
      const msBySize = (ms: Record<number, number>) => Object.entries(ms).map(([size, value]) => `B=${size} ${fixed(value, 1)}`).join(', ');
      process.stdout.write(`measured ${name}: act ms ${msBySize(row.act)}; update ms ${msBySize(row.update)}; rollout ${fixed(row.rollout, 0)} steps/s\n`);
    } catch (error) {
      infos.push(`${name}: not available (${(error as Error).message.split('\n')[0]})`);
    }
  }
  const wasm = rows.find((row) => row.backend === 'wasm');
  const ratio = (value: number | undefined, base: number | undefined) => (value && base ? `${(base / value).toFixed(2)}×` : '—');
  const actSizes = [...new Set(rows.flatMap((row) => Object.keys(row.act).map(Number)))].sort((a, b) => a - b);
  const updateSizes = [...new Set(rows.flatMap((row) => Object.keys(row.update).map(Number)))].sort((a, b) => a - b);
  process.stdout.write(`machine: ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, node ${process.version}\n${infos.join('\n')}\n\n`);
  process.stdout.write(
    `${renderTable({
      title: `TfjsPolicy (${createTfjsPolicy({ space, seed: 0 }).network.parameterCount()} parameters) — ms per call; speed-up vs wasm in brackets`,
      columns: ['backend', ...actSizes.map((b) => `act B=${b}`), ...updateSizes.map((b) => `update B=${b}`), 'rollout steps/s (sim)'],
      rows: rows.map((row) => [
        row.backend,
        ...actSizes.map((b) => (row.act[b] === undefined ? '—' : `${fixed(row.act[b], 1)} (${ratio(row.act[b], wasm?.act[b])})`)),
        ...updateSizes.map((b) => (row.update[b] === undefined ? '—' : `${fixed(row.update[b], 1)} (${ratio(row.update[b], wasm?.update[b])})`)),
        fixed(row.rollout, 0),
      ]),
      footer: [
        'act = one batched forward pass + masked sampling for B observations; update = log-probs of B stored decisions, gradient and one',
        'Adam step; rollout = concurrent episodes with one batched act per round, environment on the SIMULATED executor (sim-4o-mini).',
      ],
    })}\n`,
  );
  disposeTfBackends();
}

await main();
// Dawn's instance can keep the event loop alive after a webgpu run; the table is printed.
process.exit(0);
