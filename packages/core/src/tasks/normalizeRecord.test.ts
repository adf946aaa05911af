import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLED_SAMPLES_DIR, DEFAULT_SHARED_DIR } from './datasets.ts';
import { derivePublicTests, normalizeRecord, parseOptions } from './normalizeRecord.ts';
import { toTaskView, type Task } from './types.ts';

const where = { file: 'x.jsonl', line: 7 };
const DATASET_FILES = ['gsm8k', 'math', 'hotpotqa', 'squad_v2', 'mbpp', 'humaneval', 'triviaqa', 'nq', 'mathqa', 'ds1000'];

function normalizeFile(path: string): { tasks: Task[]; errors: string[] } {
  const tasks: Task[] = [];
  const errors: string[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      const result = normalizeRecord(JSON.parse(line), { file: path, line: i + 1 });
      if (result.ok) tasks.push(result.task);
      else errors.push(result.error);
    });
  return { tasks, errors };
}

function firstSample(name: string): Task {
  const task = normalizeFile(join(BUNDLED_SAMPLES_DIR, `${name}.jsonl`)).tasks[0];
  if (!task) throw new Error(`no ${name} sample`);
  return task;
}

describe('normalizeRecord on the shared schema', () => {
  it('uses the question as the math problem and keeps the solution in meta', () => {
    const task = firstSample('gsm8k');
    expect(task).toMatchObject({ id: 'gsm8k/test/0', dataset: 'gsm8k', kind: 'math', answer: '18' });
    expect(task.problem.startsWith('Janet’s ducks lay 16 eggs')).toBe(true);
    expect(task.problem).not.toContain('####');
    expect(task.meta['solution']).toContain('#### 18');
    expect(task.meta['origin']).toContain('openai/grade-school-math');
  });

  it('sets MathQA choices from meta.choices and keeps the letter as the answer', () => {
    const task = firstSample('mathqa');
    expect(task.kind).toBe('math');
    if (task.kind !== 'math') return;
    expect(task.answer).toBe('a');
    expect(task.choices).toEqual({ a: '12', b: '16', c: '18', d: '24', e: '26' });
    expect(task.problem).toContain('Options: a ) 12');
  });

  it('renders a HotpotQA context as titled paragraphs joined without separators', () => {
    const task = firstSample('hotpotqa');
    expect(task.problem.startsWith('Context:\nConstantin Medien:\nConstantin Medien AG')).toBe(true);
    expect(task.problem).toContain('VIVA Poland:\nVIVA Polska (earlier "VIVApolska!") is a Polish 24h music');
    expect(task.problem.endsWith("\n\nQuestion: VIVA Media AG changed it's name in 2004. What does their new acronym stand for?\n\nAnswer:")).toBe(true);
    expect(task.meta['question']).toBe("VIVA Media AG changed it's name in 2004. What does their new acronym stand for?");
  });

  it('renders a SQuAD paragraph and keeps every crowd answer', () => {
    const task = firstSample('squad_v2');
    expect(task.problem).toMatch(/^Context:\nThe Normans \(Norman: Nourmands;[\s\S]*\n\nQuestion: Who was the Norse leader\?\n\nAnswer:$/);
    expect(task.kind === 'qa' && task.answers).toEqual(['Rollo', 'Rollo', 'Rollo', 'Rollo']);
  });

  it('uses the bare question when there is no context', () => {
    expect(firstSample('nq').problem).toBe('when was the last time anyone was on the moon');
  });

  it('shows MBPP the first assert only and keeps all three hidden', () => {
    const task = firstSample('mbpp');
    if (task.kind !== 'code') throw new Error('expected code');
    expect(task.problem).toBe(
      'Write a python function to remove first and last occurrence of a given character from the string.\n' +
        'Your code should pass this test:\nassert remove_Occ("hello","l") == "heo"\nThe function must be named remove_Occ.',
    );
    expect(task.publicTests).toBe('assert remove_Occ("hello","l") == "heo"\n');
    expect(task.tests.split('\n').filter((l) => l.startsWith('assert'))).toHaveLength(3);
  });

  it('derives HumanEval public tests from the doctest examples', () => {
    const task = firstSample('humaneval');
    if (task.kind !== 'code') throw new Error('expected code');
    expect(task.publicTests).toBe(
      'assert has_close_elements([1.0, 2.0, 3.0], 0.5) == False\n' +
        'assert has_close_elements([1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3) == True\n',
    );
    expect(task.tests).toContain('check(has_close_elements)');
    expect(task.publicTests).not.toBe(task.tests);
  });

  it('gives DS-1000 no public tests', () => {
    const task = firstSample('ds1000');
    expect(task).toMatchObject({ kind: 'code', testStyle: 'ds1000', entryPoint: '', publicTests: '' });
  });

  it('keeps gold data out of the task view', () => {
    for (const name of DATASET_FILES) {
      const task = firstSample(name);
      const view = JSON.stringify(toTaskView(task));
      if (task.kind === 'code') {
        const reference = task.meta['reference_solution'];
        if (typeof reference === 'string') expect(view).not.toContain(JSON.stringify(reference).slice(1, -1));
        if (task.publicTests !== task.tests) expect(view).not.toContain(JSON.stringify(task.tests).slice(1, -1));
      } else if (task.kind === 'math' && !task.choices) {
        expect(view).not.toContain(String(task.meta['solution'] ?? 'no solution field').slice(0, 60));
      }
    }
  });
});

describe('normalizeRecord rejects bad records', () => {
  it.each([
    [null, 'x.jsonl:7: field "record": expected a JSON object, got null'],
    [[1], 'field "record": expected a JSON object, got an array of 1'],
    [{ id: 'a', dataset: 'd', kind: 'essay' }, 'field "kind": expected "math", "qa" or "code", got the string "essay"'],
    [{ dataset: 'd', kind: 'math', question: 'q', answer: '1' }, 'field "id": expected a non-empty string, got nothing (missing)'],
    [{ id: 'a', dataset: 'd', kind: 'math', question: 'q', answer: 5 }, 'field "answer": expected a non-empty string, got number 5'],
    [{ id: 'a', dataset: 'd', kind: 'qa', question: 'q', answer: 'x', answers: 'x' }, 'field "answers": expected an array of strings, got the string "x"'],
    [{ id: 'a', dataset: 'd', kind: 'qa', question: 'q', answer: 'x', context: [['t', 'not a list']] }, 'field "context[0]": expected [title: string, sentences: string[]]'],
    [{ id: 'a', dataset: 'd', kind: 'code', prompt: 'p', entry_point: 'f', tests: 't', test_style: 'stdin' }, 'field "test_style": expected "append" or "ds1000", got the string "stdin"'],
    [{ id: 'a', dataset: 'd', kind: 'code', prompt: 'p', entry_point: 'f', tests: 't', language: 'js', test_style: 'append' }, 'field "language": expected "python"'],
    [{ id: 'a', dataset: 'd', kind: 'math', question: 'q', answer: 'f', meta: { choices: { a: '1', b: '2' } } }, 'field "answer": expected one of the meta.choices letters a, b, got the string "f"'],
    [{ id: 'a', dataset: 'd', kind: 'math', question: 'q', answer: '1', meta: 'm' }, 'field "meta": expected an object, got the string "m"'],
  ])('rejects %j', (raw, message) => {
    const result = normalizeRecord(raw, where);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });
});

describe('normalizeRecord on FlowSteer paper rows', () => {
  it('reads a math row', () => {
    const result = normalizeRecord({ problem: 'What is 2+2?', problem_type: 'math', source: 'gsm8k', ground_truth: 4, meta: {} }, where);
    expect(result).toEqual({
      ok: true,
      task: { id: 'gsm8k/line-7', dataset: 'gsm8k', kind: 'math', problem: 'What is 2+2?', answer: '4', meta: { problem_type: 'math' } },
    });
  });

  it('reads a QA row with |-separated golds and an id from meta', () => {
    const result = normalizeRecord(
      { problem: 'Based on the following passages…\n\nQuestion: Who?', problem_type: 'qa', source: 'hotpotqa', ground_truth: 'Rollo | Robert', meta: { id: 'abc', type: 'bridge' } },
      where,
    );
    expect(result.ok && result.task).toMatchObject({ id: 'hotpotqa/abc', kind: 'qa', answer: 'Rollo', answers: ['Rollo', 'Robert'] });
  });

  it('parses multiple-choice options from the problem when the truth is a letter', () => {
    const result = normalizeRecord({ problem: 'x?\n\nOptions: a ) 12 , b ) 16 , c ) 18', problem_type: 'math', source: 'mathqa', ground_truth: 'B' }, where);
    expect(result.ok && result.task).toMatchObject({ answer: 'b', choices: { a: '12', b: '16', c: '18' } });
  });

  it('reads a HumanEval code row, appends the check call and stores the truth as the reference', () => {
    const prompt = 'def add(a, b):\n    """Add.\n    >>> add(1, 2)\n    3\n    """\n';
    const result = normalizeRecord(
      { problem: prompt, problem_type: 'code', source: 'humaneval', ground_truth: '    return a + b\n', meta: { task_id: 'HumanEval/53', entry_point: 'add', test: 'def check(candidate):\n    assert candidate(2, 3) == 5\n' } },
      where,
    );
    expect(result.ok && result.task).toMatchObject({
      id: 'humaneval/HumanEval/53',
      kind: 'code',
      entryPoint: 'add',
      testStyle: 'append',
      publicTests: 'assert add(1, 2) == 3\n',
      tests: 'def check(candidate):\n    assert candidate(2, 3) == 5\n\n\ncheck(add)\n',
      meta: { reference_solution: '    return a + b\n' },
    });
  });

  it('rejects a code row without tests and an unknown problem type', () => {
    const noTests = normalizeRecord({ problem: 'p', problem_type: 'code', source: 's', ground_truth: '', meta: {} }, where);
    expect(!noTests.ok && noTests.error).toContain('field "meta.test": expected the hidden tests as a non-empty string, got nothing (missing)');
    const reasoning = normalizeRecord({ problem: 'p', problem_type: 'reasoning', source: 's', ground_truth: 'x' }, where);
    expect(!reasoning.ok && reasoning.error).toContain('field "problem_type": expected one of math, mathqa_mc, qa, code, humaneval, mbpp, got the string "reasoning"');
  });
});

describe('derivePublicTests', () => {
  it('converts one-line examples with arrows and "returns", mapping true/false', () => {
    const prompt = [
      'def f(x):',
      '    """',
      '    f(1) ➞ True',
      '    f("a") => false',
      '    * f([1, 2]) returns [2, 1]',
      '    f(3) should return 16.',
      '    f(a) => False',
      '    f(2) ==> ("Venus")',
      '    f(4) == 1 + 2 = 3',
      '    f(5) -> 3 # because',
      '    """',
    ].join('\n');
    expect(derivePublicTests(prompt, 'f')).toBe(
      'assert f(1) == True\nassert f("a") == False\nassert f([1, 2]) == [2, 1]\nassert f(3) == 16\nassert f(5) == 3\n',
    );
  });

  it('skips multi-line doctest output, helper calls and recurrence definitions', () => {
    const prompt = ['>>> f(1)', '[1,', ' 2]', '>>> f(g(1))', '2', 'f(n) = f(n - 1) + 1', 'f(2) = 3'].join('\n');
    expect(derivePublicTests(prompt, 'f')).toBe('');
  });

  it('skips the known-wrong HumanEval/47 median example', () => {
    expect(derivePublicTests('>>> median([3, 1, 2, 4, 5])\n3\n>>> median([-10, 4, 6, 1000, 10, 20])\n15.0\n', 'median')).toBe(
      'assert median([3, 1, 2, 4, 5]) == 3\n',
    );
  });

  it('parses MathQA option strings', () => {
    expect(parseOptions('q\n\nOptions: a ) 1 / 2 , b ) rs . 5 , c ) none')).toEqual({ a: '1 / 2', b: 'rs . 5', c: 'none' });
    expect(parseOptions('no options')).toBeUndefined();
  });
});

const sharedPresent = DATASET_FILES.every((name) => existsSync(join(DEFAULT_SHARED_DIR, `${name}.jsonl`)));
const hasPython = spawnSync('python3', ['--version']).status === 0;

describe('real datasets', () => {
  it('normalises every bundled sample record', () => {
    for (const name of DATASET_FILES) {
      const { tasks, errors } = normalizeFile(join(BUNDLED_SAMPLES_DIR, `${name}.jsonl`));
      expect(errors).toEqual([]);
      expect(tasks.length).toBe(name === 'hotpotqa' ? 30 : 40);
    }
  });

  it.skipIf(!sharedPresent)('normalises all 1,914 records of the 10 shared files', () => {
    const counts: Record<string, number> = {};
    for (const name of DATASET_FILES) {
      const { tasks, errors } = normalizeFile(join(DEFAULT_SHARED_DIR, `${name}.jsonl`));
      expect(errors).toEqual([]);
      counts[name] = tasks.length;
    }
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(1914);
  });

  it.skipIf(!sharedPresent || !hasPython)('derives public tests that the reference solutions pass', () => {
    const programs: Array<{ id: string; code: string }> = [];
    let humanevalWithTests = 0;
    for (const name of ['humaneval', 'mbpp']) {
      for (const task of normalizeFile(join(DEFAULT_SHARED_DIR, `${name}.jsonl`)).tasks) {
        if (task.kind !== 'code' || task.publicTests === '') continue;
        if (name === 'humaneval') humanevalWithTests++;
        programs.push({ id: task.id, code: `${String(task.meta['reference_solution'])}\n\n${task.publicTests}` });
      }
    }
    const runner = [
      'import json, sys',
      'failed = []',
      'for p in json.load(sys.stdin):',
      '    try:',
      "        exec(compile(p['code'], p['id'], 'exec'), {'__name__': '__main__'})",
      '    except BaseException as e:',
      "        failed.append(p['id'] + ': ' + repr(e)[:120])",
      'print(json.dumps(failed))',
    ].join('\n');
    const run = spawnSync('python3', ['-c', runner], { input: JSON.stringify(programs), encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([]);
    expect(humanevalWithTests).toBeGreaterThanOrEqual(130);
    expect(programs.length).toBe(humanevalWithTests + 200);
  });
});
