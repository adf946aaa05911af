import { describe, expect, it } from 'vitest';
import { PAPER_OPERATORS } from '../canvas/types.ts';
import { WorkflowEnv } from '../env/workflowEnv.ts';
import type { MathTask, QaTask } from '../tasks/types.ts';
import { fakeBackend, noSandbox, registryOf, scriptedOperator } from '../../test/fakes.ts';
import { ActionSpace, HEADS } from './actionSpace.ts';
import { createFixedWorkflowPolicy, createRandomPolicy, FIXED_WORKFLOWS, seededRandom } from './baselines.ts';
import { createTemplateLibrary } from './templates.ts';

const registry = registryOf(
  PAPER_OPERATORS.map((name) =>
    scriptedOperator(name, (ctx) =>
      ['Verify', 'Review', 'Test'].includes(name) ? { output: ctx.input.solution, role: 'verdict', passed: true } : { output: '42' },
    ),
  ),
);
const space = new ActionSpace({ operators: registry.names(), templates: createTemplateLibrary() });
const mathTask: MathTask = { id: 'm/1', dataset: 'm', kind: 'math', problem: '6*7?', answer: '42', meta: {} };
const qaTask: QaTask = { id: 'q/1', dataset: 'q', kind: 'qa', problem: 'Capital of France?', answer: 'Paris', answers: ['Paris'], meta: {} };
const env = () => new WorkflowEnv({ registry, backend: fakeBackend(), sandbox: noSandbox });

describe('ActionSpace with the random policy', () => {
  it('never samples an invalid action and re-encodes every decision to the same indices', async () => {
    const policy = createRandomPolicy(space, 3);
    let steps = 0;
    for (let episode = 0; episode < 40; episode += 1) {
      const e = env();
      let observation = e.reset(episode % 2 ? mathTask : qaTask);
      while (!observation.done) {
        const [decision] = await policy.act([observation]);
        const encoded = space.encode(observation, decision!.action);
        expect(encoded.ok && encoded.decision.indices).toEqual(decision!.indices);
        const result = await e.step(decision!.action);
        // A finish the gate rejects is a legal move (the env decides), not a malformed action.
        expect(result.info.valid || result.info.finishRejected !== undefined, `${JSON.stringify(decision!.action)} → ${result.info.reason}`).toBe(true);
        observation = result.observation;
        steps += 1;
      }
    }
    expect(steps).toBeGreaterThan(200);
  });

  it('gives log π = −Σ log |valid options| under uniform logits, and entropy = −log π', () => {
    const observation = env().reset(mathTask);
    const decision = space.sample(observation, () => new Float32Array(64), seededRandom(1));
    let expected = 0;
    for (const head of HEADS) {
      const mask = decision.masks[head];
      if (mask) expected -= Math.log(mask.reduce((sum, bit) => sum + bit, 0));
    }
    expect(decision.logProb).toBeCloseTo(expected, 10);
    expect(decision.entropy).toBeCloseTo(-expected, 10);
  });

  it('masks every head except template on a prompt turn', async () => {
    const e = env();
    e.reset(mathTask);
    const { observation } = await e.step({ type: 'add', operator: 'Verify' });
    const decision = space.sample(observation, () => new Float32Array(64), seededRandom(2));
    expect(decision.action).toMatchObject({ type: 'prompt', templateId: expect.stringMatching(/^Verify\.\d$/) });
    expect(HEADS.filter((head) => decision.masks[head] !== null)).toEqual(['type', 'template']);
  });

  it('follows the logits when they are peaked', () => {
    const observation = env().reset(mathTask);
    const logits = (head: string) => {
      const out = new Float32Array(64).fill(-30);
      if (head === 'type') out[0] = 30; // add
      if (head === 'slot0') out[space.operators.indexOf('Plan')] = 30;
      return out;
    };
    expect(space.sample(observation, logits, seededRandom(3)).action).toEqual({ type: 'add', operator: 'Plan' });
  });
});

describe('ActionSpace decoding (temperature, top-p)', () => {
  const observation = env().reset(mathTask);
  // Type head: add (index 0) at logit 1, every other valid type at 0; argument heads uniform.
  const logits = (head: string) => {
    const out = new Float32Array(64);
    if (head === 'type') out[0] = 1;
    return out;
  };
  const addShare = (options: Parameters<ActionSpace['sample']>[3], draws = 4000) => {
    const random = seededRandom(11);
    let adds = 0;
    for (let i = 0; i < draws; i += 1) if (space.sample(observation, logits, random, options).action.type === 'add') adds += 1;
    return adds / draws;
  };
  const validTypes = space.sample(observation, logits, seededRandom(1)).masks.type!.reduce((n, bit) => n + bit, 0);
  const share = (temperature: number) => Math.exp(1 / temperature) / (Math.exp(1 / temperature) + validTypes - 1);

  it('samples p^(1/T): a lower temperature sharpens, the recorded log π stays the policy’s own', () => {
    expect(addShare({})).toBeCloseTo(share(1), 1);
    expect(addShare({ temperature: 0.5 })).toBeCloseTo(share(0.5), 1);
    const random = seededRandom(5);
    for (let i = 0; i < 20; i += 1) {
      const tempered = space.sample(observation, logits, random, { temperature: 0.5 });
      const typeProb = tempered.indices.type === 0 ? Math.E / (Math.E + validTypes - 1) : 1 / (Math.E + validTypes - 1);
      let expected = Math.log(typeProb);
      for (const head of HEADS.filter((h) => h !== 'type')) {
        const mask = tempered.masks[head];
        if (mask) expected -= Math.log(mask.reduce((sum, bit) => sum + bit, 0));
      }
      expect(tempered.logProb).toBeCloseTo(expected, 6);
    }
  });

  it('keeps only the nucleus: a small top-p always picks the most likely option', () => {
    expect(addShare({ topP: 0.01 }, 500)).toBe(1);
    expect(addShare({ topP: 1 }, 500)).toBeLessThan(1);
  });

  it('refuses a temperature or top-p out of range', () => {
    for (const options of [{ temperature: 0 }, { temperature: -1 }, { topP: 0 }, { topP: 1.5 }, { temperature: Number.NaN }]) {
      expect(() => space.sample(observation, logits, seededRandom(1), options)).toThrow(/temperature > 0 and topP in \(0, 1\]/);
    }
  });
});

describe('fixed workflow baselines', () => {
  it.each(Object.keys(FIXED_WORKFLOWS) as (keyof typeof FIXED_WORKFLOWS)[])('%s builds its workflow through prompt turns', async (name) => {
    const policy = createFixedWorkflowPolicy(space, name, FIXED_WORKFLOWS[name]);
    const e = env();
    let observation = e.reset(mathTask);
    let last;
    for (let i = 0; i < 20 && !observation.done; i += 1) {
      const [decision] = await policy.act([observation]);
      last = await e.step(decision!.action);
      expect(last.info.valid || last.info.finishRejected !== undefined).toBe(true);
      observation = last.observation;
    }
    expect(observation.dsl).toBe(FIXED_WORKFLOWS[name].math);
    if (name === 'handDesigned') expect(last?.info.outcome?.reason).toBe('finish');
  });
});
