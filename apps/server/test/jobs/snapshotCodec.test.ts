import { createCwrpoTrainer, createTfjsPolicy, type TrainerSnapshot } from '@flowsteer/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeTrainerSnapshot, encodeTrainerSnapshot, policyFromCheckpoint } from '../../src/jobs/snapshotCodec.ts';
import { NETWORK_PRESETS } from '../../src/cli/policyRuntime.ts';
import { testRuntime, TINY_TRAINER } from './jobFixtures.ts';

const runtime = testRuntime();
let snapshot: TrainerSnapshot;

beforeAll(async () => {
  await runtime.ready();
  const tasks = await runtime.loadTasks('gsm8k', 2);
  const policy = createTfjsPolicy({ space: runtime.space, seed: 1, config: NETWORK_PRESETS.tiny });
  // maxGradNorm Infinity and a NaN metric: what JSON (and so jsonb) cannot hold as numbers.
  const trainer = createCwrpoTrainer({ policy, tasks, registry: runtime.registry, sandbox: runtime.sandbox, backend: runtime.backendFor({ backend: 'sim', seed: 0, tasks: new Map() }), config: { ...TINY_TRAINER, maxGradNorm: Infinity } });
  const taken = await trainer.snapshot();
  snapshot = { ...taken, state: { ...taken.state, history: [{ iteration: 1, 'loss/demo': Number.NaN }] } };
  trainer.dispose();
  policy.dispose();
});

describe('snapshot codec', () => {
  it('round-trips a trainer snapshot through checkpoint columns (bytes and jsonb-safe state), history left out', () => {
    const write = encodeTrainerSnapshot(snapshot);
    expect(write.iteration).toBe(0);
    expect(write.state).not.toHaveProperty('optimizer');
    const state = JSON.parse(JSON.stringify(write.state)); // as jsonb stores it
    const decoded = decodeTrainerSnapshot({ id: 'c1', policy: write.policy, reference: write.reference ?? null, optimizer: write.optimizer ?? null, state });
    expect(decoded.state.config.maxGradNorm).toBe(Infinity);
    expect(decoded.state.history).toEqual([]);
    expect(decoded).toEqual({ ...snapshot, state: { ...snapshot.state, history: [] } });
  });

  it('rebuilds the policy of a checkpoint row, and says which checkpoint is unreadable', () => {
    const write = encodeTrainerSnapshot(snapshot);
    const policy = policyFromCheckpoint({ id: 'c1', policy: write.policy }, runtime.space);
    expect(policy.rngState).toBe(snapshot.policy.rngState);
    policy.dispose();
    expect(() => policyFromCheckpoint({ id: 'c2', policy: new TextEncoder().encode('{not json') }, runtime.space)).toThrow(/checkpoint c2/);
    expect(() => decodeTrainerSnapshot({ id: 'c3', policy: write.policy, reference: null, optimizer: write.optimizer ?? null, state: write.state })).toThrow(/checkpoint c3 to hold a reference policy/);
  });
});
