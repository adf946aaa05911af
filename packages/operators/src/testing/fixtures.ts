/**
 * Small hand-made tasks of every kind for unit tests (gold data included, as the sim's oracle needs it).
 * @internal
 */
import type { CodeTask, MathTask, QaTask, Task } from '@flowsteer/core';

/** A GSM8K-style word problem. */
export const mathTask: MathTask = {
  id: 'gsm8k/test/0',
  dataset: 'gsm8k',
  kind: 'math',
  problem: 'Janet’s ducks lay 16 eggs per day. She eats 3 for breakfast and bakes muffins with 4. She sells the rest for $2 each. How many dollars does she make every day?',
  answer: '18',
  meta: {},
};

/** A MathQA-style multiple-choice problem. */
export const choiceTask: MathTask = {
  id: 'mathqa/test/0',
  dataset: 'mathqa',
  kind: 'math',
  problem: 'if log 8 x + log 8 1 / 6 = 1 / 3 , then the value of x is :\n\nOptions: a ) 12 , b ) 16 , c ) 18 , d ) 24 , e ) 26',
  answer: 'a',
  choices: { a: '12', b: '16', c: '18', d: '24', e: '26' },
  meta: {},
};

/** A SQuAD-style QA item with context. */
export const qaTask: QaTask = {
  id: 'squad_v2/q1',
  dataset: 'squad_v2',
  kind: 'qa',
  problem:
    'Context:\nThe Normans were descended from Norse raiders and pirates from Denmark, Iceland and Norway who, under their leader Rollo, agreed to swear fealty to King Charles III of West Francia.\n\nQuestion: Who was the Norse leader?\n\nAnswer:',
  answer: 'Rollo',
  answers: ['Rollo'],
  meta: { question: 'Who was the Norse leader?' },
};

/** A SQuAD 2.0 item without an answer. */
export const unanswerableTask: QaTask = {
  ...qaTask,
  id: 'squad_v2/q2',
  problem: qaTask.problem.replace('Who was the Norse leader?', 'Who was the Norse queen?'),
  answer: '',
  answers: [],
  meta: { question: 'Who was the Norse queen?' },
};

const codePrompt = 'def add_up(numbers):\n    """Return the sum of the positive numbers in the list.\n    >>> add_up([1, -2, 3])\n    4\n    """\n';

/** A HumanEval-style function task with a reference solution and hidden tests. */
export const codeTask: CodeTask = {
  id: 'humaneval/x1',
  dataset: 'humaneval',
  kind: 'code',
  problem: codePrompt,
  entryPoint: 'add_up',
  tests: 'def check(f):\n    assert f([1, -2, 3]) == 4\n    assert f([]) == 0\n    assert f([5, 5]) == 10\n    assert f([-1, 2, -3, 4]) == 6\n\ncheck(add_up)\n',
  testStyle: 'append',
  publicTests: 'assert add_up([1, -2, 3]) == 4\n',
  meta: {
    reference_solution: `${codePrompt}    total = 0\n    for value in numbers:\n        if value > 0:\n            total = total + value\n    return total\n`,
  },
};

/** All fixtures by id (a ready-made sim oracle). */
export const fixturesById: ReadonlyMap<string, Task> = new Map<string, Task>(
  [mathTask, choiceTask, qaTask, unanswerableTask, codeTask].map((task) => [task.id, task]),
);
