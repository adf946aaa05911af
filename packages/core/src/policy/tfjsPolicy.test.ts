import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Action } from '../actions/types.ts';
import { PAPER_OPERATORS } from '../canvas/types.ts';
import { WorkflowEnv, type Observation } from '../env/workflowEnv.ts';
import type { CodeTask, MathTask, QaTask } from '../tasks/types.ts';
import { fakeBackend, noSandbox, registryOf, scriptedOperator } from '../../test/fakes.ts';
import { ActionSpace, HEADS } from './actionSpace.ts';
import { createRandomPolicy, seededRandom } from './baselines.ts';
import { disposeFeatureBatch, stackFeatures } from './featurize.ts';
import { createTemplateLibrary } from './templates.ts';
import { selectTfBackend } from './tf/tfBackend.ts';
import { tf } from './tf/tf.ts';
import { createTfjsPolicy, TfjsPolicy, type PolicyDecision } from './tfjsPolicy.ts';

const registry = registryOf(
  PAPER_OPERATORS.map((name) =>
    scriptedOperator(name, (ctx) =>
      ['Verify', 'Review', 'Test'].includes(name) ? { output: ctx.input.solution, role: 'verdict', passed: name !== 'Test' } : { output: '42' },
    ),
  ),
);
const space = new ActionSpace({ operators: registry.names(), templates: createTemplateLibrary() });
const tasks: (MathTask | QaTask)[] = [
  { id: 'm/1', dataset: 'gsm8k', kind: 'math', problem: 'Natalia sold clips to 48 of her friends in April. How many clips did she sell?', answer: '72', meta: {} },
  { id: 'q/1', dataset: 'hotpotqa', kind: 'qa', problem: 'Which city is the capital of France?', answer: 'Paris', answers: ['Paris'], meta: {} },
  { id: 'm/2', dataset: 'mathqa', kind: 'math', problem: 'A shop sells 3 pens for $2. Price of 9 pens?', answer: 'b', choices: { a: '4', b: '6', c: '8' }, meta: {} },
];
const codeTask: CodeTask = {
  id: 'c/1', dataset: 'mbpp', kind: 'code', problem: 'Write a function add(a, b).', entryPoint: 'add', tests: 'assert add(1, 2) == 3', testStyle: 'append', publicTests: 'assert add(2, 2) == 4', meta: {},
};
const env = () => new WorkflowEnv({ registry, backend: fakeBackend(), sandbox: noSandbox });

/**
 * Real observations of many kinds: random episodes (prompt turns, structures, failed checks) plus a code task.
 * Kept to ~30, because the pure-JS cpu backend runs the default network at ~25 ms per observation.
 */
async function collectObservations(): Promise<Observation[]> {
  const out: Observation[] = [env().reset(codeTask)];
  const random = createRandomPolicy(space, 11);
  for (let episode = 0; episode < 3; episode += 1) {
    const e = env();
    let observation = e.reset(tasks[episode % tasks.length]!);
    for (let step = 0; !observation.done; step += 1) {
      if (step < 10) out.push(observation);
      const [decision] = await random.act([observation]);
      observation = (await e.step(decision!.action)).observation;
    }
  }
  return out;
}

/** A small network for the behavioural tests (the cpu backend is slow; behaviour does not depend on width). */
const SMALL = { dModel: 32, heads: 4, ffn: 64, vocab: 512 };

/** Replaces every weight by N(0, scale²) noise so logits are peaked at arbitrary (often masked) options. */
function scramble(policy: TfjsPolicy, scale: number, seed: number): void {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  policy.network.setWeights(policy.network.getWeights().map((w) => ({ ...w, values: w.values.map(() => normal() * scale) })));
}

const sameDecisions = (a: readonly PolicyDecision[], b: readonly PolicyDecision[]) => {
  expect(b.map((d) => d.indices)).toEqual(a.map((d) => d.indices));
  expect(b.map((d) => d.action)).toEqual(a.map((d) => d.action));
};

let observations: Observation[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  await selectTfBackend('cpu');
  observations = await collectObservations();
});

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('TfjsPolicy', () => {
  it('collects observations that cover prompt turns, structures and every task kind', () => {
    expect(observations.length).toBeGreaterThan(20);
    expect(observations.some((o) => o.awaiting !== null)).toBe(true);
    expect(observations.some((o) => o.canvas.stages.some((s) => s.kind !== 'operator'))).toBe(true);
    expect(new Set(observations.map((o) => o.task.kind))).toEqual(new Set(['math', 'qa', 'code']));
  });

  it('returns log-probs and entropies from act that scoreDecisions recomputes from the stored features', async () => {
    const policy = createTfjsPolicy({ space, seed: 1 });
    scramble(policy, 0.2, 1);
    const decisions = await policy.act(observations);
    expect(decisions).toHaveLength(observations.length);
    const { logProbs, entropy } = policy.scoreDecisions(decisions);
    const [lp, ent] = [await logProbs.data(), await entropy.data()];
    decisions.forEach((decision, i) => {
      expect(Math.abs((lp[i] as number) - decision.logProb), `decision ${i}`).toBeLessThan(1e-4);
      expect(Math.abs((ent[i] as number) - decision.entropy), `decision ${i}`).toBeLessThan(1e-4);
    });
    // Not a near-uniform policy, so the comparison is about the network, not about the masks alone.
    expect(decisions.some((d) => d.logProb < -3)).toBe(true);
    tf.dispose([logProbs, entropy]);
    policy.dispose();
  });

  // On wasm: 2,000 forward rows take ~1 s there and ~50 s on the pure-JS cpu backend; masking is backend-independent.
  it('never samples a masked option over 2,000 samples, even where the raw arg-max is masked', async () => {
    await selectTfBackend('wasm');
    onTestFinished(async () => {
      await selectTfBackend('cpu');
    });
    const policy = createTfjsPolicy({ space, seed: 2, config: SMALL });
    scramble(policy, 1, 2);
    const many = Array.from({ length: Math.ceil(2000 / observations.length) }, () => observations).flat();
    const batch = stackFeatures(observations.map((o) => policy.featurize(o)), policy.network.config.vocab);
    const logits = policy.network.forward(batch);
    const typeLogits = (await logits.type.array()) as number[][];
    tf.dispose(Object.values(logits));
    disposeFeatureBatch(batch);
    const maskedArgMax = observations.filter((o, b) => {
      const row = typeLogits[b]!;
      return space.typeMask(o)[row.indexOf(Math.max(...row))] === 0;
    });
    expect(maskedArgMax.length).toBeGreaterThan(0);
    const decisions = await policy.act(many);
    expect(decisions.length).toBeGreaterThanOrEqual(2000);
    const violations: string[] = [];
    decisions.forEach((decision, b) => {
      const typeMask = space.typeMask(many[b]!);
      if (decision.masks.type?.join() !== typeMask.join()) violations.push(`type mask of decision ${b}`);
      for (const head of HEADS) {
        const mask = decision.masks[head];
        const index = decision.indices[head];
        if (mask ? mask[index] !== 1 : index !== -1) violations.push(`${head}=${index} in ${JSON.stringify(decision.action)}`);
      }
      if (!Number.isFinite(decision.logProb)) violations.push(`log-prob of decision ${b}`);
    });
    expect(violations).toEqual([]);
    // Re-scoring on wasm agrees with sampling too (oneHot of an unused head's −1, masks, pointer).
    const { logProbs } = policy.scoreDecisions(decisions.slice(0, observations.length));
    const rescored = await logProbs.data();
    logProbs.dispose();
    decisions.slice(0, observations.length).forEach((decision, i) => expect(Math.abs((rescored[i] as number) - decision.logProb)).toBeLessThan(1e-4));
    expect(new Set(decisions.map((d) => d.action.type)).size).toBeGreaterThan(4);
    policy.dispose();
  });

  it('acts identically after save and load (same decisions, log-probs within 1e-6)', async () => {
    const policy = createTfjsPolicy({ space, seed: 3, config: SMALL });
    scramble(policy, 0.5, 3);
    await policy.act(observations.slice(0, 5)); // move the RNG away from its seed
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-policy-'));
    dirs.push(dir);
    await policy.save(dir);
    const loaded = await TfjsPolicy.load(dir, space);
    expect(loaded.rngState).toBe(policy.rngState);
    const [a, b] = [await policy.act(observations), await loaded.act(observations)];
    sameDecisions(a, b);
    a.forEach((decision, i) => expect(Math.abs(b[i]!.logProb - decision.logProb)).toBeLessThan(1e-6));
    expect(loaded.rngState).toBe(policy.rngState);
    policy.dispose();
    loaded.dispose();
  });

  it('acts identically after a JSON round trip of its snapshot, and rejects a broken or foreign snapshot', async () => {
    const policy = createTfjsPolicy({ space, seed: 6, config: SMALL });
    scramble(policy, 0.5, 6);
    await policy.act(observations.slice(0, 5));
    // Through JSON text, as a database row or a message carries it.
    const snapshot: unknown = JSON.parse(JSON.stringify(await policy.toSnapshot()));
    const restored = TfjsPolicy.fromSnapshot(snapshot, space);
    expect(restored.rngState).toBe(policy.rngState);
    const [a, b] = [await policy.act(observations), await restored.act(observations)];
    sameDecisions(a, b);
    a.forEach((decision, i) => expect(b[i]!.logProb).toBe(decision.logProb));

    const other = new ActionSpace({ operators: registry.names().slice(0, 6), templates: createTemplateLibrary() });
    expect(() => TfjsPolicy.fromSnapshot(snapshot, other)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => TfjsPolicy.fromSnapshot({ ...(snapshot as object), weights: 'nope' }, space)).toThrow(/expected a flowsteer.tfjs-policy snapshot/);
    const tensors = tf.memory().numTensors;
    expect(() => TfjsPolicy.fromSnapshot({ ...(snapshot as object), weights: [] }, space)).toThrow();
    expect(tf.memory().numTensors).toBe(tensors); // the half-built network is freed
    policy.dispose();
    restored.dispose();
  });

  it('refuses to load a checkpoint into an action space with other operators', async () => {
    const policy = createTfjsPolicy({ space, seed: 4, config: SMALL });
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-policy-'));
    dirs.push(dir);
    await policy.save(dir);
    const other = new ActionSpace({ operators: registry.names().slice(0, 6), templates: createTemplateLibrary() });
    await expect(TfjsPolicy.load(dir, other)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(TfjsPolicy.load(join(dir, 'missing'), space)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    policy.dispose();
  });

  it('samples reproducibly from the RNG state, and greedily without touching it', async () => {
    const policy = createTfjsPolicy({ space, seed: 5, config: SMALL });
    scramble(policy, 0.5, 5);
    const start = policy.rngState;
    const first = await policy.act(observations);
    expect(policy.rngState).not.toBe(start);
    policy.rngState = start;
    sameDecisions(first, await policy.act(observations));

    const before = policy.rngState;
    const greedy = await policy.act(observations, { greedy: true });
    expect(policy.rngState).toBe(before);
    policy.rngState = 12345;
    sameDecisions(greedy, await policy.act(observations, { greedy: true }));
    // Greedy picks the most likely valid option of the type head.
    greedy.forEach((decision) => expect(decision.logProb).toBeLessThanOrEqual(0));
    expect(greedy.some((d, i) => d.indices.type !== first[i]!.indices.type)).toBe(true);
    policy.dispose();
  });

  it('gives every trainable variable a finite, non-zero gradient of the decisions log-probs', async () => {
    const policy = createTfjsPolicy({ space, seed: 6, config: SMALL });
    scramble(policy, 0.1, 6);
    const decisions: PolicyDecision[] = await policy.act(observations);
    // Encoded actions make sure every head (slot3, count, target, template, …) is used at least once.
    const empty = observations.find((o) => o.canvas.stages.length === 0 && o.applicable.includes('add_parallel'))!;
    const built = observations.find((o) => o.canvas.stages.length >= 2 && o.applicable.includes('delete'))!;
    const prompting = observations.find((o) => o.awaiting !== null)!;
    const node = built.canvas.stages[0]!;
    const nodeId = node.kind === 'operator' ? node.id : node.kind === 'parallel' ? node.branches[0]!.id : node.kind === 'loop' ? node.body[0]!.id : node.condition.id;
    const wanted: [Observation, Action][] = [
      [empty, { type: 'add_parallel', operators: ['AnswerGenerate', 'Programmer', 'Custom', 'AnswerGenerate'] }],
      [empty, { type: 'add_loop', operators: ['Review', 'Revise'], count: 2 }],
      [empty, { type: 'add_conditional', condition: 'Verify', onFail: 'Revise', onPass: null }],
      [built, { type: 'delete', target: built.canvas.stages[1]!.id }],
      [built, { type: 'modify', target: nodeId, operator: 'Plan' }],
      [prompting, { type: 'prompt', prompt: createTemplateLibrary().forOperator(prompting.awaiting!.operator)[1]?.text ?? 'Do this step carefully and accurately.' }],
    ];
    for (const [observation, action] of wanted) {
      const encoded = space.encode(observation, action);
      expect(encoded.ok, JSON.stringify(action)).toBe(true);
      if (encoded.ok) decisions.push({ ...encoded.decision, features: policy.featurize(observation) });
    }
    for (const head of HEADS) expect(decisions.some((d) => d.masks[head] !== null), head).toBe(true);
    const variables = policy.network.trainableVariables();
    const { value, grads } = tf.variableGrads(() => {
      const { logProbs, entropy } = policy.scoreDecisions(decisions);
      return tf.add(tf.sum(logProbs), tf.mul(0.01, tf.sum(entropy))) as tf.Scalar;
    }, variables);
    expect(Number.isFinite((await value.data())[0])).toBe(true);
    for (const variable of variables) {
      const grad = grads[variable.name];
      expect(grad, variable.name).toBeDefined();
      const values = await grad!.data();
      expect(values.every(Number.isFinite), variable.name).toBe(true);
      expect(values.some((x) => x !== 0), variable.name).toBe(true);
    }
    tf.dispose([value, ...Object.values(grads)]);
    policy.dispose();
  });

  it('clones into an independent policy and leaks no tensors', async () => {
    const policy = createTfjsPolicy({ space, seed: 7, config: SMALL });
    await policy.act(observations.slice(0, 2)); // warm-up allocations of the backend
    const before = tf.memory().numTensors;
    const decisions = await policy.act(observations);
    const scored = policy.scoreDecisions(decisions);
    tf.dispose([scored.logProbs, scored.entropy]);
    expect(tf.memory().numTensors).toBe(before);

    const clone = policy.clone();
    sameDecisions(await clone.act(observations), await policy.act(observations));
    scramble(clone, 0.5, 7);
    expect(clone.network.getWeights()[0]!.values).not.toEqual(policy.network.getWeights()[0]!.values);
    clone.dispose();
    expect(tf.memory().numTensors).toBe(before);
    policy.dispose();
  });
});
