import { describe, expect, it } from 'vitest';
import { flattenOutputs } from './flatten.ts';

describe('flattenOutputs', () => {
  it.each([
    [['12', '12', '13'], '12'],
    [['13', '12', '12'], '12'],
    [['1,000', '$1,000', '7'], '1,000'],
    [['5', '6', '7'], '5'],
    [['Paris', 'Lyon'], 'Paris\n---\nLyon'],
    [['12', 'Paris', 'Lyon'], '12\n---\nParis\n---\nLyon'],
  ])('flattens %j to %j', (outputs, expected) => {
    expect(flattenOutputs(outputs)).toBe(expected);
  });
});
