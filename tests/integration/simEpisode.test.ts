import { describe, expect, it } from 'vitest';
import { BUNDLED_SAMPLES_DIR, createCachedSandbox, createPythonSandbox, loadDataset, WorkflowEnv, type Action, type Task } from '@flowsteer/core';
import { createOperatorRegistry, createSimBackend } from '@flowsteer/operators';

const sandbox = createCachedSandbox(createPythonSandbox());
const registry = createOperatorRegistry();

async function tasksOf(name: string, limit = 6): Promise<Task[]> {
  return (await loadDataset(name, { limit, dataDir: BUNDLED_SAMPLES_DIR })).tasks;
}

function envFor(tasks: readonly Task[], seed = 0): WorkflowEnv {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  return new WorkflowEnv({ registry, sandbox, backend: createSimBackend({ seed, oracle: (id) => byId.get(id) }) });
}

const p = (prompt: string): Action => ({ type: 'prompt', prompt });
const FEASIBLE: Action[] = [
  { type: 'add', operator: 'Plan' },
  p('Outline the solution steps.'),
  { type: 'add_parallel', operators: ['AnswerGenerate', 'AnswerGenerate', 'AnswerGenerate'] },
  p('Solve step by step.'),
  p('Solve it a second way.'),
  p('Solve it a third way.'),
  { type: 'add', operator: 'ScEnsemble' },
  p('Pick the most consistent answer.'),
  { type: 'add_conditional', condition: 'Verify', onFail: 'Revise' },
  p('Verify the answer independently.'),
  p('Fix the answer using the feedback.'),
  { type: 'add', operator: 'Format' },
  p('Return only the final answer.'),
  { type: 'finish' },
];

async function play(env: WorkflowEnv, task: Task, actions: readonly Action[]) {
  env.reset(task);
  let last;
  for (const action of actions) {
    last = await env.step(action);
    if (last.done) break;
  }
  return last!;
}

describe('episodes on the simulated executor', () => {
  it('releases the answer reward for a feasible workflow: R equals the answer score', async () => {
    const tasks = await tasksOf('gsm8k');
    const env = envFor(tasks);
    for (const task of tasks) {
      const end = await play(env, task, FEASIBLE);
      expect(end.done).toBe(true);
      expect(end.info.outcome?.reason).toBe('finish');
      expect(end.info.outcome?.reward.diversity).toBe(1);
      expect(end.reward).toBeCloseTo(end.info.outcome?.taskScore.score ?? NaN);
      expect(end.info.outcome?.execution?.simulated).toBe(true);
    }
  });

  it('rejects the finish of a one-operator shortcut and withholds its answer reward at the round limit', async () => {
    const tasks = await tasksOf('squad_v2', 3);
    const env = envFor(tasks);
    const shortcut: Action[] = [{ type: 'add', operator: 'AnswerGenerate' }, p('Answer the question.'), ...Array.from({ length: 18 }, (): Action => ({ type: 'finish' }))];
    for (const task of tasks) {
      const end = await play(env, task, shortcut);
      expect(env.history.filter((step) => step.reason?.startsWith('finish rejected')).length).toBe(18);
      expect(end.info.outcome?.reason).toBe('max_rounds');
      expect(end.reward).toBeLessThan(0);
      expect(end.info.outcome?.reward.released).toBe(false);
    }
  });

  it('scores code episodes on the hidden tests in the sandbox', async () => {
    const tasks = await tasksOf('mbpp', 3);
    const env = envFor(tasks);
    const codeFlow: Action[] = [
      { type: 'add', operator: 'Plan' },
      p('Plan the function.'),
      { type: 'add_parallel', operators: ['Programmer', 'Programmer'] },
      p('Write the function.'),
      p('Write it another way.'),
      { type: 'add', operator: 'ScEnsemble' },
      p('Pick the best implementation.'),
      { type: 'add_conditional', condition: 'Test', onFail: 'Revise' },
      p('Run the public tests.'),
      p('Fix the failing code.'),
      { type: 'finish' },
    ];
    for (const task of tasks) {
      const end = await play(env, task, codeFlow);
      expect(end.info.outcome?.reason).toBe('finish');
      expect(end.info.outcome?.taskScore.metrics.passed).toBe(end.info.outcome?.taskScore.correct);
      expect(end.info.outcome?.execution?.code).toBeTruthy();
    }
  });

  it('is deterministic for a seed and varies across seeds', async () => {
    const tasks = await tasksOf('math', 8);
    const run = async (seed: number) => {
      const env = envFor(tasks, seed);
      const answers: string[] = [];
      for (const task of tasks) answers.push((await play(env, task, FEASIBLE)).info.outcome?.execution?.answer ?? '');
      return answers;
    };
    const [a, b, c] = [await run(1), await run(1), await run(2)];
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('drives the environment from the paper XML text, including messy replies', async () => {
    const tasks = await tasksOf('hotpotqa', 1);
    const env = envFor(tasks);
    env.reset(tasks[0] as Task);
    const invalid = await env.step('```\n<think>maybe Plan?</think>\nhmm, not sure\n```');
    expect(invalid.info.valid).toBe(false);
    const add = await env.step('<think>start with a plan</think>[ACTION]add[/ACTION][OPERATOR]plan[/OPERATOR]');
    expect(add.observation.awaiting?.operator).toBe('Plan');
    const prompt = await env.step('<prompt>Identify the two entities and the bridge fact.</prompt>');
    expect(prompt.info.executed).toBe(true);
    expect(prompt.observation.dsl).toBe('Plan');
  });
});
