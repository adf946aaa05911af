import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isCoreError } from '../errors.ts';
import { createPythonSandbox } from '../sandbox/pythonSandbox.ts';
import type { CodeSandbox } from '../sandbox/types.ts';
import type { CodeTask } from '../tasks/types.ts';
import { assembleTestProgram, extractCode, scoreCode } from './codeScore.ts';

const DATASETS = '/work/shared/datasets';
const sharedMissing = !existsSync(`${DATASETS}/humaneval.jsonl`);
const sandbox = createPythonSandbox();

interface RawCodeRecord {
  id: string;
  dataset: string;
  prompt: string;
  entry_point: string;
  tests: string;
  test_style: 'append' | 'ds1000';
  meta: Record<string, unknown>;
}

/** The raw record mapped to a CodeTask; the reference solution stays in meta and is read only to self-test. */
function toTask(record: RawCodeRecord): CodeTask {
  return {
    id: record.id,
    dataset: record.dataset,
    kind: 'code',
    problem: record.prompt,
    meta: record.meta,
    entryPoint: record.entry_point,
    tests: record.tests,
    testStyle: record.test_style,
    publicTests: '',
  };
}

function readRecords(file: string, count: number, filter: (record: RawCodeRecord) => boolean = () => true): RawCodeRecord[] {
  return readFileSync(`${DATASETS}/${file}`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RawCodeRecord)
    .filter(filter)
    .slice(0, count);
}

function referenceOf(record: RawCodeRecord): string {
  const reference = record.meta['reference_solution'];
  if (typeof reference !== 'string') throw new Error(`${record.id} has no reference_solution`);
  return reference;
}

const appendTask: CodeTask = {
  id: 'toy/1',
  dataset: 'toy',
  kind: 'code',
  problem: 'from typing import List\n\n\ndef total(xs: List[int]) -> int:\n    """Sum of xs."""\n',
  meta: {},
  entryPoint: 'total',
  tests: 'assert total([1, 2, 3]) == 6\n',
  testStyle: 'append',
  publicTests: '',
};

describe('extractCode', () => {
  it('returns raw text without fences, dropping leading blank lines and trailing space', () => {
    expect(extractCode('\n\ndef f():\n    return 1\n\n')).toBe('def f():\n    return 1');
  });

  it('keeps the indentation of a bare completion', () => {
    expect(extractCode('    return sum(xs)\n')).toBe('    return sum(xs)');
  });

  it('prefers the longest python-tagged block over untagged and other-language ones', () => {
    const text = 'Here:\n```bash\npip install numpy numpy numpy numpy numpy\n```\n```\nx = 1\n```\n```python\ndef f():\n    return 2\n```\nUsage:\n```python\nf()\n```';
    expect(extractCode(text)).toBe('def f():\n    return 2');
  });

  it('falls back to untagged blocks and lets the last block win a tie', () => {
    expect(extractCode('```\na = 1\n```\ntext\n```\nb = 2\n```')).toBe('b = 2');
  });

  it('takes an unterminated final fence', () => {
    expect(extractCode('Solution:\n```py\ndef g():\n    return 3')).toBe('def g():\n    return 3');
  });

  it('drops DS-1000 <code> and END SOLUTION markers', () => {
    expect(extractCode('<code>\nresult = x.sum()\n</code>\nEND SOLUTION')).toBe('result = x.sum()');
  });
});

describe('assembleTestProgram', () => {
  it('appends the tests after a full solution, adding the header imports', () => {
    const program = assembleTestProgram(appendTask, 'def total(xs: List[int]) -> int:\n    return sum(xs)');
    expect(program).toBe('from typing import List\ndef total(xs: List[int]) -> int:\n    return sum(xs)\n\nassert total([1, 2, 3]) == 6\n');
  });

  it('prefixes a bare completion with the problem header', () => {
    const program = assembleTestProgram(appendTask, '    return sum(xs)');
    expect(program.startsWith(`${appendTask.problem}    return sum(xs)\n\n`)).toBe(true);
  });

  it('leaves code alone when the problem is prose (MBPP)', () => {
    const task = { ...appendTask, problem: 'Write a function total that sums a list.' };
    expect(assembleTestProgram(task, 'def total(xs):\n    return sum(xs)')).toBe('def total(xs):\n    return sum(xs)\n\nassert total([1, 2, 3]) == 6\n');
  });

  it('builds the DS-1000 harness call, adding test_string only when the tests define it', () => {
    const task = { ...appendTask, entryPoint: '', testStyle: 'ds1000' as const, tests: 'def test_execution(code):\n    pass' };
    expect(assembleTestProgram(task, 'result = 1')).toBe('def test_execution(code):\n    pass\ncode = "result = 1"\ntest_execution(code)\n');
    const withString = { ...task, tests: 'def test_execution(code):\n    pass\ndef test_string(code):\n    pass' };
    expect(assembleTestProgram(withString, 'r = 1')).toMatch(/\ntest_execution\(code\)\ntest_string\(code\)\n$/);
  });

  it('quotes the DS-1000 solution so Python reads back exactly the same text', async () => {
    const tricky = 'a = "quote" + \'single\'\\n\tb = "é✓😀"\r\n# \u2028 \u0000 \\\\ end';
    const task = { ...appendTask, entryPoint: '', testStyle: 'ds1000' as const, tests: 'import sys\ndef test_execution(code):\n    sys.stdout.write(code)' };
    const result = await sandbox.runPython(assembleTestProgram(task, tricky));
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(tricky);
  });
});

describe('scoreCode', () => {
  it('passes a correct fenced solution and fails a wrong one with the assertion as reason', async () => {
    const good = await scoreCode(appendTask, 'Sure:\n```python\ndef total(xs: List[int]) -> int:\n    return sum(xs)\n```', sandbox);
    expect(good).toMatchObject({ passed: true, score: 1, reason: 'passed' });
    const bad = await scoreCode(appendTask, 'def total(xs):\n    return 0', sandbox);
    expect(bad).toMatchObject({ passed: false, score: 0, reason: 'failed: AssertionError' });
  });

  it('scores empty output as "no code" without running anything', async () => {
    const neverRuns: CodeSandbox = { runPython: () => Promise.reject(new Error('should not run')) };
    expect(await scoreCode(appendTask, '  \n```python\n```\n', neverRuns)).toEqual({ passed: false, score: 0, reason: 'no code', durationMs: 0 });
  });

  it('reports a timeout for a solution that never finishes', async () => {
    const result = await scoreCode(appendTask, 'def total(xs):\n    while True:\n        pass', sandbox, { timeoutMs: 1000 });
    expect(result).toMatchObject({ passed: false, score: 0, reason: 'timeout' });
  });

  it('reports the error line for a crashing solution', async () => {
    const result = await scoreCode(appendTask, 'def total(xs):\n    return undefined_name', sandbox);
    expect(result.reason).toBe("failed: NameError: name 'undefined_name' is not defined");
  });

  it('propagates SANDBOX_UNAVAILABLE instead of scoring 0', async () => {
    const error = await scoreCode(appendTask, 'def total(xs): return 6', createPythonSandbox({ python: '/nonexistent/python3' })).catch((caught: unknown) => caught);
    expect(isCoreError(error, 'SANDBOX_UNAVAILABLE')).toBe(true);
  });

  describe.skipIf(sharedMissing)('on real records (needs /work/shared/datasets)', () => {
    it('passes HumanEval reference solutions, as full code and as bare completions', async () => {
      for (const record of readRecords('humaneval.jsonl', 3)) {
        const task = toTask(record);
        const reference = referenceOf(record);
        expect(await scoreCode(task, reference, sandbox), record.id).toMatchObject({ passed: true, score: 1 });
        const completion = reference.slice(record.prompt.length);
        expect(await scoreCode(task, completion, sandbox), `${record.id} completion`).toMatchObject({ passed: true });
      }
    });

    it('passes MBPP reference solutions', async () => {
      for (const record of readRecords('mbpp.jsonl', 3)) {
        expect(await scoreCode(toTask(record), referenceOf(record), sandbox), record.id).toMatchObject({ passed: true, reason: 'passed' });
      }
    });

    it('fails obviously wrong and empty solutions on real records', async () => {
      for (const record of [...readRecords('humaneval.jsonl', 2), ...readRecords('mbpp.jsonl', 2)]) {
        const task = toTask(record);
        const wrong = await scoreCode(task, `def ${record.entry_point}(*args, **kwargs):\n    return None`, sandbox);
        expect(wrong.passed, record.id).toBe(false);
        expect(wrong.reason).toMatch(/^failed: /);
        expect(await scoreCode(task, '', sandbox)).toMatchObject({ passed: false, reason: 'no code' });
      }
    });

    it('runs the DS-1000 harness on numpy problems (with and without test_string)', async (ctx) => {
      if (!(await sandbox.runPython('import numpy')).ok) ctx.skip(); // numpy is not installed for this python
      const records = readRecords('ds1000.jsonl', 200, (record) => record.id === 'ds1000/294' || record.id === 'ds1000/296');
      expect(records.map((record) => record.id)).toEqual(['ds1000/294', 'ds1000/296']);
      expect(records[1]?.tests).toContain('test_string(');
      for (const record of records) {
        const task = toTask(record);
        expect(await scoreCode(task, `<code>\n${referenceOf(record)}\n</code>`, sandbox), record.id).toMatchObject({ passed: true });
        expect((await scoreCode(task, 'result = None', sandbox)).passed, record.id).toBe(false);
      }
    });
  });
});
