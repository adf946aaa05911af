import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors.ts';
import { parseDsl, printDsl, printStage, suggestOperator, tryParseDsl } from './dsl.ts';
import { CANVAS_LIMITS, PAPER_OPERATORS } from './types.ts';

const PAPER_EXAMPLE = 'Plan -> [Programmer, Programmer, AnswerGenerate] -> ScEnsemble -> Verify ? Revise : done -> Format';

/** Runs parseDsl expecting a DSL_PARSE error and returns it. */
function parseError(source: string, operators?: readonly string[]): CoreError {
  try {
    parseDsl(source, operators ? { operators } : {});
  } catch (error) {
    expect(error).toBeInstanceOf(CoreError);
    expect((error as CoreError).code).toBe('DSL_PARSE');
    return error as CoreError;
  }
  throw new Error(`expected parseDsl(${JSON.stringify(source)}) to throw`);
}

/** Column of the caret on the last line of an error message (1-based, relative to the quoted line). */
function caretColumn(message: string): number {
  const lines = message.split('\n');
  const caret = lines.at(-1) ?? '';
  return caret.indexOf('^') - 1;
}

describe('parseDsl: stage kinds', () => {
  it('parses a single operator', () => {
    expect(parseDsl('Custom')).toEqual({
      stages: [{ kind: 'operator', id: 'node_1', operator: 'Custom', prompt: '' }],
      nextId: 2,
    });
  });

  it('parses a parallel stage with child ids node_k_p<i>', () => {
    expect(parseDsl('[Custom, Programmer, AnswerGenerate]').stages).toEqual([
      {
        kind: 'parallel',
        id: 'node_1',
        branches: [
          { kind: 'operator', id: 'node_1_p0', operator: 'Custom', prompt: '' },
          { kind: 'operator', id: 'node_1_p1', operator: 'Programmer', prompt: '' },
          { kind: 'operator', id: 'node_1_p2', operator: 'AnswerGenerate', prompt: '' },
        ],
      },
    ]);
  });

  it('parses a conditional with an onPass operator', () => {
    expect(parseDsl('Review ? Revise : Format').stages).toEqual([
      {
        kind: 'conditional',
        id: 'node_1',
        condition: { kind: 'operator', id: 'node_1_cond', operator: 'Review', prompt: '' },
        onFail: { kind: 'operator', id: 'node_1_fail', operator: 'Revise', prompt: '' },
        onPass: { kind: 'operator', id: 'node_1_pass', operator: 'Format', prompt: '' },
      },
    ]);
  });

  it('parses `: done` and a missing false branch as a null onPass', () => {
    for (const source of ['Verify ? Revise : done', 'Verify ? Revise', 'Verify ? Revise : DONE']) {
      const [stage] = parseDsl(source).stages;
      expect(stage).toMatchObject({ kind: 'conditional', onPass: null, onFail: { id: 'node_1_fail', operator: 'Revise' } });
    }
  });

  it('parses a loop with child ids node_k_l<i> and its count', () => {
    expect(parseDsl('(Review -> Revise) * 3').stages).toEqual([
      {
        kind: 'loop',
        id: 'node_1',
        count: 3,
        body: [
          { kind: 'operator', id: 'node_1_l0', operator: 'Review', prompt: '' },
          { kind: 'operator', id: 'node_1_l1', operator: 'Revise', prompt: '' },
        ],
      },
    ]);
  });

  it('accepts `x 3`, `x3`, `×3` and `*3` as loop counts', () => {
    for (const source of ['(Custom) x 3', '(Custom) x3', '(Custom) × 3', '(Custom)*3', '(Custom)  *  3']) {
      expect(parseDsl(source).stages[0]).toMatchObject({ kind: 'loop', count: 3 });
      expect(printDsl(parseDsl(source))).toBe('(Custom) * 3');
    }
  });

  it('accepts the loop bounds 1 and 10 and a body of 4', () => {
    expect(parseDsl('(Custom) * 1').stages[0]).toMatchObject({ count: 1 });
    expect(parseDsl('(Custom) * 10').stages[0]).toMatchObject({ count: 10 });
    expect(parseDsl('(Plan -> Custom -> Review -> Revise) * 2').stages[0]).toMatchObject({ kind: 'loop', body: { length: 4 } });
  });

  it('accepts parallel stages of 2 and 4 operators', () => {
    expect(parseDsl('[Custom, Custom]').stages[0]).toMatchObject({ branches: { length: 2 } });
    expect(parseDsl('[Custom, Plan, Review, Test]').stages[0]).toMatchObject({ branches: { length: 4 } });
  });
});

describe('parseDsl: the paper example and ids', () => {
  it('parses the paper example and prints it back verbatim', () => {
    const canvas = parseDsl(PAPER_EXAMPLE);
    expect(canvas.stages.map((s) => s.kind)).toEqual(['operator', 'parallel', 'operator', 'conditional', 'operator']);
    expect(canvas.stages.map((s) => s.id)).toEqual(['node_1', 'node_2', 'node_3', 'node_4', 'node_5']);
    expect(canvas.nextId).toBe(6);
    expect(printDsl(canvas)).toBe(PAPER_EXAMPLE);
  });

  it('numbers top-level stages node_1..n and sets nextId to n+1', () => {
    const canvas = parseDsl('Plan -> [Custom, Custom] -> Verify ? Revise -> (Custom) * 2 -> Format');
    expect(canvas.stages.map((s) => s.id)).toEqual(['node_1', 'node_2', 'node_3', 'node_4', 'node_5']);
    expect(canvas.nextId).toBe(6);
    expect(canvas.stages[1]).toMatchObject({ branches: [{ id: 'node_2_p0' }, { id: 'node_2_p1' }] });
    expect(canvas.stages[2]).toMatchObject({ condition: { id: 'node_3_cond' }, onFail: { id: 'node_3_fail' } });
    expect(canvas.stages[3]).toMatchObject({ body: [{ id: 'node_4_l0' }] });
  });

  it('gives parsed nodes an empty prompt', () => {
    const canvas = parseDsl(PAPER_EXAMPLE);
    expect(canvas.stages[0]).toMatchObject({ prompt: '' });
  });

  it('returns an empty canvas for empty or blank input', () => {
    expect(parseDsl('')).toEqual({ stages: [], nextId: 1 });
    expect(parseDsl('  \n\t ')).toEqual({ stages: [], nextId: 1 });
    expect(printDsl(parseDsl(''))).toBe('');
  });

  it('accepts → arrows, newlines and missing spaces', () => {
    const canvas = parseDsl('Plan → [Custom,Programmer]\n→ ScEnsemble->Format');
    expect(printDsl(canvas)).toBe('Plan -> [Custom, Programmer] -> ScEnsemble -> Format');
    expect(parseDsl('(Review → Revise) * 2').stages[0]).toMatchObject({ body: { length: 2 } });
  });

  it('accepts 15 stages', () => {
    const source = Array.from({ length: CANVAS_LIMITS.maxStages }, () => 'Custom').join(' -> ');
    expect(parseDsl(source).stages).toHaveLength(15);
  });

  it('accepts user operators through the operators option', () => {
    const canvas = parseDsl('MyOp -> [MyOp, Custom]', { operators: [...PAPER_OPERATORS, 'MyOp'] });
    expect(printDsl(canvas)).toBe('MyOp -> [MyOp, Custom]');
  });
});

describe('parseDsl: errors', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['empty stage between arrows', 'Plan -> -> Format', /expected an operator name, '\[' or '\(', got '->'/],
    ['unknown operator', 'Plan -> Custm', /unknown operator 'Custm' \(did you mean 'Custom'\?\)/],
    ['parallel with 1 operator', '[Custom]', /a parallel stage needs 2–4 operators, got 1/],
    ['parallel with 5 operators', '[Custom, Plan, Review, Test, Verify]', /a parallel stage needs 2–4 operators, got 5/],
    ['loop count 0', '(Custom) * 0', /a loop count must be 1–10, got 0/],
    ['loop count 11', '(Custom) * 11', /a loop count must be 1–10, got 11/],
    ['loop without a count', '(Custom)', /expected '\* <count>' after a loop body, got end of input/],
    ['loop with * but no number', '(Custom) *', /expected a loop count, got end of input/],
    ['loop body of 5', '(Plan -> Custom -> Review -> Revise -> Format) * 2', /a loop body has at most 4 operators, got 5/],
    ['unclosed bracket', '[Custom, Plan', /expected ',' or '\]' in a parallel stage, got end of input/],
    ['stray closing bracket', 'Custom] -> Plan', /expected '->' or end of input, got '\]'/],
    ['unclosed parenthesis', '(Custom -> Plan * 2', /expected '->' or '\)' in a loop body, got '\*'/],
    ['trailing arrow', 'Plan -> Format ->', /expected an operator name, '\[' or '\(', got end of input/],
    ['leading arrow', '-> Plan', /expected an operator name, '\[' or '\(', got '->'/],
    ['garbage character', 'Plan -> Format $', /unexpected character '\$'/],
    ['two operators without an arrow', 'Plan Format', /expected '->' or end of input, got 'Format'/],
    ['conditional with a dangling colon', 'Verify ? Revise :', /expected an operator name or 'done' after ':'/],
    ['done as the failure branch', 'Verify ? done', /expected an operator name, got 'done'/],
    ['nested structure', '[Custom, (Plan) * 2]', /expected an operator name, got '\('/],
  ];

  it.each(cases)('rejects %s with a DSL_PARSE error', (_name, source, message) => {
    const error = parseError(source);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^\[core\] DSL error at \d+:\d+: /);
  });

  it('rejects more than 15 stages', () => {
    const source = Array.from({ length: CANVAS_LIMITS.maxStages + 1 }, () => 'Custom').join(' -> ');
    expect(parseError(source).message).toContain('a workflow has at most 15 stages, got 16');
  });

  it('points the caret at the offending token on its line', () => {
    const error = parseError('Plan -> Custm');
    expect(error.message).toContain('DSL error at 1:9:');
    const lines = error.message.split('\n');
    expect(lines[1]).toBe('  Plan -> Custm');
    expect(lines[2]).toBe('          ^');
    expect(caretColumn(error.message)).toBe(9);
  });

  it('reports line and column on later lines', () => {
    const error = parseError('Plan ->\n  [Custom, Plnn]');
    expect(error.message).toContain('DSL error at 2:12:');
    expect(error.message).toContain("did you mean 'Plan'?");
    const lines = error.message.split('\n');
    expect(lines[1]).toBe('    [Custom, Plnn]');
    expect(caretColumn(error.message)).toBe(12);
  });

  it('points at the loop count that is out of range', () => {
    const error = parseError('Plan -> (Custom) * 11');
    expect(error.message).toContain('DSL error at 1:20:');
    const glued = parseError('(Custom) x0');
    expect(glued.message).toContain('DSL error at 1:11:');
  });

  it('points at the opening bracket of a parallel with a wrong size', () => {
    expect(parseError('Plan -> [Custom]').message).toContain('DSL error at 1:9:');
  });

  it('lists the known operators and omits did-you-mean when nothing is close', () => {
    const error = parseError('Zzzzzzzzzz');
    expect(error.message).not.toContain('did you mean');
    expect(error.message).toContain('expected one of Custom, AnswerGenerate');
  });

  it('is case-sensitive about operator names but suggests the right case', () => {
    expect(parseError('custom').message).toContain("did you mean 'Custom'?");
  });

  it('rejects operators outside a custom operator list', () => {
    expect(parseError('Custom', ['MyOp']).message).toContain("unknown operator 'Custom'");
  });

  it('reports failures as values through tryParseDsl', () => {
    expect(tryParseDsl('[Custom]')).toMatchObject({ ok: false, error: expect.stringContaining('DSL error at 1:1') });
    const ok = tryParseDsl('Custom');
    expect(ok.ok && ok.canvas.stages.length).toBe(1);
  });
});

describe('printDsl', () => {
  it('prints every stage kind canonically', () => {
    const canvas = parseDsl('Plan->[Custom,Custom]->Verify?Revise->Review?Revise:Format->(Review->Revise)x2');
    expect(canvas.stages.map(printStage)).toEqual([
      'Plan',
      '[Custom, Custom]',
      'Verify ? Revise : done',
      'Review ? Revise : Format',
      '(Review -> Revise) * 2',
    ]);
    expect(printDsl(canvas)).toBe('Plan -> [Custom, Custom] -> Verify ? Revise : done -> Review ? Revise : Format -> (Review -> Revise) * 2');
  });

  it('is a fixpoint: printing a parsed canonical string gives the same string', () => {
    const canonical = printDsl(parseDsl('Plan→[Custom,Custom]→Verify?Revise→(Custom)x3'));
    expect(printDsl(parseDsl(canonical))).toBe(canonical);
  });
});

describe('suggestOperator', () => {
  it('suggests the closest known operator within a small distance', () => {
    expect(suggestOperator('Programer', PAPER_OPERATORS)).toBe('Programmer');
    expect(suggestOperator('scensemble', PAPER_OPERATORS)).toBe('ScEnsemble');
    expect(suggestOperator('Revize', PAPER_OPERATORS)).toBe('Revise');
    expect(suggestOperator('Completely', PAPER_OPERATORS)).toBeUndefined();
  });
});
