import { describe, expect, it } from 'vitest';
import { makeTestContext, scriptedBackend, stubSandbox } from '../testing/testContext.ts';
import { codeTask, mathTask } from '../testing/fixtures.ts';
import { answerGenerate } from './answerGenerate.ts';
import { custom } from './custom.ts';
import { programmer } from './programmer.ts';

describe('Custom', () => {
  it('returns the reply as plain text and sends the instruction', async () => {
    const { ctx, requests } = makeTestContext({ task: mathTask, backend: scriptedBackend(['  The total is 18.  ']), instruction: 'Answer tersely.' });
    const result = await custom.run(ctx);
    expect(result.output).toBe('The total is 18.');
    expect(result.role).toBe('solution');
    expect(requests[0]?.messages.at(-1)?.content).toContain('Answer tersely.');
  });

  it('extracts code on code tasks and reports a reply without code', async () => {
    const withCode = makeTestContext({ task: codeTask, backend: scriptedBackend(['Sure:\n```python\ndef add_up(n):\n    return 0\n```']) });
    expect((await custom.run(withCode.ctx)).code).toBe('def add_up(n):\n    return 0');
    const without = makeTestContext({ task: codeTask, backend: scriptedBackend(['I cannot help with that.']) });
    expect((await custom.run(without.ctx)).error).toMatch(/no Python code/);
  });
});

describe('AnswerGenerate', () => {
  it('reads thought and answer fields from messy text', async () => {
    const { ctx } = makeTestContext({ task: mathTask, backend: scriptedBackend(['```\n<THOUGHT>16-3-4=9; 9*2=18</thought>\n<answer> 18 \n```']) });
    const result = await answerGenerate.run(ctx);
    expect(result.output).toBe('18');
    expect(result.fields.thought).toBe('16-3-4=9; 9*2=18');
  });

  it('falls back to an "Answer:" line when the answer tag is missing', async () => {
    const { ctx } = makeTestContext({ task: mathTask, backend: scriptedBackend(['Let me think.\nShe sells 9 eggs.\nFinal answer: 18']) });
    const result = await answerGenerate.run(ctx);
    expect(result.output).toBe('18');
    expect(result.fields.parsed).toBe('fallback');
  });

  it('passes an upstream result but not a plan as "previous"', async () => {
    const backend = scriptedBackend(['<answer>1</answer>']);
    const plain = makeTestContext({ task: mathTask, backend, input: { prev: '17', solution: '17' } });
    await answerGenerate.run(plain.ctx);
    expect(plain.requests[0]?.metadata?.context?.previous).toBe('17');
    const planned = makeTestContext({ task: mathTask, backend, input: { prev: '1. read', guidance: '1. read' } });
    await answerGenerate.run(planned.ctx);
    expect(planned.requests[0]?.metadata?.context?.previous).toBeUndefined();
    expect(planned.requests[0]?.metadata?.context?.hasGuidance).toBe(true);
  });
});

describe('Programmer', () => {
  const marker = (code: string) => (code.includes('def solve') ? { stdout: `noise\n<<<FLOWSTEER_OUTPUT>>>18\n` } : {});

  it('runs solve() in the sandbox and returns its printed value', async () => {
    const { ctx } = makeTestContext({
      task: mathTask,
      backend: scriptedBackend(['```python\ndef solve():\n    return 18\n```']),
      sandbox: stubSandbox(marker),
    });
    const result = await programmer.run(ctx);
    expect(result.output).toBe('18');
    expect(result.code).toContain('def solve');
    expect(result.fields.attempts).toBe(1);
  });

  it('feeds the error back and retries when the code does not define solve()', async () => {
    const { ctx, requests } = makeTestContext({
      task: mathTask,
      backend: scriptedBackend(['```python\nprint(18)\n```', '```python\ndef solve():\n    return 18\n```']),
      sandbox: stubSandbox(marker),
    });
    const result = await programmer.run(ctx);
    expect(result.output).toBe('18');
    expect(requests).toHaveLength(2);
    expect(requests[1]?.metadata?.attempt).toBe(1);
    expect(String(requests[1]?.metadata?.context?.previousError)).toMatch(/solve\(\)/);
  });

  it('gives up after 3 attempts with an ERROR output and an error', async () => {
    const { ctx, requests } = makeTestContext({
      task: mathTask,
      backend: scriptedBackend(['```python\ndef solve():\n    return 1/0\n```']),
      sandbox: stubSandbox(() => ({ ok: false, exitCode: 1, stderr: 'Traceback (most recent call last):\nZeroDivisionError: division by zero' })),
    });
    const result = await programmer.run(ctx);
    expect(requests).toHaveLength(3);
    expect(result.output).toMatch(/^ERROR: .*ZeroDivisionError/s);
    expect(result.error).toMatch(/ZeroDivisionError/);
  });

  it('returns the code itself on code tasks after a smoke run', async () => {
    const programs: string[] = [];
    const { ctx } = makeTestContext({
      task: codeTask,
      backend: scriptedBackend(['```python\ndef add_up(numbers):\n    return sum(n for n in numbers if n > 0)\n```']),
      sandbox: stubSandbox((code) => {
        programs.push(code);
        return {};
      }),
    });
    const result = await programmer.run(ctx);
    expect(result.output).toContain('def add_up');
    expect(result.code).toBe(result.output);
    expect(programs[0]).not.toContain('assert');
  });
});
