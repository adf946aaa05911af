import { describe, expect, it } from 'vitest';
import { makeTestContext, scriptedBackend } from '../testing/testContext.ts';
import { choiceTask, mathTask, qaTask, unanswerableTask } from '../testing/fixtures.ts';
import { aggregate, numericMajority } from './aggregate.ts';
import { decompose } from './decompose.ts';
import { format, tidyAnswer } from './format.ts';
import { plan } from './plan.ts';
import { scEnsemble } from './scEnsemble.ts';
import { toTaskView } from '@flowsteer/core';

describe('ScEnsemble', () => {
  it('returns the candidate whose letter the model chose', async () => {
    const { ctx, requests } = makeTestContext({ task: mathTask, backend: scriptedBackend(['<thought>B agrees</thought><solution_letter>(b)</solution_letter>']), input: { candidates: ['17', '18', '18'] } });
    const result = await scEnsemble.run(ctx);
    expect(result.output).toBe('18');
    expect(requests[0]?.messages.at(-1)?.content).toContain('B. 18');
  });

  it('falls back to a majority vote when the letter cannot be read', async () => {
    const { ctx } = makeTestContext({ task: mathTask, backend: scriptedBackend(['no idea']), input: { candidates: ['17', '18', '18'] } });
    const result = await scEnsemble.run(ctx);
    expect(result.output).toBe('18');
    expect(result.error).toMatch(/majority/);
  });

  it('skips the LLM for a single candidate', async () => {
    const { ctx, requests } = makeTestContext({ task: mathTask, backend: scriptedBackend(['A']), input: { solution: '18', prev: '18' } });
    expect((await scEnsemble.run(ctx)).output).toBe('18');
    expect(requests).toHaveLength(0);
  });
});

describe('Aggregate', () => {
  it('takes the numeric majority without calling the LLM', async () => {
    const { ctx, requests } = makeTestContext({ task: mathTask, backend: scriptedBackend(['<aggregated_answer>99</aggregated_answer>']), input: { candidates: ['18', '17', ' 18 '] } });
    const result = await aggregate.run(ctx);
    expect(result.output).toBe('18');
    expect(result.fields.path).toBe('numeric-majority');
    expect(requests).toHaveLength(0);
  });

  it('asks the LLM when no number repeats', async () => {
    const { ctx, requests } = makeTestContext({ task: mathTask, backend: scriptedBackend(['<aggregated_answer>18</aggregated_answer>']), input: { candidates: ['18', '17', 'eighteen'] } });
    expect((await aggregate.run(ctx)).output).toBe('18');
    expect(requests).toHaveLength(1);
  });

  it('finds a numeric majority only among repeated plain numbers', () => {
    expect(numericMajority(['1,000', '1000', '7'])).toBe('1,000');
    expect(numericMajority(['5', '6'])).toBeUndefined();
    expect(numericMajority(['x', 'x'])).toBeUndefined();
  });
});

describe('Plan and Decompose', () => {
  it('parse numbered steps into a list and hand on guidance', async () => {
    const { ctx } = makeTestContext({ task: mathTask, backend: scriptedBackend(['<approach>direct</approach><plan>1. count eggs\n2) subtract\n- multiply</plan>']) });
    const result = await plan.run(ctx);
    expect(result.role).toBe('guidance');
    expect(result.fields.steps_list).toEqual(['count eggs', 'subtract', 'multiply']);
    expect(result.output).toBe('1. count eggs\n2. subtract\n3. multiply');
  });

  it('use the whole reply when the sub_problems tag is missing', async () => {
    const { ctx } = makeTestContext({ task: qaTask, backend: scriptedBackend(['1. Who led the Normans?\n2. Was he Norse?']) });
    const result = await decompose.run(ctx);
    expect(result.fields.sub_problems_list).toEqual(['Who led the Normans?', 'Was he Norse?']);
  });
});

describe('Format', () => {
  it('turns multiple-choice replies into a letter, by letter or by option text', async () => {
    const byLetter = makeTestContext({ task: choiceTask, backend: scriptedBackend(['<answer>(A)</answer>']), input: { solution: 'x is 12' } });
    expect((await format.run(byLetter.ctx)).output).toBe('a');
    const byText = makeTestContext({ task: choiceTask, backend: scriptedBackend(['<answer>16</answer>']), input: { solution: '16' } });
    expect((await format.run(byText.ctx)).output).toBe('b');
  });

  it('maps no-answer phrases to one canonical form for QA', () => {
    const view = toTaskView(unanswerableTask);
    expect(tidyAnswer(view, 'Not stated in the passage.')).toBe('unanswerable');
    expect(tidyAnswer(view, '')).toBe('unanswerable');
    expect(tidyAnswer(toTaskView(qaTask), 'Answer: Rollo.')).toBe('Rollo');
  });

  it('unwraps boxed and dollar math without touching symbolic forms', () => {
    const view = toTaskView(mathTask);
    expect(tidyAnswer(view, '$\\boxed{\\frac{\\pi}{2}}$')).toBe('\\frac{\\pi}{2}');
    expect(tidyAnswer(view, 'Final answer: 18.')).toBe('18');
  });

  it('falls back to the last line when the answer tag is missing', async () => {
    const { ctx } = makeTestContext({ task: mathTask, backend: scriptedBackend(['The result.\nAnswer: 18']), input: { solution: 'She makes 18 dollars.' } });
    expect((await format.run(ctx)).output).toBe('18');
  });
});
