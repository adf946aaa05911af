import { describe, expect, it } from 'vitest';
import { CoreError, isCoreError } from '../errors.ts';
import { DEFAULT_CWRPO_CONFIG, validateConfig, type CwrpoConfigInput } from './grpoConfig.ts';

function messageOf(input: CwrpoConfigInput): string {
  try {
    validateConfig(input);
  } catch (error) {
    expect(isCoreError(error, 'CONFIG_INVALID')).toBe(true);
    return (error as CoreError).message;
  }
  throw new Error('expected validateConfig to throw');
}

describe('validateConfig', () => {
  it('returns the paper defaults when given nothing', () => {
    const config = validateConfig();
    expect(config).toEqual(DEFAULT_CWRPO_CONFIG);
    expect(config).toMatchObject({
      algorithm: 'cwrpo',
      reward: { useDiversity: true, conditionalRelease: true },
      masking: true,
      groupSize: 8,
      clipEpsilon: 0.2,
      klBeta: 0.005,
      epochs: 2,
      stdFloor: 0.01,
      maxGradNorm: 1,
      maxRounds: 20,
    });
  });

  it('applies the GRPO ablation preset: plain task reward', () => {
    const config = validateConfig({ algorithm: 'grpo' });
    expect(config.reward).toEqual({ useDiversity: false, conditionalRelease: false });
    expect(config.clipEpsilon).toBe(0.2);
    expect(config.klBeta).toBe(0.005);
  });

  it('applies the REINFORCE preset: one epoch, no KL', () => {
    const config = validateConfig({ algorithm: 'reinforce' });
    expect(config).toMatchObject({ epochs: 1, klBeta: 0, reward: { useDiversity: true, conditionalRelease: true } });
  });

  it('lets explicit input override the preset and merges a partial reward', () => {
    const config = validateConfig({ algorithm: 'grpo', reward: { useDiversity: true }, groupSize: 4 });
    expect(config.reward).toEqual({ useDiversity: true, conditionalRelease: false });
    expect(config.groupSize).toBe(4);
    expect(validateConfig({ reward: { conditionalRelease: false } }).reward).toEqual({ useDiversity: true, conditionalRelease: false });
  });

  it('accepts Infinity for maxGradNorm and a group of one under source grouping', () => {
    expect(validateConfig({ maxGradNorm: Number.POSITIVE_INFINITY }).maxGradNorm).toBe(Number.POSITIVE_INFINITY);
    expect(validateConfig({ groupBy: 'source', groupSize: 1 }).groupSize).toBe(1);
  });

  it('lists every problem as "field: expected …, got …"', () => {
    const message = messageOf({ clipEpsilon: 1.5, groupSize: 0, learningRate: -1, seed: 1.5, demoLoss: 'x' as never });
    expect(message).toContain('clipEpsilon: expected a number in (0, 1), got 1.5');
    expect(message).toContain("groupSize: expected an integer >= 2 when groupBy is 'task'");
    expect(message).toContain('learningRate: expected a finite number > 0, got -1');
    expect(message).toContain('seed: expected an integer in [0, 2^32), got 1.5');
    expect(message).toContain(`demoLoss: expected 'bc' or 'importance', got "x"`);
    expect(message.startsWith('[core]')).toBe(true);
  });

  it.each([
    ['algorithm', { algorithm: 'ppo' as never }, 'algorithm: expected'],
    ['groupBy', { groupBy: 'batch' as never }, 'groupBy: expected'],
    ['masking', { masking: 'yes' as never }, 'masking: expected a boolean, got "yes"'],
    ['reward flag', { reward: { useDiversity: 1 as never } }, 'reward.useDiversity: expected a boolean, got 1'],
    ['stdFloor', { stdFloor: 0 }, 'stdFloor: expected a finite number > 0, got 0'],
    ['klBeta', { klBeta: -0.1 }, 'klBeta: expected a finite number >= 0'],
    ['epochs', { epochs: 0 }, 'epochs: expected an integer >= 1, got 0'],
    ['miniBatchSize', { miniBatchSize: 2.5 }, 'miniBatchSize: expected an integer >= 1'],
    ['maxGradNorm', { maxGradNorm: 0 }, 'maxGradNorm: expected a number > 0'],
    ['demoImportanceClip', { demoImportanceClip: Number.NaN }, 'demoImportanceClip: expected a finite number > 0, got NaN'],
    ['checkpointEvery', { checkpointEvery: -1 }, 'checkpointEvery: expected an integer >= 0'],
    ['iterations', { iterations: 0 }, 'iterations: expected an integer >= 1'],
    ['maxRounds', { maxRounds: 0 }, 'maxRounds: expected an integer >= 1'],
    ['REINFORCE epochs', { algorithm: 'reinforce' as const, epochs: 2 }, "epochs: expected 1 for algorithm 'reinforce'"],
    ['REINFORCE KL', { algorithm: 'reinforce' as const, klBeta: 0.005 }, "klBeta: expected 0 for algorithm 'reinforce'"],
  ])('rejects a bad %s', (_name, input, fragment) => {
    expect(messageOf(input)).toContain(fragment);
  });
});
