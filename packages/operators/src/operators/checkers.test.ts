import { describe, expect, it } from 'vitest';
import { makeTestContext, scriptedBackend, stubSandbox } from '../testing/testContext.ts';
import { codeTask, mathTask, qaTask } from '../testing/fixtures.ts';
import { review } from './review.ts';
import { revise } from './revise.ts';
import { shouldOverwrite, verify } from './verify.ts';
import { test } from './test.ts';
import { toTaskView } from '@flowsteer/core';

describe('Review', () => {
  it('passes the solution through with the verdict and feedback', async () => {
    const { ctx } = makeTestContext({ task: mathTask, backend: scriptedBackend(['<review_result>FALSE</review_result><feedback>Step 2 subtracts wrongly.']), input: { solution: '17', prev: '17' } });
    const result = await review.run(ctx);
    expect(result).toMatchObject({ output: '17', role: 'verdict', passed: false, feedback: 'Step 2 subtracts wrongly.' });
  });

  it('reads an unparseable verdict from the tone of the critique', async () => {
    const { ctx } = makeTestContext({ task: mathTask, backend: scriptedBackend(['There is a mistake in the final step.']), input: { solution: '17' } });
    expect((await review.run(ctx)).passed).toBe(false);
    const ok = makeTestContext({ task: mathTask, backend: scriptedBackend(['Everything checks out.']), input: { solution: '18' } });
    expect((await review.run(ok.ctx)).passed).toBe(true);
  });
});

describe('Revise', () => {
  it('returns the revised solution from its tag', async () => {
    const { ctx, requests } = makeTestContext({ task: mathTask, backend: scriptedBackend(['<Solution>18</Solution>']), input: { solution: '17', feedback: 'off by one' } });
    const result = await revise.run(ctx);
    expect(result.output).toBe('18');
    expect(requests[0]?.metadata?.context?.feedback).toBe('off by one');
  });

  it('keeps the previous solution when the reply is empty', async () => {
    const { ctx } = makeTestContext({ task: mathTask, backend: scriptedBackend(['<solution></solution>']), input: { solution: '17' } });
    const result = await revise.run(ctx);
    expect(result).toMatchObject({ output: '17', role: 'verdict' });
    expect(result.error).toBeDefined();
  });
});

describe('Verify', () => {
  const math = toTaskView(mathTask);
  const qa = toTaskView(qaTask);

  it('overwrites only in the narrow cases', () => {
    expect(shouldOverwrite(math, 'ERROR: NameError', '18', false, 'high')).toBe(true);
    expect(shouldOverwrite(math, '', '18', false, 'high')).toBe(true);
    expect(shouldOverwrite(math, '-18', '18', false, 'high')).toBe(true);
    expect(shouldOverwrite(math, 'She makes 18 dollars', '18', false, 'high')).toBe(true);
    expect(shouldOverwrite(math, '17', '18', false, 'high')).toBe(false);
    expect(shouldOverwrite(math, '-18', '18', false, 'medium')).toBe(false);
    expect(shouldOverwrite(math, '-18', '18', true, 'high')).toBe(false);
    expect(shouldOverwrite(qa, 'Charles', 'Rollo', false, 'high')).toBe(false);
    expect(shouldOverwrite(toTaskView(codeTask), '', 'x', false, 'high')).toBe(false);
  });

  it('reports the verdict, keeps a disagreeing answer and puts its own answer in the feedback', async () => {
    const reply = '<verification_steps>recomputed</verification_steps><is_correct>false</is_correct><confidence>high</confidence><answer>18</answer>';
    const { ctx } = makeTestContext({ task: mathTask, backend: scriptedBackend([reply]), input: { solution: '17' } });
    const result = await verify.run(ctx);
    expect(result).toMatchObject({ output: '17', passed: false, role: 'verdict' });
    expect(result.feedback).toContain('18');
    expect(result.fields).toMatchObject({ is_correct: false, confidence: 'high', answer: '18', overwritten: false });
  });

  it('treats an unreadable verdict as a pass', async () => {
    const { ctx } = makeTestContext({ task: mathTask, backend: scriptedBackend(['hmm']), input: { solution: '18' } });
    expect((await verify.run(ctx)).passed).toBe(true);
  });
});

describe('Test', () => {
  it('passes math solutions through without any LLM call', async () => {
    const { ctx, requests } = makeTestContext({ task: mathTask, backend: scriptedBackend(['x']), input: { solution: '18' } });
    const result = await test.run(ctx);
    expect(result).toMatchObject({ passed: true, output: '18', role: 'verdict' });
    expect(requests).toHaveLength(0);
  });

  it('rewrites failing code until the public tests pass', async () => {
    const good = 'def add_up(numbers):\n    return sum(n for n in numbers if n > 0)';
    const { ctx, requests } = makeTestContext({
      task: codeTask,
      backend: scriptedBackend([`<reflection>skip negatives</reflection><code>\n\`\`\`python\n${good}\n\`\`\`\n</code>`]),
      input: { code: 'def add_up(numbers):\n    return sum(numbers)' },
      sandbox: stubSandbox((program) => (program.includes('if n > 0') ? {} : { ok: false, exitCode: 1, stderr: 'AssertionError' })),
    });
    const result = await test.run(ctx);
    expect(requests).toHaveLength(1);
    expect(result).toMatchObject({ passed: true, code: good, output: good });
  });

  it('fails after 3 rewrites that do not help', async () => {
    const { ctx, requests } = makeTestContext({
      task: codeTask,
      backend: scriptedBackend(['<code>def add_up(numbers):\n    return 0</code>']),
      input: { code: 'def add_up(numbers):\n    return 1' },
      sandbox: stubSandbox(() => ({ ok: false, exitCode: 1, stderr: 'AssertionError' })),
    });
    const result = await test.run(ctx);
    expect(requests).toHaveLength(3);
    expect(result.passed).toBe(false);
    expect(result.feedback).toMatch(/AssertionError/);
  });
});
