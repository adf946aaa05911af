/**
 * GPU verification: does the TensorFlow.js policy compute the same numbers on webgpu (Dawn over Vulkan) as on
 * the cpu reference and wasm? A script, not a vitest test: it runs on the GPU machine from a bundle
 * (scripts/gpu/build-gpu-bundle.sh, scripts/gpu/run-gpu-check.sh), where there is no Node toolchain.
 *
 * 1. Selects cpu, wasm and webgpu in turn and prints each backend's line (the GPU adapter included).
 * 2. Parity against cpu: (a) the 3-step Adam MLP of backendParity.test.ts; (b) the real TfjsPolicy with the same
 *    weights on every backend (copied through a snapshot): log π and entropy of fixed decisions, the trainer's
 *    CWRPO loss, the gradient norm, and the weights and log π after one Adam step.
 * Exits 1 when an available backend misses a tolerance, or cpu/wasm cannot start; an unavailable webgpu is
 * reported, not failed. The throughput benches run as their own bundles.
 *
 * Run: pnpm exec tsx tests/gpu/gpuCheck.ts [--backends cpu,wasm,webgpu]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import {
  ActionSpace,
  createTemplateLibrary,
  createTfjsPolicy,
  cwrpoLoss,
  globalGradNorm,
  disposeTfBackends,
  formatTfBackendInfo,
  maxAbsDiff,
  TfjsPolicy,
  selectTfBackend,
  tf,
  trainParityMlp,
  validateConfig,
  WorkflowEnv,
  type MathTask,
  type Observation,
  type ParityMlpResult,
  type PolicyDecision,
  type PolicySnapshot,
  type QaTask,
  type TfBackendInfo,
  type TfBackendName,
} from '@flowsteer/core';
import { createOperatorRegistry, createSimBackend } from '@flowsteer/operators';
import { renderTable } from '@flowsteer/server';
import { noPythonSandbox } from './noPythonSandbox.ts';

/** Small enough for the pure-JS cpu reference; parity does not depend on width. */
const NETWORK = { dModel: 32, heads: 4, ffn: 64, vocab: 512 };
const TRAJECTORIES = 4;
const STEPS = 6;
const DECISIONS = TRAJECTORIES * STEPS;
const LEARNING_RATE = 1e-3;
/** Relative to max(1, |cpu value|) for scalars and log-probs; absolute for weights (an Adam step moves each by ≤ lr). */
const TOL_VALUES = 1e-4;
const TOL_WEIGHTS = 1e-3;

const { values: args } = parseArgs({ options: { backends: { type: 'string', default: 'cpu,wasm,webgpu' } } });
const out = (line = '') => process.stdout.write(`${line}\n`);
const heading = (title: string) => out(`\n=== ${title} ===`);

const tasks: (MathTask | QaTask)[] = [
  { id: 'gpu/m1', dataset: 'gsm8k', kind: 'math', problem: 'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did she sell altogether?', answer: '72', meta: {} },
  { id: 'gpu/q1', dataset: 'hotpotqa', kind: 'qa', problem: 'Which city is the capital of the country whose national anthem is La Marseillaise?', answer: 'Paris', answers: ['Paris'], meta: {} },
  { id: 'gpu/m2', dataset: 'mathqa', kind: 'math', problem: 'A shop sells 3 pens for $2. What is the price of 9 pens?', answer: 'b', choices: { a: '4', b: '6', c: '8' }, meta: {} },
];
const registry = createOperatorRegistry();
const space = new ActionSpace({ operators: registry.names(), templates: createTemplateLibrary() });

/** Decisions of the initial policy in real episodes (sim executor), collected once on cpu and reused everywhere. */
async function collectDecisions(policy: TfjsPolicy): Promise<PolicyDecision[]> {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const decisions: PolicyDecision[] = [];
  for (let episode = 0; decisions.length < DECISIONS; episode += 1) {
    if (episode > 50) throw new Error(`expected ${DECISIONS} decisions from 50 episodes, got ${decisions.length}`);
    const env = new WorkflowEnv({ registry, sandbox: noPythonSandbox, backend: createSimBackend({ seed: episode, oracle: (id) => byId.get(id) }) });
    let observation: Observation = env.reset(tasks[episode % tasks.length] as MathTask | QaTask);
    while (!observation.done && decisions.length < DECISIONS) {
      const [decision] = await policy.act([observation]);
      decisions.push(decision as PolicyDecision);
      observation = (await env.step((decision as PolicyDecision).action)).observation;
    }
  }
  return decisions;
}

interface PolicyResult {
  logProbs: Float32Array;
  entropy: Float32Array;
  loss: number;
  /** As the trainer computes it (`globalGradNorm`). */
  gradNorm: number;
  /** The same norm summed on the host, one variable at a time (separates the trainer's reduction from the gradients themselves). */
  gradNormPerVariable: number;
  weightsAfter: Float32Array;
  logProbsAfter: Float32Array;
}

/** Fixed inputs of the trainer's loss: one advantage per trajectory and perturbed old/reference log-probs. */
interface LossInputs {
  advantages: Float32Array;
  oldLogProbs: Float32Array;
  refLogProbs: Float32Array;
}

async function scored(policy: TfjsPolicy, decisions: readonly PolicyDecision[]): Promise<{ logProbs: Float32Array; entropy: Float32Array }> {
  const { logProbs, entropy } = policy.scoreDecisions(decisions);
  try {
    return { logProbs: (await logProbs.data()) as Float32Array, entropy: (await entropy.data()) as Float32Array };
  } finally {
    tf.dispose([logProbs, entropy]);
  }
}

/** What the trainer's update does for one minibatch: CWRPO loss, gradients, global norm, one Adam step. */
async function policyStep(snapshot: PolicySnapshot, decisions: readonly PolicyDecision[], inputs: LossInputs): Promise<PolicyResult> {
  const policy = TfjsPolicy.fromSnapshot(snapshot, space);
  const optimizer = tf.train.adam(LEARNING_RATE);
  const config = validateConfig({ algorithm: 'cwrpo' });
  const shape: [number, number] = [TRAJECTORIES, STEPS];
  const fixedInputs = {
    oldLogProbs: tf.tensor2d(inputs.oldLogProbs, shape),
    refLogProbs: tf.tensor2d(inputs.refLogProbs, shape),
    advantages: tf.tensor1d(inputs.advantages),
    mask: tf.ones(shape),
  };
  try {
    const before = await scored(policy, decisions);
    const variables = policy.network.trainableVariables();
    const { value, grads } = tf.variableGrads(() => {
      const { logProbs, entropy } = policy.scoreDecisions(decisions);
      // variableGrads frees the other loss parts with every intermediate.
      return cwrpoLoss(config, { ...fixedInputs, validMask: fixedInputs.mask, logProbs: tf.reshape(logProbs, shape), entropies: tf.reshape(entropy, shape) }).total;
    }, variables);
    const gradList = variables.map((v) => grads[v.name] ?? tf.zerosLike(v));
    // The trainer's global norm (clipping), as cwrpoTrainer.ts computes it.
    const norm = globalGradNorm(gradList);
    const gradNorm = ((await norm.data()) as Float32Array)[0] as number;
    let squares = 0;
    for (const g of gradList) {
      const square = tf.tidy(() => tf.sum(tf.square(g)));
      squares += ((await square.data()) as Float32Array)[0] as number;
      square.dispose();
    }
    const loss = ((await value.data()) as Float32Array)[0] as number;
    optimizer.applyGradients(variables.map((v, k) => ({ name: v.name, tensor: gradList[k] as tf.Tensor })));
    tf.dispose([norm, value, ...new Set([...Object.values(grads), ...gradList])]);
    const weightParts = await Promise.all(variables.map(async (v) => (await v.data()) as Float32Array));
    const weightsAfter = new Float32Array(weightParts.reduce((n, w) => n + w.length, 0));
    weightParts.reduce((offset, w) => (weightsAfter.set(w, offset), offset + w.length), 0);
    const after = await scored(policy, decisions);
    return { logProbs: before.logProbs, entropy: before.entropy, loss, gradNorm, gradNormPerVariable: Math.sqrt(squares), weightsAfter, logProbsAfter: after.logProbs };
  } finally {
    tf.dispose(Object.values(fixedInputs));
    optimizer.dispose();
    policy.dispose();
  }
}

/** Largest |a − b| / max(1, |b|). */
function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < a.length; i += 1) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)) / Math.max(1, Math.abs(b[i] as number)));
  return max;
}

interface Check {
  backend: TfBackendName;
  name: string;
  diff: number;
  kind: 'abs' | 'rel';
  tolerance: number;
}

function compare(backend: TfBackendName, mlp: ParityMlpResult, policy: PolicyResult, ref: { mlp: ParityMlpResult; policy: PolicyResult }): Check[] {
  const check = (name: string, diff: number, kind: Check['kind'], tolerance: number): Check => ({ backend, name, diff, kind, tolerance });
  return [
    check('mlp: 3 Adam-step losses', maxAbsDiff(mlp.losses, ref.mlp.losses), 'abs', TOL_VALUES),
    check('mlp: weights after 3 steps', Math.max(...mlp.weights.map((w, i) => maxAbsDiff(w, ref.mlp.weights[i] as Float32Array))), 'abs', TOL_VALUES),
    check(`policy: log π of ${DECISIONS} decisions`, maxRelDiff(policy.logProbs, ref.policy.logProbs), 'rel', TOL_VALUES),
    check('policy: entropy per decision', maxRelDiff(policy.entropy, ref.policy.entropy), 'rel', TOL_VALUES),
    check('policy: CWRPO loss', maxRelDiff([policy.loss], [ref.policy.loss]), 'rel', TOL_VALUES),
    check('policy: gradient norm, per variable', maxRelDiff([policy.gradNormPerVariable], [ref.policy.gradNormPerVariable]), 'rel', TOL_VALUES),
    check('policy: gradient norm, trainer (globalGradNorm)', maxRelDiff([policy.gradNorm], [ref.policy.gradNorm]), 'rel', TOL_VALUES),
    check('policy: weights after 1 Adam step', maxAbsDiff(policy.weightsAfter, ref.policy.weightsAfter), 'abs', TOL_WEIGHTS),
    check('policy: log π after the step', maxRelDiff(policy.logProbsAfter, ref.policy.logProbsAfter), 'rel', TOL_VALUES),
  ];
}

const passed = (c: Check) => c.diff <= c.tolerance; // NaN fails

/** webgpu under Node cannot read synchronously (STACK.md §11); the trainer still calls dataSync, so say which holds here. */
function probeDataSync(): string {
  const t = tf.tensor1d([1, 2, 3]);
  try {
    return `dataSync() works (${Array.from(t.dataSync()).join(',')})`;
  } catch (error) {
    return `dataSync() throws: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`;
  } finally {
    t.dispose();
  }
}

async function main(): Promise<number> {
  const requested = args.backends.split(',').map((b) => b.trim()) as TfBackendName[];
  const cpus = os.cpus();
  heading('machine');
  out(`${cpus[0]?.model ?? '?'} × ${cpus.length} cores, ${os.platform()} ${os.release()}, node ${process.version}`);
  out(`VK_DRIVER_FILES=${process.env['VK_DRIVER_FILES'] ?? '(unset)'}`);

  heading('backends');
  const infos = new Map<TfBackendName, TfBackendInfo>();
  const unavailable = new Map<TfBackendName, string>();
  for (const backend of ['cpu', ...requested.filter((b) => b !== 'cpu')] as TfBackendName[]) {
    try {
      infos.set(backend, await selectTfBackend(backend, { log: out }));
    } catch (error) {
      unavailable.set(backend, error instanceof Error ? error.message : String(error));
      out(`${backend}: UNAVAILABLE — ${unavailable.get(backend)}`);
    }
  }
  const adapter = infos.get('webgpu')?.adapter;
  out(adapter ? `GPU adapter: vendor ${adapter.vendor}, device ${adapter.device}, architecture ${adapter.architecture}, driver ${adapter.driver}${adapter.software ? ' (SOFTWARE)' : ''}` : 'GPU adapter: none (webgpu unavailable)');

  heading('parity against cpu');
  await selectTfBackend('cpu');
  const initial = createTfjsPolicy({ space, seed: 7, config: NETWORK });
  const snapshot = await initial.toSnapshot();
  const decisions = await collectDecisions(initial);
  initial.dispose();
  const cpuScores = await (async () => {
    const policy = TfjsPolicy.fromSnapshot(snapshot, space);
    try {
      return await scored(policy, decisions);
    } finally {
      policy.dispose();
    }
  })();
  // Old/reference log-probs off the current ones, so the clipped ratio and the KL term are both exercised.
  const inputs: LossInputs = {
    advantages: Float32Array.from({ length: TRAJECTORIES }, (_, i) => [1.2, -0.7, 0.4, -0.9][i % 4] as number),
    oldLogProbs: cpuScores.logProbs.map((v, i) => v + 0.3 * Math.sin(i + 1)),
    refLogProbs: cpuScores.logProbs.map((v, i) => v - 0.1 * Math.cos(i)),
  };
  out(`policy: ${snapshot.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0)} parameters (${JSON.stringify(NETWORK)}), ${DECISIONS} decisions from sim episodes`);
  const reference = { mlp: await trainParityMlp(), policy: await policyStep(snapshot, decisions, inputs) };
  out(`cpu reference: mlp losses ${reference.mlp.losses.map((l) => l.toFixed(6)).join(' → ')}; policy CWRPO loss ${reference.policy.loss.toFixed(6)}, grad norm ${reference.policy.gradNorm.toFixed(6)}`);

  const checks: Check[] = [];
  const notes: string[] = [];
  for (const backend of infos.keys()) {
    await selectTfBackend(backend);
    const started = performance.now();
    const mlp = await trainParityMlp();
    const policy = await policyStep(snapshot, decisions, inputs);
    checks.push(...compare(backend, mlp, policy, reference));
    notes.push(`${backend}: parity workload ${(performance.now() - started).toFixed(0)} ms; ${probeDataSync()}`);
  }
  out(
    renderTable({
      title: 'max difference to cpu (rel = |x − cpu| / max(1, |cpu|))',
      columns: ['backend', 'quantity', 'max diff', 'kind', 'tolerance', 'result'],
      rows: checks.map((c) => [c.backend, c.name, c.diff.toExponential(2), c.kind, c.tolerance.toExponential(0), passed(c) ? 'PASS' : 'FAIL']),
    }),
  );
  for (const note of notes) out(note);

  heading('summary');
  let failed = false;
  for (const backend of requested) {
    const mine = checks.filter((c) => c.backend === backend);
    if (unavailable.has(backend)) {
      // Only webgpu may be missing: cpu and wasm ship with the project and must always start.
      const fatal = backend !== 'webgpu';
      failed ||= fatal;
      out(`${backend}: ${fatal ? 'FAIL' : 'SKIPPED'} — unavailable: ${unavailable.get(backend)}`);
    } else if (mine.every(passed)) {
      out(`${backend}: PASS (${mine.length} checks)`);
    } else {
      failed = true;
      out(`${backend}: FAIL (${mine.filter((c) => !passed(c)).map((c) => c.name).join('; ')})`);
    }
  }
  for (const info of infos.values()) out(formatTfBackendInfo(info));
  disposeTfBackends();
  return failed ? 1 : 0;
}

const code = await main();
// Dawn's instance can keep the event loop alive after a webgpu run; everything is printed.
process.exit(code);
