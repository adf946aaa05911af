import { beforeAll, describe, expect, it } from 'vitest';
import { updateOperatorNode } from '../canvas/canvas.ts';
import { parseDsl, printDsl } from '../canvas/dsl.ts';
import { PAPER_OPERATORS } from '../canvas/types.ts';
import type { FeedbackSignals } from '../env/feedback.ts';
import type { Observation } from '../env/workflowEnv.ts';
import { ActionSpace } from './actionSpace.ts';
import { disposeFeatureBatch, featurize, GLOBAL_FEATURES, hashTokens, NODE_FLAGS, stackFeatures, wordPieces } from './featurize.ts';
import { createTemplateLibrary } from './templates.ts';
import { selectTfBackend } from './tf/tfBackend.ts';

const space = new ActionSpace({ operators: [...PAPER_OPERATORS], templates: createTemplateLibrary() });
const op = (name: string) => PAPER_OPERATORS.indexOf(name as (typeof PAPER_OPERATORS)[number]) + 1;
const signals: FeedbackSignals = {
  executed: false,
  executionOk: null,
  nodeErrors: 0,
  checkerPassed: null,
  testPassed: null,
  answerVerbose: false,
  answerEmpty: true,
  lastActionValid: true,
  finishRejected: false,
  finishAllowed: false,
  awaitingPrompt: false,
};

function observe(dsl: string, extra: Partial<Observation> = {}): Observation {
  const canvas = dsl === '' ? { stages: [], nextId: 1 } : parseDsl(dsl);
  return {
    task: { id: 'unit/1', dataset: 'unit', kind: 'math', problem: 'What is 6 * 7?' },
    canvas,
    dsl: printDsl(canvas),
    round: 4,
    maxRounds: 20,
    awaiting: null,
    applicable: ['add', 'finish'],
    signals,
    feedback: '',
    done: false,
    ...extra,
  };
}

const global = (features: { globals: Float32Array }, name: (typeof GLOBAL_FEATURES)[number]) => features.globals[GLOBAL_FEATURES.indexOf(name)];

describe('hashTokens', () => {
  it('lowercases, splits digits and long words, and pads with 0', () => {
    expect(wordPieces('Multiplication of 42, OK?')).toEqual(['multipli', 'cation', 'of', '4', '2', ',', 'ok', '?']);
    const ids = hashTokens('Multiplication of 42, OK?', 12, 2048);
    expect(ids).toEqual(hashTokens('MULTIPLICATION OF 42, ok?', 12, 2048));
    expect([...ids.slice(0, 8)].every((id) => id >= 1 && id < 2048)).toBe(true);
    expect([...ids.slice(8)]).toEqual([0, 0, 0, 0]);
  });

  it('keeps only the first maxTokens pieces and maps different words to different ids', () => {
    const ids = hashTokens('alpha beta gamma delta epsilon', 3, 2048);
    expect(ids.length).toBe(3);
    expect(ids[0]).toBe(hashTokens('alpha', 1, 2048)[0]);
    expect(new Set(ids).size).toBe(3);
  });
});

describe('featurize', () => {
  it('gives fixed shapes and the same features for the same observation', () => {
    const observation = observe('Plan -> AnswerGenerate');
    const a = featurize(observation, space);
    expect(a.tokens.length).toBe(64);
    expect(a.globals.length).toBe(GLOBAL_FEATURES.length);
    for (const key of ['nodeOperator', 'nodeKind', 'nodeRole', 'nodePosition', 'nodeChild', 'nodeTemplate', 'stageFirstNode'] as const) {
      expect(a[key].length).toBe(space.sizes.target);
    }
    expect(a.nodeFlags.length).toBe(space.sizes.target * NODE_FLAGS);
    expect(featurize(observation, space)).toEqual(a);
  });

  it('describes every node of the canvas in execution order and leaves the rest empty', () => {
    const base = observe('Plan -> [AnswerGenerate, Programmer] -> Verify ? Revise : done -> (Review -> Revise) * 2');
    const canvas = updateOperatorNode(base.canvas, 'node_2_p1', (node) => ({ ...node, prompt: 'Write Python.', templateId: 'Programmer.1' }));
    const features = featurize({ ...base, canvas }, space);
    const nodes = 7;
    expect([...features.nodeOperator.slice(0, nodes + 1)]).toEqual([op('Plan'), op('AnswerGenerate'), op('Programmer'), op('Verify'), op('Revise'), op('Review'), op('Revise'), 0]);
    expect([...features.nodeKind.slice(0, nodes + 1)]).toEqual([1, 2, 2, 3, 3, 4, 4, 0]);
    expect([...features.nodeRole.slice(0, nodes + 1)]).toEqual([1, 2, 2, 3, 4, 6, 6, 0]);
    expect([...features.nodePosition.slice(0, nodes + 1)]).toEqual([1, 2, 2, 3, 3, 4, 4, 0]);
    expect([...features.nodeChild.slice(0, nodes + 1)]).toEqual([0, 0, 1, 0, 0, 0, 1, 0]);
    expect([...features.nodeTemplate.slice(0, nodes)]).toEqual([0, 0, 2, 0, 0, 0, 0]);
    expect([...features.stageFirstNode.slice(0, 5)]).toEqual([0, 1, 3, 5, -1]);
    expect(features.nodeFlags[2 * NODE_FLAGS]).toBe(1); // the Programmer branch has a prompt
    expect(features.nodeFlags[0]).toBe(0);
    expect(global(features, 'operatorCount/5')).toBeCloseTo(7 / 5);
    expect(global(features, 'hasControlStructure')).toBe(1);
    expect(global(features, 'hasChecker')).toBe(1);
    expect(global(features, 'hasFormat')).toBe(0);
    expect(global(features, 'round/maxRounds')).toBeCloseTo(0.2);
  });

  it('encodes task kind, flags and three-state signals', () => {
    const code = featurize(
      observe('', {
        task: { id: 'c/1', dataset: 'c', kind: 'code', problem: 'def f(x):', entryPoint: 'f', publicTests: 'assert f(1) == 1', testStyle: 'append' },
        signals: { ...signals, executionOk: false, nodeErrors: 2, testPassed: true, checkerPassed: false, answerEmpty: false },
      }),
      space,
    );
    expect([global(code, 'kind.math'), global(code, 'kind.qa'), global(code, 'kind.code')]).toEqual([0, 0, 1]);
    expect(global(code, 'hasPublicTests')).toBe(1);
    expect([global(code, 'executionOk.true'), global(code, 'executionOk.false')]).toEqual([0, 1]);
    expect([global(code, 'testPassed.true'), global(code, 'testPassed.false')]).toEqual([1, 0]);
    expect([global(code, 'checkerPassed.true'), global(code, 'checkerPassed.false')]).toEqual([0, 1]);
    expect(global(code, 'nodeErrors>0')).toBe(1);
    const fresh = featurize(observe(''), space);
    expect([global(fresh, 'executionOk.true'), global(fresh, 'executionOk.false'), global(fresh, 'testPassed.true')]).toEqual([0, 0, 0]);
    const choices = featurize(observe('', { task: { id: 'm/2', dataset: 'mathqa', kind: 'math', problem: 'Pick one', choices: { a: '1', b: '2' } } }), space);
    expect(global(choices, 'multipleChoice')).toBe(1);
    expect(global(fresh, 'multipleChoice')).toBe(0);
  });

  it('marks the operator and node whose prompt is awaited', () => {
    const observation = observe('[Programmer, Programmer]', {
      awaiting: { target: 'node_1_p1', operator: 'Programmer', label: 'parallel prompt 2/2' },
      signals: { ...signals, awaitingPrompt: true },
    });
    const features = featurize(observation, space);
    expect(features.pendingOperator).toBe(op('Programmer'));
    expect([features.nodeFlags[1], features.nodeFlags[NODE_FLAGS + 1]]).toEqual([0, 1]);
    expect(global(features, 'awaitingPrompt')).toBe(1);
    expect(featurize(observe(''), space).pendingOperator).toBe(0);
  });
});

describe('stackFeatures', () => {
  beforeAll(async () => {
    await selectTfBackend('cpu');
  });

  it('stacks features into batch tensors with a normalised token bag and stage selectors', async () => {
    const list = [featurize(observe('Plan -> [AnswerGenerate, Programmer]'), space), featurize(observe('', { task: { id: 'e', dataset: 'e', kind: 'qa', problem: '' } }), space)];
    const batch = stackFeatures(list);
    expect(batch.tokenBag.shape).toEqual([2, 2048]);
    expect(batch.nodeOperator.shape).toEqual([2, space.sizes.target]);
    expect(batch.nodeFlags.shape).toEqual([2, space.sizes.target, NODE_FLAGS]);
    expect(batch.stageSelect.shape).toEqual([2, space.sizes.target, space.sizes.target]);
    const bag = (await batch.tokenBag.array()) as number[][];
    expect(bag[0]!.reduce((sum, x) => sum + x, 0)).toBeCloseTo(1, 5);
    expect(bag[1]!.reduce((sum, x) => sum + x, 0)).toBe(0);
    const select = (await batch.stageSelect.array()) as number[][][];
    expect(select[0]![1]![1]).toBe(1); // stage 1 (the parallel) starts at node slot 1
    expect(select[0]![2]!.every((x) => x === 0)).toBe(true);
    expect(((await batch.nodeMask.array()) as number[][])[0]!.slice(0, 4)).toEqual([1, 1, 1, 0]);
    disposeFeatureBatch(batch);
  });
});
