import { describe, expect, it } from 'vitest';
import { fakeBackend, noSandbox } from '../../test/fakes.ts';
import { trainerRegistry } from '../../test/trainerFakes.ts';
import { WorkflowEnv } from '../env/workflowEnv.ts';
import type { CodeTask, MathTask } from '../tasks/types.ts';
import { buildTurnPrompt, directorOperators, problemTypeHint, turnFeedback } from './llmDirectorPrompt.ts';

const operators = directorOperators(trainerRegistry);
const makeEnv = () => new WorkflowEnv({ registry: trainerRegistry, backend: fakeBackend(() => '42'), sandbox: noSandbox });

const publicTests = Array.from({ length: 30 }, (_, i) => `assert add(${i}, 1) == ${i + 1}`).join('\n');
const codeTask: CodeTask = {
  id: 'mbpp/1',
  dataset: 'mbpp',
  kind: 'code',
  problem: 'Write a function add(a, b) that returns the sum.',
  entryPoint: 'add',
  tests: 'assert add(1000, 2) == 1002  # HIDDEN',
  testStyle: 'append',
  publicTests,
  meta: {},
};

describe('buildTurnPrompt', () => {
  it('shows the problem and, from round 1, the canvas state and the last feedback', async () => {
    const env = makeEnv();
    const task: MathTask = { id: 'gsm8k/1', dataset: 'gsm8k', kind: 'math', problem: 'What is 6 * 7?', answer: '42', meta: {} };
    const first = buildTurnPrompt(env.reset(task), operators);
    expect(first).toMatch(/^Problem type: math\./);
    expect(first).toContain('## Problem\nWhat is 6 * 7?');
    expect(first).not.toContain('## Current State');
    await env.step({ type: 'add', operator: 'AnswerGenerate' });
    const after = buildTurnPrompt((await env.step({ type: 'prompt', prompt: 'Solve it step by step.' })).observation, operators);
    expect(after).toContain('## Current State\nDSL: AnswerGenerate\nOperators: 1 total, 1 unique types\nRound: 2/20\nTop-level nodes: node_1');
    expect(after).toMatch(/## Last Action Feedback\n<feedback>\n\[Status\]: Success/);
  });

  it('gives a code prompt turn the entry point and a head/tail excerpt of the public tests, never the hidden ones', async () => {
    const env = makeEnv();
    env.reset(codeTask);
    const awaiting = (await env.step({ type: 'add', operator: 'Programmer' })).observation;
    const text = buildTurnPrompt(awaiting, operators);
    expect(text).toMatch(/^## Write the prompt for Programmer \(node_1, new operator\)/);
    expect(text).toContain('Entry point: add');
    expect(text).toContain('assert add(0, 1) == 1');
    expect(text).toContain('assert add(29, 1) == 30');
    expect(text).not.toContain('assert add(15, 1)');
    expect(text).not.toContain('HIDDEN');
    expect(text).toMatch(/1-3 sentences, no XML/);
  });

  it('adds a note about the previous reply when given one', () => {
    const env = makeEnv();
    const text = buildTurnPrompt(env.reset(codeTask), operators, undefined, 'Your previous reply was not usable.');
    expect(text).toContain('## Note\nYour previous reply was not usable.\n## Your Turn');
  });
});

describe('problemTypeHint and turnFeedback', () => {
  it('hints multiple choice and does not repeat inline options', () => {
    const view = { id: 'mathqa/1', dataset: 'mathqa', kind: 'math' as const, problem: 'x = ?\n\nOptions: a ) 1 , b ) 2', choices: { a: '1', b: '2' } };
    expect(problemTypeHint(view)).toMatch(/multiple choice/);
    const env = makeEnv();
    const text = buildTurnPrompt(env.reset({ ...view, answer: 'a', meta: {} }), operators);
    expect(text).not.toContain('a) 1');
  });

  it('drops lines quoting an action and cuts long feedback', () => {
    expect(turnFeedback('[Status]: Failed\n[Previous]: <action>add</action>\n[Round]: 1/20', 800)).toBe('[Status]: Failed\n[Round]: 1/20');
    expect(turnFeedback('x'.repeat(900), 800)).toHaveLength(801);
  });
});
