import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors.ts';
import { parseDsl } from './dsl.ts';
import { canvasSchema, parseCanvasJson, validateCanvas } from './schema.ts';
import type { Canvas } from './types.ts';

/** Expects parseCanvasJson to throw CANVAS_INVALID and returns the message. */
function invalid(input: unknown): string {
  try {
    parseCanvasJson(input);
  } catch (error) {
    expect(error).toBeInstanceOf(CoreError);
    expect((error as CoreError).code).toBe('CANVAS_INVALID');
    return (error as CoreError).message;
  }
  throw new Error('expected parseCanvasJson to throw');
}

const op = (id: string, operator = 'Custom', prompt = '') => ({ kind: 'operator', id, operator, prompt });
const paper = () => parseDsl('Plan -> [Programmer, Programmer, AnswerGenerate] -> ScEnsemble -> Verify ? Revise : done -> Format');

describe('parseCanvasJson: valid input', () => {
  it('accepts a JSON string and a plain value', () => {
    const canvas = paper();
    expect(parseCanvasJson(JSON.stringify(canvas))).toEqual(canvas);
    expect(parseCanvasJson(structuredClone(canvas))).toEqual(canvas);
  });

  it('keeps prompts and template ids and accepts every stage kind', () => {
    const canvas: Canvas = {
      stages: [
        { kind: 'operator', id: 'node_2', operator: 'Plan', prompt: 'Plan the steps.', templateId: 'plan-basic' },
        { kind: 'parallel', id: 'node_3', branches: [op('node_3_p0'), op('node_3_p1', 'Programmer')] as never },
        { kind: 'conditional', id: 'node_5', condition: op('node_5_cond', 'Verify') as never, onFail: op('node_5_fail', 'Revise') as never, onPass: op('node_5_pass', 'Format') as never },
        { kind: 'loop', id: 'node_7', body: [op('node_7_l0', 'Review'), op('node_7_l1', 'Revise')] as never, count: 10 },
      ],
      nextId: 9,
    };
    expect(parseCanvasJson(JSON.stringify(canvas))).toEqual(canvas);
  });

  it('accepts an empty canvas and user operator names', () => {
    expect(parseCanvasJson('{"stages":[],"nextId":1}')).toEqual({ stages: [], nextId: 1 });
    expect(parseCanvasJson({ stages: [op('node_1', 'MyOperator')], nextId: 2 }).stages[0]).toMatchObject({ operator: 'MyOperator' });
  });

  it('drops unknown keys', () => {
    const parsed = parseCanvasJson({ stages: [{ ...op('node_1'), extra: true }], nextId: 2, version: 3 });
    expect(parsed).toEqual({ stages: [op('node_1')], nextId: 2 });
  });
});

describe('parseCanvasJson: malformed input', () => {
  it('rejects text that is not JSON', () => {
    expect(invalid('{"stages": [')).toContain('expected valid JSON');
    expect(invalid('')).toContain('expected valid JSON');
  });

  it('rejects non-objects at the root', () => {
    for (const input of [null, 42, '"text"', '[]', undefined]) expect(invalid(input)).toContain('at (root)');
  });

  it('names the path of a missing or wrongly typed field', () => {
    expect(invalid({ stages: [] })).toContain('at nextId');
    expect(invalid({ stages: [], nextId: 0 })).toContain('at nextId');
    expect(invalid({ stages: [], nextId: 1.5 })).toContain('at nextId');
    expect(invalid({ stages: 'Plan', nextId: 1 })).toContain('at stages');
    expect(invalid({ stages: [op('node_1', 'Custom', 7 as never)], nextId: 2 })).toContain('at stages.0.prompt');
    expect(invalid({ stages: [op('node_1'), { kind: 'teleport', id: 'node_2' }], nextId: 3 })).toContain('at stages.1');
  });

  it('names the path inside structures', () => {
    const parallel = { kind: 'parallel', id: 'node_1', branches: [op('node_1_p0'), op('node_1_p1', 'Bad Name')] };
    expect(invalid({ stages: [parallel], nextId: 2 })).toContain('at stages.0.branches.1.operator');
    const conditional = { kind: 'conditional', id: 'node_1', condition: op('node_1_cond', 'Verify'), onFail: op('node_1_fail') };
    expect(invalid({ stages: [conditional], nextId: 2 })).toContain('at stages.0.onPass');
    const loop = { kind: 'loop', id: 'node_1', body: [op('node_1_l0')], count: 11 };
    expect(invalid({ stages: [loop], nextId: 2 })).toContain('at stages.0.count');
  });

  it('enforces the structural limits', () => {
    const branches = (n: number) => Array.from({ length: n }, (_, i) => op(`node_1_p${i}`));
    expect(invalid({ stages: [{ kind: 'parallel', id: 'node_1', branches: branches(1) }], nextId: 2 })).toContain('at stages.0.branches');
    expect(invalid({ stages: [{ kind: 'parallel', id: 'node_1', branches: branches(5) }], nextId: 2 })).toContain('at stages.0.branches');
    const body = (n: number) => Array.from({ length: n }, (_, i) => op(`node_1_l${i}`));
    expect(invalid({ stages: [{ kind: 'loop', id: 'node_1', body: body(0), count: 2 }], nextId: 2 })).toContain('at stages.0.body');
    expect(invalid({ stages: [{ kind: 'loop', id: 'node_1', body: body(5), count: 2 }], nextId: 2 })).toContain('at stages.0.body');
    expect(invalid({ stages: [{ kind: 'loop', id: 'node_1', body: body(1), count: 0 }], nextId: 2 })).toContain('at stages.0.count');
    const sixteen = Array.from({ length: 16 }, (_, i) => op(`node_${i + 1}`));
    expect(invalid({ stages: sixteen, nextId: 17 })).toContain('at stages');
  });

  it('rejects ids that are not in the node_ form', () => {
    expect(invalid({ stages: [op('n1')], nextId: 2 })).toContain('at stages.0.id');
    expect(invalid({ stages: [op('node_1_P0')], nextId: 2 })).toContain('at stages.0.id');
  });

  it('rejects prompts longer than 4000 characters', () => {
    expect(invalid({ stages: [op('node_1', 'Custom', 'x'.repeat(4001))], nextId: 2 })).toContain('at stages.0.prompt');
  });
});

describe('parseCanvasJson: semantic checks', () => {
  it('rejects duplicate top-level ids', () => {
    expect(invalid({ stages: [op('node_1'), op('node_1')], nextId: 2 })).toContain('duplicate id node_1');
  });

  it('rejects duplicate child ids', () => {
    const parallel = { kind: 'parallel', id: 'node_1', branches: [op('node_1_p0'), op('node_1_p0')] };
    expect(invalid({ stages: [parallel], nextId: 2 })).toContain('duplicate id node_1_p0');
  });

  it('rejects a child id used as a top-level id', () => {
    expect(invalid({ stages: [op('node_1_p0')], nextId: 2 })).toContain('stage id node_1_p0: expected node_<n>');
  });

  it('rejects stage ids at or past nextId, which would be reused', () => {
    expect(invalid({ stages: [op('node_1'), op('node_2')], nextId: 2 })).toContain('stage id node_2: expected a number below nextId 2');
  });

  it('rejects children not named after their parent', () => {
    const parallel = { kind: 'parallel', id: 'node_1', branches: [op('node_1_p0'), op('node_11_p1')] };
    expect(invalid({ stages: [parallel], nextId: 12 })).toContain('child id node_11_p1: expected it to start with node_1_');
  });

  it('lists every problem found', () => {
    const problems = validateCanvas({ stages: [op('node_3'), op('node_3')], nextId: 2 } as unknown as Canvas);
    expect(problems).toEqual([
      'stage id node_3: expected a number below nextId 2',
      'stage id node_3: expected a number below nextId 2',
      'duplicate id node_3',
    ]);
    expect(validateCanvas(paper())).toEqual([]);
  });
});

describe('canvasSchema', () => {
  it('is usable directly as a zod schema', () => {
    expect(canvasSchema.safeParse(paper()).success).toBe(true);
    expect(canvasSchema.safeParse({ stages: [] }).success).toBe(false);
  });
});
