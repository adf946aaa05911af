import { BUNDLED_SAMPLES_DIR } from '@flowsteer/core';
import { chatCompletion, startFakeOpenAiServer, type FakeOpenAiServer } from '@flowsteer/operators';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { createRuntime } from '../../src/cli/runtime.ts';
import { captureOutput } from '../captureOutput.ts';

const output = captureOutput();
const data = ['--data-dir', BUNDLED_SAMPLES_DIR];

let fake: FakeOpenAiServer | undefined;
beforeEach(() => {
  // The commands read OPENAI_* from the environment; a developer's real settings must not leak into these tests.
  for (const name of ['OPENAI_BASE_URL', 'OPENAI_API_KEY', 'FLOWSTEER_LLM_MODEL', 'FLOWSTEER_DIRECTOR_MODEL']) vi.stubEnv(name, '');
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await fake?.close();
  fake = undefined;
});

describe('flowsteer eval --backend openai', () => {
  it('runs the workflow on the endpoint, labels results as real, and reports cost and the cache hit rate', async () => {
    fake = await startFakeOpenAiServer([{ body: chatCompletion('<thought>multiply</thought><answer>42</answer>', { promptTokens: 200, completionTokens: 20 }) }]);
    const code = await main([
      'eval', '--dataset', 'gsm8k', '--limit', '2', '--workflow', '[AnswerGenerate, AnswerGenerate] -> ScEnsemble',
      '--backend', 'openai', '--base-url', fake.baseURL, '--model', 'gpt-4o-mini', ...data,
    ]);
    expect(output.stderr()).not.toMatch(/flowsteer eval:/);
    expect(code).toBe(0);
    const stdout = output.stdout();
    expect(stdout).toContain(`LLM executor gpt-4o-mini at ${fake.baseURL}/chat/completions`);
    expect(stdout).not.toMatch(/SIMULATED|sim cost/);
    expect(stdout).toMatch(/\| gsm8k +\| +2 \| accuracy/);
    // Two identical AnswerGenerate calls per task share one request: 2 of 6 calls come from the cache.
    expect(stdout).toMatch(/LLM usage \(executor gpt-4o-mini\): 6 calls, cache hit rate 33\.3% \(2\/6\), 4 HTTP requests, 0 retries, 0 errors, billed 800 prompt \+ 80 completion tokens/);
    expect(fake.requests).toHaveLength(4);
  });

  it('says what to set when no endpoint is configured', async () => {
    expect(await main(['eval', '--dataset', 'gsm8k', '--limit', '1', '--workflow', 'AnswerGenerate', '--backend', 'openai', ...data])).toBe(2);
    expect(output.stderr()).toMatch(/expected an OpenAI-compatible endpoint for the LLM "executor", got none configured; pass --base-url URL/);
  });

  it('refuses --model with the sim, and --profile with openai', async () => {
    expect(await main(['eval', '--dataset', 'gsm8k', '--limit', '1', '--workflow', 'AnswerGenerate', '--model', 'gpt-4o', ...data])).toBe(2);
    expect(output.stderr()).toMatch(/--model and --base-url choose a real LLM executor; expected them with --backend openai/);
    expect(() => createRuntime({ backend: 'openai', profile: 'sim-weak', tasks: [], llm: [{ name: 'executor', baseURL: 'http://127.0.0.1:1/v1', model: 'm' }] })).toThrow(
      /expected no --profile with --backend openai/,
    );
  });
});

describe('createRuntime llmBackend', () => {
  it('finds configured backends by name and runs other names as models at the director endpoint', () => {
    const runtime = createRuntime({
      backend: 'sim',
      tasks: [],
      llm: [
        { name: 'executor', baseURL: 'http://127.0.0.1:1/v1', model: 'exec-model' },
        { name: 'director', baseURL: 'http://127.0.0.1:2/v1', model: 'flowsteer-8b' },
      ],
    });
    expect(runtime.backend.simulated).toBe(true);
    expect(runtime.llmBackend('director')).toMatchObject({ simulated: false, model: 'flowsteer-8b' });
    expect(runtime.llmBackend('director')).toBe(runtime.llmBackend('director'));
    expect(runtime.llmBackend('qwen3-8b')).toMatchObject({ model: 'qwen3-8b', endpoint: 'http://127.0.0.1:2/v1/chat/completions' });
    expect(runtime.usageLines()).toHaveLength(2);
  });
});
