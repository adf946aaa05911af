import { describe, expect, it } from 'vitest';
import { createPythonSandbox, DATASETS, executeWorkflow, parseDsl, toTaskView, type CodeTask } from '@flowsteer/core';
import { createOperatorRegistry, scriptedBackend } from '@flowsteer/operators';
import type { BenchDataset } from '../src/bench/benchSuites.ts';
import { selectBenchDatasets } from '../src/bench/benchSuites.ts';
import { iidMean, PAPER_AVERAGES, paperBackboneFor, paperScore, RAW_BACKBONE_BY_KIND } from '../src/bench/paperResults.ts';
import { runBench, type BenchRuntime } from '../src/bench/runBench.ts';

const prompt = 'def add_up(numbers):\n    """Return the sum of the positive numbers in the list.\n    >>> add_up([1, -2, 3])\n    4\n    """\n';

/** Public test: the docstring example. Hidden tests: more cases, which a solution fitted to the example fails. */
const task: CodeTask = {
  id: 'humaneval/bench-leak',
  dataset: 'humaneval',
  kind: 'code',
  problem: prompt,
  entryPoint: 'add_up',
  tests: 'def check(f):\n    assert f([1, -2, 3]) == 4\n    assert f([]) == 0\n    assert f([5, 5]) == 10\n\ncheck(add_up)\n',
  testStyle: 'append',
  publicTests: 'assert add_up([1, -2, 3]) == 4\n',
  meta: {},
};

const FITTED_TO_PUBLIC_TEST = '```python\ndef add_up(numbers):\n    return 4\n```';
const CORRECT = '```python\ndef add_up(numbers):\n    return sum(n for n in numbers if n > 0)\n```';

const humaneval: BenchDataset = {
  info: DATASETS.find((d) => d.name === 'humaneval') as BenchDataset['info'],
  status: 'loaded',
  tasks: [task],
  errors: [],
  excluded: 0,
};

function runtimeReplying(code: string): BenchRuntime {
  return { registry: createOperatorRegistry(), backend: scriptedBackend([code]), sandbox: createPythonSandbox(), label: 'scripted backend (test)' };
}

describe('bench code scoring', () => {
  const canvas = parseDsl('Programmer -> Test');

  it("scores 0 when the workflow's own Test passes but the code fails the hidden tests", async () => {
    const runtime = runtimeReplying(FITTED_TO_PUBLIC_TEST);
    // The premise: the workflow's Test operator runs the public test and reports a pass.
    const execution = await executeWorkflow(canvas, toTaskView(task), runtime);
    const testNode = execution.trace.find((node) => node.operator === 'Test');
    expect(testNode?.passed).toBe(true);

    const report = await runBench({ target: { kind: 'workflow', canvas, spec: 'Programmer -> Test' }, datasets: [humaneval], runtime, seed: 0 });
    expect(report.rows[0]).toMatchObject({ dataset: 'humaneval', n: 1, score: 0 });
    expect(report.items[0]).toMatchObject({ correct: false, answerScore: 0 });
  });

  it('scores 100 when the same workflow writes code that passes the hidden tests', async () => {
    const report = await runBench({ target: { kind: 'workflow', canvas, spec: 'Programmer -> Test' }, datasets: [humaneval], runtime: runtimeReplying(CORRECT), seed: 0 });
    expect(report.rows[0]).toMatchObject({ score: 100 });
    expect(report.items[0]).toMatchObject({ correct: true });
  });
});

describe('paper results', () => {
  it('holds the §7.1 numbers with their backbone and reproduces the published averages', () => {
    expect(paperScore('hotpotqa')).toMatchObject({ score: 78.12, f1: 84.98, backbone: 'gpt-4o-mini' });
    expect(paperScore('ds1000')).toMatchObject({ score: 58.59, backbone: 'gpt-4o-mini' });
    expect(paperScore('nope')).toBeUndefined();
    const iid = DATASETS.filter((d) => d.split === 'iid').map((d) => paperScore(d.name)?.score ?? NaN);
    const ood = DATASETS.filter((d) => d.split === 'ood').map((d) => paperScore(d.name)?.score ?? NaN);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean(iid)).toBeCloseTo(PAPER_AVERAGES.iid.score, 1);
    expect(mean(ood)).toBeCloseTo(PAPER_AVERAGES.ood.score, 1);
    expect(iidMean('math')).toBeCloseTo((96.09 + 81.25) / 2, 6);
    expect(RAW_BACKBONE_BY_KIND.qa).toBeCloseTo(78.12 - 9.32, 6);
  });

  it('matches the executor model to a paper backbone, falling back to GPT-4o-mini', () => {
    expect(paperBackboneFor('sim-4o-mini')).toBe('gpt-4o-mini');
    expect(paperBackboneFor('gpt-4o-mini-2024-07-18')).toBe('gpt-4o-mini');
    expect(paperBackboneFor('claude-opus-4-5-20251101')).toBe('claude-opus-4-5');
    expect(paperBackboneFor(undefined)).toBe('gpt-4o-mini');
    expect(paperScore('gsm8k', 'deepseek-v3.2')).toMatchObject({ score: 98.4, baseScore: 93.6, backbone: 'deepseek-v3.2' });
    // The backend swap covers IID only: OOD falls back to the main backbone and says so.
    expect(paperScore('triviaqa', 'deepseek-v3.2')).toMatchObject({ score: 79.69, backbone: 'gpt-4o-mini' });
  });
});

describe('suite selection', () => {
  it('expands suites in the paper order and accepts aliases', () => {
    expect(selectBenchDatasets('iid').map((d) => d.name)).toEqual(['gsm8k', 'math', 'hotpotqa', 'squad_v2', 'mbpp', 'humaneval']);
    expect(selectBenchDatasets('ood').map((d) => d.name)).toEqual(['triviaqa', 'nq', 'mathqa', 'aime2025', 'apps', 'ds1000']);
    expect(selectBenchDatasets('all')).toHaveLength(12);
    expect(selectBenchDatasets('nq, squad ,AIME').map((d) => d.name)).toEqual(['squad_v2', 'nq', 'aime2025']);
  });

  it('rejects an unknown name with BAD_USER_INPUT', () => {
    expect(() => selectBenchDatasets('iid,gsm9k')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});
