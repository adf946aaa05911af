import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors.ts';
import { childId, operatorNode, operatorNodes, topLevelId } from './canvas.ts';
import { parseDsl, printDsl } from './dsl.ts';
import { parseCanvasJson } from './schema.ts';
import { CANVAS_LIMITS, PAPER_OPERATORS, type Canvas, type OperatorNode, type Stage } from './types.ts';

const { parallelMin, parallelMax, loopBodyMin, loopBodyMax, loopCountMin, loopCountMax, maxStages } = CANVAS_LIMITS;

const operatorName = fc.constantFrom(...PAPER_OPERATORS);
const prompt = fc.string({ maxLength: 40 });
const node = (id: Stage['id']) => fc.tuple(operatorName, prompt).map(([op, p]): OperatorNode => operatorNode(id, op, p));

/** One stage of any kind, with the id `node_<n>` and children named after it. */
function stageArbitrary(n: number): fc.Arbitrary<Stage> {
  const id = topLevelId(n);
  const list = (min: number, max: number, suffix: string) =>
    fc
      .array(fc.tuple(operatorName, prompt), { minLength: min, maxLength: max })
      .map((items) => items.map(([op, p], i) => operatorNode(childId(id, `${suffix}${i}`), op, p)));
  return fc.oneof(
    node(id),
    list(parallelMin, parallelMax, 'p').map((branches): Stage => ({ kind: 'parallel', id, branches })),
    fc
      .tuple(node(childId(id, 'cond')), node(childId(id, 'fail')), fc.option(node(childId(id, 'pass')), { nil: null }))
      .map(([condition, onFail, onPass]): Stage => ({ kind: 'conditional', id, condition, onFail, onPass })),
    fc
      .tuple(list(loopBodyMin, loopBodyMax, 'l'), fc.integer({ min: loopCountMin, max: loopCountMax }))
      .map(([body, count]): Stage => ({ kind: 'loop', id, body, count })),
  );
}

/** A random canvas within CANVAS_LIMITS; ids may have gaps, as after deletes. */
const canvasArbitrary: fc.Arbitrary<Canvas> = fc
  .tuple(fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { maxLength: maxStages }), fc.nat({ max: 5 }))
  .chain(([numbers, extra]) => {
    const sorted = [...numbers].sort((a, b) => a - b);
    const nextId = (sorted.at(-1) ?? 0) + 1 + extra;
    return fc.tuple(...sorted.map(stageArbitrary)).map((stages): Canvas => ({ stages, nextId }));
  });

/** The structure of a canvas without ids or prompts. */
function shape(canvas: Canvas): unknown[] {
  return canvas.stages.map((stage) => {
    switch (stage.kind) {
      case 'operator':
        return stage.operator;
      case 'parallel':
        return { parallel: stage.branches.map((b) => b.operator) };
      case 'conditional':
        return { check: stage.condition.operator, onFail: stage.onFail.operator, onPass: stage.onPass?.operator ?? null };
      case 'loop':
        return { loop: stage.body.map((b) => b.operator), count: stage.count };
    }
  });
}

describe('DSL round trip (property)', () => {
  it('prints a reparsed canvas to the same text', () => {
    fc.assert(
      fc.property(canvasArbitrary, (canvas) => {
        const text = printDsl(canvas);
        expect(printDsl(parseDsl(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('reparses printed text to a canvas of the same shape with canonical ids', () => {
    fc.assert(
      fc.property(canvasArbitrary, (canvas) => {
        const parsed = parseDsl(printDsl(canvas));
        expect(shape(parsed)).toEqual(shape(canvas));
        expect(parsed.stages.map((s) => s.id)).toEqual(canvas.stages.map((_, i) => `node_${i + 1}`));
        expect(parsed.nextId).toBe(canvas.stages.length + 1);
        expect(operatorNodes(parsed).every((l) => l.node.prompt === '')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips parsed canvases through JSON unchanged', () => {
    fc.assert(
      fc.property(canvasArbitrary, (canvas) => {
        const parsed = parseDsl(printDsl(canvas));
        expect(parseCanvasJson(JSON.stringify(parsed))).toEqual(parsed);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips generated canvases (gapped ids, prompts) through JSON unchanged', () => {
    fc.assert(
      fc.property(canvasArbitrary, (canvas) => {
        expect(parseCanvasJson(JSON.stringify(canvas))).toEqual(canvas);
      }),
      { numRuns: 300 },
    );
  });
});

/** Expects `run` to throw a CoreError with `code`; returns its message. */
function thrownMessage(run: () => unknown, code: string): string {
  try {
    run();
  } catch (error) {
    if (!(error instanceof CoreError) || error.code !== code) throw error;
    return error.message;
  }
  throw new Error(`expected a ${code} error`);
}

describe('parseDsl on arbitrary input (property)', () => {
  it('either parses or throws a CoreError DSL_PARSE with a location', () => {
    const dslish = fc
      .array(fc.constantFrom(...PAPER_OPERATORS, '->', '→', '[', ']', ',', '?', ':', 'done', '(', ')', '*', 'x', '×', '3', '0', '11', ' ', '\n', '$', 'Foo'), {
        maxLength: 30,
      })
      .map((parts) => parts.join(' '));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 60 }), dslish), (source) => {
        try {
          parseDsl(source);
        } catch (error) {
          expect(error).toBeInstanceOf(CoreError);
          expect((error as CoreError).code).toBe('DSL_PARSE');
          expect((error as CoreError).message).toMatch(/DSL error at \d+:\d+: [\s\S]*\^$/);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('re-prints any successfully parsed input to a fixpoint', () => {
    const dslish = fc
      .array(fc.constantFrom(...PAPER_OPERATORS, '->', '[', ']', ',', '?', ':', 'done', '(', ')', '*', '2'), { maxLength: 20 })
      .map((parts) => parts.join(' '));
    fc.assert(
      fc.property(dslish, (source) => {
        let text: string;
        try {
          text = printDsl(parseDsl(source));
        } catch {
          return;
        }
        expect(printDsl(parseDsl(text))).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseCanvasJson on broken input (property)', () => {
  it('rejects a wrong type at any operator node and names its path', () => {
    fc.assert(
      fc.property(
        canvasArbitrary.filter((c) => c.stages.length > 0),
        fc.nat(),
        fc.constantFrom('operator', 'prompt', 'id', 'kind'),
        (canvas, pick, field) => {
          const json = JSON.parse(JSON.stringify(canvas)) as { stages: Record<string, unknown>[] };
          const paths: string[][] = [];
          json.stages.forEach((stage, i) => {
            const base = ['stages', String(i)];
            if (stage.kind === 'operator') paths.push(base);
            if (stage.kind === 'parallel') (stage.branches as unknown[]).forEach((_, j) => paths.push([...base, 'branches', String(j)]));
            if (stage.kind === 'loop') (stage.body as unknown[]).forEach((_, j) => paths.push([...base, 'body', String(j)]));
            if (stage.kind === 'conditional') {
              paths.push([...base, 'condition'], [...base, 'onFail']);
              if (stage.onPass) paths.push([...base, 'onPass']);
            }
          });
          const path = paths[pick % paths.length] as string[];
          const target = path.reduce<Record<string, unknown>>((at, key) => at[key] as Record<string, unknown>, json);
          target[field] = 42;
          const message = thrownMessage(() => parseCanvasJson(json), 'CANVAS_INVALID');
          // A bad `kind` on a top-level stage is reported at the stage, since it picks the union member.
          const expected = field === 'kind' && path.length === 2 ? path.join('.') : [...path, field].join('.');
          expect(message).toContain(`at ${expected}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects a duplicated stage with CANVAS_INVALID naming the id', () => {
    fc.assert(
      fc.property(
        canvasArbitrary.filter((c) => c.stages.length > 0 && c.stages.length < maxStages),
        fc.nat(),
        (canvas, pick) => {
          const stage = canvas.stages[pick % canvas.stages.length] as Stage;
          const message = thrownMessage(() => parseCanvasJson({ ...canvas, stages: [...canvas.stages, stage] }), 'CANVAS_INVALID');
          expect(message).toContain(`duplicate id ${stage.id}`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects any text that is not JSON with CANVAS_INVALID', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        let isJson = true;
        try {
          JSON.parse(text);
        } catch {
          isJson = false;
        }
        fc.pre(!isJson);
        expect(thrownMessage(() => parseCanvasJson(text), 'CANVAS_INVALID')).toContain('expected valid JSON');
      }),
      { numRuns: 300 },
    );
  });
});
