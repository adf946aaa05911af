import { WorkflowEnv, type LlmBackend, type LlmRequest, type LlmResponse, type MathTask } from '@flowsteer/core';
import { createOperatorRegistry } from '@flowsteer/operators';
import { describe, expect, it } from 'vitest';
import { cliActionSpace, loadCliPolicy } from '../src/cli/policyRuntime.ts';
import { createRuntime, type Runtime } from '../src/cli/runtime.ts';
import type { AppDb } from '../src/db/client.ts';
import { assertPolicySpec, resolveJobPolicy } from '../src/jobs/jobPolicy.ts';
import { createJobRuntime } from '../src/jobs/jobRuntime.ts';

const registry = createOperatorRegistry();
const task: MathTask = { id: 'gsm8k/1', dataset: 'gsm8k', kind: 'math', problem: 'What is 6 * 7?', answer: '42', meta: {} };

/** A real-looking director backend that always adds Plan. */
function directorBackend(simulated = false): LlmBackend & { requests: LlmRequest[] } {
  const requests: LlmRequest[] = [];
  return {
    name: 'director',
    model: 'FlowSteer-8b',
    simulated,
    requests,
    async complete(request): Promise<LlmResponse> {
      requests.push(request);
      return { text: '<think>plan first</think><action>add</action><operator>Plan</operator>', usage: { promptTokens: 1, completionTokens: 1 }, latencyMs: 1, costUsd: 0, model: 'FlowSteer-8b', simulated };
    },
  };
}

const space = cliActionSpace({ registry } as unknown as Runtime);
// The llm path never touches the database.
const noDb = {} as AppDb;

describe('loadCliPolicy llm:<name>', () => {
  it('builds a director over the named backend that acts on environment observations', async () => {
    const backend = directorBackend();
    const names: string[] = [];
    const llmBackend = (name: string) => {
      names.push(name);
      return backend;
    };
    const loaded = await loadCliPolicy('llm:director', space, 0, { registry, llmBackend });
    expect(names).toEqual(['director']);
    expect(loaded).toMatchObject({ kind: 'llm', decoding: {}, name: 'LLM director FlowSteer-8b (director, T=0.6)' });
    const env = new WorkflowEnv({ registry, backend, sandbox: { runPython: () => Promise.reject(new Error('unused')) } });
    const [decision] = await loaded.policy.act([env.reset(task)]);
    expect(decision?.action).toEqual({ type: 'add', operator: 'Plan' });
    expect(backend.requests[0]?.messages[0]?.content).toContain('- Programmer: ');
    loaded.dispose();
  });

  it('takes the CLI runtime itself as options (its registry and llmBackend)', async () => {
    const unconfigured = createRuntime({ backend: 'sim', tasks: [], llm: [] });
    await expect(loadCliPolicy('llm:director', space, 0, unconfigured)).rejects.toThrow(/FLOWSTEER_DIRECTOR_MODEL/);
    // Nothing is requested until the director acts, so an unreachable endpoint is fine here.
    const configured = createRuntime({ backend: 'sim', tasks: [], llm: [{ name: 'director', baseURL: 'http://127.0.0.1:9/v1', model: 'FlowSteer-8b' }] });
    const loaded = await loadCliPolicy('llm:director', space, 0, configured);
    expect(loaded.name).toMatch(/^LLM director FlowSteer-8b \(.+, T=0\.6\)$/);
    loaded.dispose();
  });

  it('says what to configure when there is no LLM backend, and refuses the simulator', async () => {
    await expect(loadCliPolicy('llm:director', space, 0, { registry })).rejects.toThrow(/FLOWSTEER_DIRECTOR_MODEL/);
    await expect(loadCliPolicy('llm:', space, 0, { registry, llmBackend: () => directorBackend() })).rejects.toThrow(/expected llm:<backend name or model>/);
    await expect(loadCliPolicy('llm:sim', space, 0, { registry, llmBackend: () => directorBackend(true) })).rejects.toThrow(/expected a real LLM/);
  });
});

describe('job policy llm', () => {
  it('is a known policy name', () => {
    expect(() => assertPolicySpec({ policy: 'llm' })).not.toThrow();
    expect(() => assertPolicySpec({ policy: 'oracle' })).toThrow(/random, cot, selfConsistency, handDesigned, llm/);
  });

  it('needs a director backend: BAD_USER_INPUT naming the variable, else a director', async () => {
    const runtime = createJobRuntime({ sharedDir: null, tfBackend: 'cpu' });
    await expect(resolveJobPolicy(noDb, runtime, { policy: 'llm' }, 0)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/FLOWSTEER_DIRECTOR_MODEL/) });
    const backend = directorBackend();
    const resolved = await resolveJobPolicy(noDb, { ...runtime, directorBackend: () => backend }, { policy: 'llm' }, 0);
    expect(resolved).toMatchObject({ name: 'llm:FlowSteer-8b', greedy: false });
    resolved.dispose();
  });
});
