import { describe, expect, it } from 'vitest';
import type { Canvas, NodeId, OperatorNode, Stage } from '../canvas/types.ts';
import { isCoreError } from '../errors.ts';
import { countOperators, hasControlStructure, operatorNodes } from '../canvas/canvas.ts';
import {
  DEFAULT_DIVERSITY_REWARD_CONFIG,
  computeReward,
  resolveDiversityRewardConfig,
  validateDiversityRewardConfig,
  type DiversityRewardConfig,
} from './diversityReward.ts';

let counter = 0;
const operatorNames = (c: Canvas): string[] => operatorNodes(c).map((location) => location.node.operator);
const op = (operator: string, id: NodeId = `node_x${++counter}`): OperatorNode => ({ kind: 'operator', id, operator, prompt: '' });
const canvas = (...stages: Stage[]): Canvas => ({ stages, nextId: stages.length + 1 });

// Plan -> Custom -> Verify -> Format  (4 ops, linear)
const linear4 = canvas(op('Plan'), op('Custom'), op('Verify'), op('Format'));
// Plan -> [AnswerGenerate, AnswerGenerate, AnswerGenerate] -> ScEnsemble -> Verify ? Revise : done -> Format
const full = canvas(
  op('Plan'),
  { kind: 'parallel', id: 'node_2', branches: [op('AnswerGenerate'), op('AnswerGenerate'), op('AnswerGenerate')] },
  op('ScEnsemble'),
  { kind: 'conditional', id: 'node_4', condition: op('Verify'), onFail: op('Revise'), onPass: null },
  op('Format'),
);
// (Custom -> Review -> Revise) * 3 -> Format -> Custom  (loop only; the body counts once: 5 ops)
const loopOnly = canvas({ kind: 'loop', id: 'node_1', body: [op('Custom'), op('Review'), op('Revise')], count: 3 }, op('Format'), op('Custom'));

describe('graph measures', () => {
  it('counts children and a loop body once', () => {
    expect(countOperators(linear4)).toBe(4);
    expect(countOperators(full)).toBe(8); // Plan + 3 branches + ScEnsemble + Verify + Revise + Format
    expect(countOperators(loopOnly)).toBe(5);
    expect(countOperators(canvas())).toBe(0);
  });

  it('counts onPass when present', () => {
    const cond = canvas({ kind: 'conditional', id: 'node_1', condition: op('Test'), onFail: op('Revise'), onPass: op('Format') });
    expect(operatorNames(cond)).toEqual(['Test', 'Revise', 'Format']);
  });

  it('lists names in stage order with duplicates', () => {
    expect(operatorNames(full)).toEqual(['Plan', 'AnswerGenerate', 'AnswerGenerate', 'AnswerGenerate', 'ScEnsemble', 'Verify', 'Revise', 'Format']);
  });

  it('detects parallel, conditional and loop stages as control structure', () => {
    expect(hasControlStructure(linear4)).toBe(false);
    expect(hasControlStructure(full)).toBe(true);
    expect(hasControlStructure(loopOnly)).toBe(true);
  });
});

describe('computeReward (hand-computed table, default config)', () => {
  it.each([
    // name, canvas, answer, R_div, released, R
    ['empty canvas', canvas(), 1, 0, false, -1],
    ['4-op linear chain with Verify + Format, correct', linear4, 1, 0.4, false, -0.6],
    ['4-op linear chain with Verify + Format, wrong', linear4, 0, 0.4, false, -0.6],
    ['5-op parallel workflow with Verify + Format, correct', full, 1, 1, true, 1],
    ['5-op parallel workflow with Verify + Format, F1 0.5', full, 0.5, 1, true, 0.5],
    ['5-op parallel workflow with Verify + Format, wrong', full, 0, 1, true, 0],
    ['loop-only structure with Review + Format (5 ops)', loopOnly, 0.75, 1, true, 0.75],
    ['single AnswerGenerate', canvas(op('AnswerGenerate')), 1, 0, false, -1],
  ] as const)('%s', (_name, c, answer, diversity, released, total) => {
    const r = computeReward(c, answer);
    expect(r.diversity).toBeCloseTo(diversity, 12);
    expect(r.released).toBe(released);
    expect(r.total).toBeCloseTo(total, 12);
    expect(r.answerScore).toBe(answer);
  });

  it('reports weighted components', () => {
    expect(computeReward(linear4, 1).components).toEqual({ checker: 0.2, format: 0.2, operator: 0, control: 0 });
    // parallel of 3 AnswerGenerate + ScEnsemble + Plan: control + 5 ops, no checker, no Format → 0.6
    const noChecker = canvas(op('Plan'), { kind: 'parallel', id: 'node_2', branches: [op('Custom'), op('Custom'), op('Custom')] }, op('ScEnsemble'));
    const r = computeReward(noChecker, 1);
    expect(r.components).toEqual({ checker: 0, format: 0, operator: 0.2, control: 0.4 });
    expect(r.total).toBeCloseTo(-0.4, 12);
  });

  it('a correct shortcut workflow earns less than any feasible one (spec §8.2)', () => {
    expect(computeReward(linear4, 1).total).toBeLessThan(computeReward(full, 0).total);
  });
});

describe('computeReward options', () => {
  const cfg = (overrides: Partial<DiversityRewardConfig>): DiversityRewardConfig => resolveDiversityRewardConfig(overrides);

  it('without diversity (R_div forced to 1) is the plain answer reward', () => {
    const r = computeReward(linear4, 0.7, cfg({ useDiversity: false }));
    expect(r.diversity).toBe(1);
    expect(r.released).toBe(true);
    expect(r.total).toBeCloseTo(0.7, 12);
  });

  it('without conditional release always adds the answer reward', () => {
    const r = computeReward(linear4, 1, cfg({ conditionalRelease: false }));
    expect(r.released).toBe(true);
    expect(r.total).toBeCloseTo(-1 + 0.4 + 1, 12);
  });

  it('honours a custom threshold (the reference code uses 6)', () => {
    const five = canvas(op('Plan'), { kind: 'parallel', id: 'node_2', branches: [op('Custom'), op('Custom')] }, op('Verify'), op('Format'));
    expect(countOperators(five)).toBe(5);
    expect(computeReward(five, 1).total).toBeCloseTo(1, 12);
    expect(computeReward(five, 1, cfg({ minOperators: 6 })).total).toBeCloseTo(-0.2, 12);
  });

  it('honours custom weights and operator sets', () => {
    const equal = cfg({ checkerWeight: 0.25, formatWeight: 0.25, operatorWeight: 0.25, controlWeight: 0.25 });
    expect(computeReward(linear4, 1, equal).total).toBeCloseTo(-0.5, 12);
    const custom = cfg({ checkerOperators: ['Review'] });
    expect(computeReward(linear4, 1, custom).components.checker).toBe(0);
  });

  it('subtracts the token cost term', () => {
    const r = computeReward(full, 1, cfg({ costWeight: 0.1 }), { tokens: 2500 });
    expect(r.costPenalty).toBeCloseTo(0.25, 12);
    expect(r.total).toBeCloseTo(0.75, 12);
  });

  it('rejects an answer score outside [0, 1] and negative tokens', () => {
    expect(() => computeReward(full, 1.5)).toThrow(/expected answerScore in \[0, 1\], got 1.5/);
    expect(() => computeReward(full, 1, DEFAULT_DIVERSITY_REWARD_CONFIG, { tokens: -1 })).toThrow(/tokens/);
  });
});

describe('validateDiversityRewardConfig', () => {
  it('accepts the defaults', () => {
    expect(() => validateDiversityRewardConfig(DEFAULT_DIVERSITY_REWARD_CONFIG)).not.toThrow();
  });

  it('lists every bad field with expected and received values', () => {
    const bad = { ...DEFAULT_DIVERSITY_REWARD_CONFIG, checkerWeight: -1, minOperators: 2.5, formatOperators: [''], useDiversity: 'yes' } as unknown as DiversityRewardConfig;
    try {
      validateDiversityRewardConfig(bad);
      expect.unreachable();
    } catch (error) {
      expect(isCoreError(error, 'CONFIG_INVALID')).toBe(true);
      const message = (error as Error).message;
      expect(message).toContain('checkerWeight: expected a finite number >= 0, got -1');
      expect(message).toContain('minOperators: expected an integer >= 0, got 2.5');
      expect(message).toContain('formatOperators: expected an array of operator names, got [""]');
      expect(message).toContain('useDiversity: expected a boolean, got "yes"');
    }
  });
});
