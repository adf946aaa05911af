/**
 * GPU check, end to end: the CWRPO trainer itself (rollouts with batched acts, the PPO update, gradient clipping,
 * Adam) for a few iterations on each backend from the same seed, and the metric rows compared to wasm. gpuCheck
 * compares single computations; this runs the code path `flowsteer train --tf-backend webgpu` takes. The
 * environment is the SIMULATED executor; Python is not used (Programmer sees a failed run on every backend alike).
 * It ends with `trainer.snapshot()` (weights and Adam moments read back, as checkpoints do) and compares the sum of
 * |weights|. Exits 1 when a backend's losses, gradient norms or weights leave the tolerance of wasm's, or it cannot run.
 *
 * Run: pnpm exec tsx tests/gpu/trainSmoke.ts [--backends wasm,webgpu] [--iterations 3]
 */
import { parseArgs } from 'node:util';
import {
  ActionSpace,
  createCwrpoTrainer,
  createTemplateLibrary,
  createTfjsPolicy,
  disposeTfBackends,
  formatTfBackendInfo,
  loadDataset,
  METRICS,
  selectTfBackend,
  TfjsPolicy,
  type MetricsRow,
  type Task,
  type TfBackendName,
} from '@flowsteer/core';
import { createOperatorRegistry, createSimBackend } from '@flowsteer/operators';
import { fixed, NETWORK_PRESETS, renderTable } from '@flowsteer/server';
import { noPythonSandbox } from './noPythonSandbox.ts';

const { values: args } = parseArgs({ options: { backends: { type: 'string', default: 'wasm,webgpu' }, iterations: { type: 'string', default: '3' } } });
const ITERATIONS = Number(args.iterations);
/** Relative to max(1, |wasm|): float32 sums in another order differ around 1e-6; a real kernel bug is far larger. */
const TOLERANCE = 1e-3;
const COMPARED = [METRICS.lossPolicy, METRICS.lossKl, METRICS.lossTotal, METRICS.gradNorm, METRICS.rewardMean] as const;

const tasks: Task[] = [...(await loadDataset('gsm8k', { limit: 8 })).tasks, ...(await loadDataset('hotpotqa', { limit: 8 })).tasks];
const byId = new Map(tasks.map((task) => [task.id, task]));
const registry = createOperatorRegistry();
const space = new ActionSpace({ operators: registry.names(), templates: createTemplateLibrary() });

interface Trained {
  readonly rows: MetricsRow[];
  readonly seconds: number;
  /** Σ|w| over the snapshot's policy weights. */
  readonly weightMass: number;
}

async function train(backend: TfBackendName): Promise<Trained | string> {
  try {
    const info = await selectTfBackend(backend);
    process.stdout.write(`${formatTfBackendInfo(info)}\n`);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const policy = createTfjsPolicy({ space, seed: 7, config: NETWORK_PRESETS.small });
  const trainer = createCwrpoTrainer({
    config: { algorithm: 'cwrpo', groupSize: 2, tasksPerIteration: 4, epochs: 2, seed: 7 },
    policy,
    tasks,
    registry,
    backendFor: (seed) => createSimBackend({ seed, oracle: (id) => byId.get(id) }),
    sandbox: noPythonSandbox,
  });
  const started = performance.now();
  for (let i = 0; i < ITERATIONS; i += 1) await trainer.iterate();
  const seconds = (performance.now() - started) / 1000;
  const rows = [...trainer.history];
  const snapshot = await trainer.snapshot();
  const restored = TfjsPolicy.fromSnapshot(snapshot.policy, space);
  const weightMass = (await restored.network.readWeights()).reduce((sum, w) => sum + w.values.reduce((a, v) => a + Math.abs(v), 0), 0);
  restored.dispose();
  trainer.dispose();
  policy.dispose();
  return { rows, seconds, weightMass };
}

const results = new Map<string, Trained>();
let failed = false;
for (const backend of (args.backends ?? '').split(',').filter(Boolean) as TfBackendName[]) {
  const result = await train(backend);
  if (typeof result === 'string') {
    process.stdout.write(`${backend}: UNAVAILABLE — ${result}\n`);
    if (backend !== 'webgpu') failed = true;
    continue;
  }
  results.set(backend, result);
}
const reference = results.get('wasm');
const rows: (string | number)[][] = [];
for (const [backend, result] of results) {
  let worst = 0;
  for (const [i, row] of result.rows.entries()) {
    for (const name of COMPARED) {
      const a = Number(row[name]);
      const b = Number(reference?.rows[i]?.[name]);
      worst = Math.max(worst, Math.abs(a - b) / Math.max(1, Math.abs(b)));
    }
  }
  if (reference) worst = Math.max(worst, Math.abs(result.weightMass - reference.weightMass) / Math.max(1, reference.weightMass));
  const ok = reference !== undefined && worst <= TOLERANCE;
  if (!ok) failed = true;
  const last = result.rows.at(-1);
  rows.push([
    backend,
    result.rows.length,
    fixed(result.seconds / Math.max(1, result.rows.length), 2),
    fixed(Number(last?.[METRICS.lossTotal]), 6),
    fixed(Number(last?.[METRICS.gradNorm]), 6),
    fixed(Number(last?.[METRICS.rewardMean]), 3),
    fixed(result.weightMass, 4),
    worst.toExponential(2),
    ok ? 'PASS' : 'FAIL',
  ]);
}
process.stdout.write(
  `${renderTable({
    title: `CWRPO trainer, ${ITERATIONS} iterations from seed 7 (small network, 8 episodes per iteration, SIMULATED executor); max relative difference to wasm over ${COMPARED.join(', ')} and Σ abs(w)`,
    columns: ['backend', 'iterations', 's/iteration', 'last loss/total', 'last grad/norm', 'last reward/mean', 'Σ abs(w), snapshot', 'max rel diff', 'result'],
    rows,
  })}\n`,
);
await disposeTfBackends();
process.exit(failed ? 1 : 0);
