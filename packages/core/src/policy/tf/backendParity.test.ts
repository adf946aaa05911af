import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCoreError } from '../../errors.ts';
import { maxAbsDiff, PARITY_MLP_INITIAL, trainParityMlp, type ParityMlpResult } from './parityFixture.ts';
import { disposeTfBackends, selectTfBackend, type TfBackendName } from './tfBackend.ts';
import { tf } from './tf.ts';

// The requirement: the same training step gives the same numbers on every available backend.
// A 2-layer MLP (8 → 16 → 4) with explicit seeded weights takes 3 Adam steps on a fixed batch (parityFixture.ts).

const previous = tf.engine().backendName;
let reference: ParityMlpResult;

describe('one training step on every backend', () => {
  beforeAll(async () => {
    await selectTfBackend('cpu');
    reference = await trainParityMlp();
  });
  afterAll(async () => {
    disposeTfBackends();
    if (previous) await tf.setBackend(previous);
  });

  it('learns on the cpu reference (the loss falls over 3 steps)', () => {
    expect(reference.losses).toHaveLength(3);
    expect(reference.losses[2]).toBeLessThan(reference.losses[0] as number);
    expect(maxAbsDiff(reference.weights[0] as Float32Array, PARITY_MLP_INITIAL[0] as Float32Array)).toBeGreaterThan(0.01);
  });

  it.for(['wasm', 'webgpu'] satisfies TfBackendName[])('gives the cpu loss and weights on %s within 1e-4', async (backend, { skip }) => {
    try {
      await selectTfBackend(backend);
    } catch (error) {
      if (backend === 'webgpu' && isCoreError(error, 'CONFIG_INVALID')) skip(`webgpu unavailable: ${error.message}`);
      throw error;
    }
    const result = await trainParityMlp();
    expect(maxAbsDiff(result.losses, reference.losses)).toBeLessThan(1e-4);
    result.weights.forEach((weights, i) => expect(maxAbsDiff(weights, reference.weights[i] as Float32Array)).toBeLessThan(1e-4));
  });
});
