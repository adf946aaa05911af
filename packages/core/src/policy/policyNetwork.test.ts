import { beforeAll, describe, expect, it } from 'vitest';
import { PAPER_OPERATORS } from '../canvas/types.ts';
import { ActionSpace, HEADS, type HeadName } from './actionSpace.ts';
import { disposeFeatureBatch, featurize, stackFeatures } from './featurize.ts';
import { dimsOf, PolicyNetwork } from './policyNetwork.ts';
import { parseDsl, printDsl } from '../canvas/dsl.ts';
import type { Observation } from '../env/workflowEnv.ts';
import { createTemplateLibrary } from './templates.ts';
import { selectTfBackend } from './tf/tfBackend.ts';
import { tf } from './tf/tf.ts';

const space = new ActionSpace({ operators: [...PAPER_OPERATORS], templates: createTemplateLibrary() });

function observe(dsl: string, problem: string): Observation {
  const canvas = dsl === '' ? { stages: [], nextId: 1 } : parseDsl(dsl);
  return {
    task: { id: 'unit/1', dataset: 'unit', kind: 'math', problem },
    canvas,
    dsl: printDsl(canvas),
    round: 2,
    maxRounds: 20,
    awaiting: null,
    applicable: ['add', 'add_parallel', 'delete', 'modify', 'finish'],
    signals: { executed: true, executionOk: true, nodeErrors: 0, checkerPassed: null, testPassed: null, answerVerbose: false, answerEmpty: false, lastActionValid: true, finishRejected: false, awaitingPrompt: false, finishAllowed: false },
    feedback: '',
    done: false,
  };
}

const observations = [
  observe('', 'What is 6 * 7?'),
  observe('Plan -> [AnswerGenerate, Programmer, Programmer] -> ScEnsemble', 'A train travels 60 km in 1.5 hours.'),
  observe('Verify ? Revise : done -> (Review -> Revise) * 2 -> Format', 'Who wrote Hamlet?'),
];

/** Masked log-softmax in float64, written independently of the network. */
function maskedLogSoftmax(logits: number[], mask: number[]): number[] {
  const valid = logits.filter((_, i) => mask[i]);
  const max = Math.max(...valid);
  const logZ = max + Math.log(valid.reduce((sum, x) => sum + Math.exp(x - max), 0));
  return logits.map((x, i) => (mask[i] ? x - logZ : -Infinity));
}

describe('PolicyNetwork', () => {
  beforeAll(async () => {
    await selectTfBackend('cpu');
  });

  it('has between 0.2M and 2M parameters at the default and at d = 96', () => {
    for (const config of [{}, { dModel: 96 }]) {
      const network = new PolicyNetwork(dimsOf(space), config);
      expect(network.parameterCount()).toBeGreaterThanOrEqual(200_000);
      expect(network.parameterCount()).toBeLessThanOrEqual(2_000_000);
      network.dispose();
    }
  });

  it('builds the same weights from the same seed and different weights from another', () => {
    const [a, b, c] = [1, 1, 2].map((seed) => new PolicyNetwork(dimsOf(space), { seed }));
    // Flattened to one array and compared by value: toEqual over 0.2M typed-array entries is slow.
    const [wa, wb, wc] = [a, b, c].map((network) => network!.getWeights());
    const flat = (weights: typeof wa) => weights!.flatMap((w) => [w.name, ...w.shape, ...w.values]).join(',');
    expect(wb!.map((w) => w.name)).toEqual(wa!.map((w) => w.name));
    expect(flat(wb) === flat(wa)).toBe(true);
    expect(wc!.every((w, i) => w.values.every((x) => x === 0 || x === 1) || w.values.some((x, j) => x !== wa![i]!.values[j]))).toBe(true);
    [a, b, c].forEach((network) => network!.dispose());
  });

  it('rejects weights of the wrong shape and leaves the network unchanged', () => {
    const network = new PolicyNetwork(dimsOf(space), { seed: 3, dModel: 16, vocab: 64 });
    const before = network.getWeights();
    const broken = before.map((w) => (w.name === 'pointer.key' ? { ...w, shape: [1, w.values.length], values: new Float32Array(w.values.length) } : w));
    expect(() => network.setWeights(broken)).toThrow(/pointer\.key/);
    expect(network.getWeights()).toEqual(before);
    network.dispose();
  });

  it('gives every observation of a batch the logits it gets alone', async () => {
    const network = new PolicyNetwork(dimsOf(space), { seed: 4 });
    const features = observations.map((o) => featurize(o, space));
    const batch = stackFeatures(features);
    const together = network.forward(batch);
    for (const [b, item] of features.entries()) {
      const single = stackFeatures([item]);
      const alone = network.forward(single);
      for (const head of HEADS) {
        const row = ((await together[head].array()) as number[][])[b]!;
        const own = ((await alone[head].array()) as number[][])[0]!;
        own.forEach((x, i) => expect(Math.abs(x - (row[i] as number)), `${head}[${i}] of item ${b}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(x))));
      }
      tf.dispose(Object.values(alone));
      disposeFeatureBatch(single);
    }
    // Pointer logits of empty slots are pushed far down; filled slots are ordinary numbers.
    const pointer = ((await together.target.array()) as number[][])[1]!;
    expect(pointer.slice(0, 5).every((x) => Math.abs(x) < 100)).toBe(true);
    expect(pointer.slice(5).every((x) => x < -1e8)).toBe(true);
    tf.dispose(Object.values(together));
    disposeFeatureBatch(batch);
    network.dispose();
  });

  it('ignores whatever the empty node slots hold (attention keys and pointer are masked)', async () => {
    const network = new PolicyNetwork(dimsOf(space), { seed: 6 });
    const clean = featurize(observations[1]!, space);
    const filled = 5;
    const noisy = { ...clean, nodeKind: clean.nodeKind.map((x, i) => (i >= filled ? 1 + (i % 4) : x)), nodeRole: clean.nodeRole.map((x, i) => (i >= filled ? 1 + (i % 6) : x)), nodeTemplate: clean.nodeTemplate.map((x, i) => (i >= filled ? 2 : x)) };
    const [a, b] = [clean, noisy].map((item) => {
      const batch = stackFeatures([item]);
      const logits = network.forward(batch);
      const rows = Object.fromEntries(HEADS.map((head) => [head, [...logits[head].dataSync()]]));
      tf.dispose(Object.values(logits));
      disposeFeatureBatch(batch);
      return rows as Record<HeadName, number[]>;
    });
    for (const head of HEADS) {
      const width = head === 'target' ? filled : space.sizes[head];
      for (let i = 0; i < width; i += 1) expect(b![head][i]).toBeCloseTo(a![head][i]!, 5);
    }
    // The same change inside a filled slot does move the logits, so the comparison above can fail.
    const moved = { ...clean, nodeKind: clean.nodeKind.map((x, i) => (i === 0 ? 4 : x)) };
    const batch = stackFeatures([moved]);
    const logits = network.forward(batch);
    expect(Math.max(...[...logits.type.dataSync()].map((x, i) => Math.abs(x - a!.type[i]!)))).toBeGreaterThan(1e-4);
    tf.dispose(Object.values(logits));
    disposeFeatureBatch(batch);
    network.dispose();
  });

  it('computes logProbOf as the masked log-softmax at the chosen index, summed over used heads only', async () => {
    const network = new PolicyNetwork(dimsOf(space), { seed: 5 });
    const features = observations.map((o) => featurize(o, space));
    const batch = stackFeatures(features);
    const logits = network.forward(batch);
    const rows = Object.fromEntries(await Promise.all(HEADS.map(async (head) => [head, (await logits[head].array()) as number[][]]))) as Record<HeadName, number[][]>;
    // Each item uses a few heads with a random-ish mask and index; the rest are unused (index −1, mask 0).
    const usedHeads: HeadName[][] = [['type', 'slot0'], ['type', 'size', 'slot0', 'slot1', 'slot2', 'slot3', 'target'], ['type', 'count', 'template', 'target']];
    const masks = {} as Record<HeadName, number[][]>;
    const indices: number[][] = [];
    const used: number[][] = [];
    const expected: number[] = [];
    const expectedEntropy: number[] = [];
    observations.forEach((_, b) => {
      indices.push([]);
      used.push([]);
      let logProb = 0;
      let entropy = 0;
      for (const head of HEADS) {
        const width = space.sizes[head];
        const isUsed = usedHeads[b]!.includes(head);
        const mask = Array.from({ length: width }, (_, i) => (isUsed && (i + b) % 3 !== 1 && (head !== 'target' || i < 4) ? 1 : 0));
        (masks[head] ??= []).push(mask);
        const index = isUsed ? mask.lastIndexOf(1) : -1;
        indices[b]!.push(index);
        used[b]!.push(isUsed ? 1 : 0);
        if (!isUsed) continue;
        const logSoftmax = maskedLogSoftmax(rows[head][b]!, mask);
        logProb += logSoftmax[index] as number;
        logSoftmax.forEach((x, i) => (entropy -= mask[i] ? Math.exp(x) * x : 0));
      }
      expected.push(logProb);
      expectedEntropy.push(entropy);
    });
    const inputs = {
      indices: tf.tensor2d(indices, undefined, 'int32'),
      used: tf.tensor2d(used),
      masks: Object.fromEntries(HEADS.map((head) => [head, tf.tensor2d(masks[head])])) as Record<HeadName, tf.Tensor2D>,
    };
    const scored = network.logProbOf(batch, inputs);
    const got = await scored.logProbs.data();
    const gotEntropy = await scored.entropy.data();
    expected.forEach((x, b) => expect(got[b]).toBeCloseTo(x, 4));
    expectedEntropy.forEach((x, b) => expect(gotEntropy[b]).toBeCloseTo(x, 4));
    expect(Math.min(...expectedEntropy)).toBeGreaterThan(0.5);
    tf.dispose([...Object.values(logits), scored.logProbs, scored.entropy, inputs.indices, inputs.used, ...Object.values(inputs.masks)]);
    disposeFeatureBatch(batch);
    network.dispose();
  });
});
