/**
 * JSON form of a canvas: a zod schema for untrusted input plus semantic validation (ids, limits).
 * @public
 */
import { z } from 'zod';
import { CoreError } from '../errors.ts';
import { operatorNodes } from './canvas.ts';
import { CANVAS_LIMITS, type Canvas } from './types.ts';

const nodeId = z.string().regex(/^node_[0-9]+(_[a-z0-9]+)?$/, 'expected an id like node_3 or node_3_p0');

const operatorNodeSchema = z.object({
  kind: z.literal('operator'),
  id: nodeId,
  operator: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an operator name'),
  prompt: z.string().max(4000),
  templateId: z.string().optional(),
});

const stageSchema = z.discriminatedUnion('kind', [
  operatorNodeSchema,
  z.object({
    kind: z.literal('parallel'),
    id: nodeId,
    branches: z.array(operatorNodeSchema).min(CANVAS_LIMITS.parallelMin).max(CANVAS_LIMITS.parallelMax),
  }),
  z.object({
    kind: z.literal('conditional'),
    id: nodeId,
    condition: operatorNodeSchema,
    onFail: operatorNodeSchema,
    onPass: operatorNodeSchema.nullable(),
  }),
  z.object({
    kind: z.literal('loop'),
    id: nodeId,
    body: z.array(operatorNodeSchema).min(CANVAS_LIMITS.loopBodyMin).max(CANVAS_LIMITS.loopBodyMax),
    count: z.number().int().min(CANVAS_LIMITS.loopCountMin).max(CANVAS_LIMITS.loopCountMax),
  }),
]);

/** zod schema of the canvas JSON form. */
export const canvasSchema = z.object({
  stages: z.array(stageSchema).max(CANVAS_LIMITS.maxStages),
  nextId: z.number().int().min(1),
});

/** Semantic problems zod cannot see: duplicate ids, ids at or past `nextId`, children not named after their parent. */
export function validateCanvas(canvas: Canvas): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const stage of canvas.stages) {
    const number = Number(/^node_([0-9]+)$/.exec(stage.id)?.[1] ?? NaN);
    if (!Number.isInteger(number)) problems.push(`stage id ${stage.id}: expected node_<n> for a top-level stage`);
    else if (number >= canvas.nextId) problems.push(`stage id ${stage.id}: expected a number below nextId ${canvas.nextId}`);
    if (seen.has(stage.id)) problems.push(`duplicate id ${stage.id}`);
    seen.add(stage.id);
  }
  for (const { node, stage, role } of operatorNodes(canvas)) {
    if (role === 'top') continue;
    if (!node.id.startsWith(`${stage.id}_`)) problems.push(`child id ${node.id}: expected it to start with ${stage.id}_`);
    if (seen.has(node.id)) problems.push(`duplicate id ${node.id}`);
    seen.add(node.id);
  }
  return problems;
}

/** Parses untrusted JSON (string or value) into a Canvas; throws CoreError('CANVAS_INVALID') naming the path. */
export function parseCanvasJson(input: unknown): Canvas {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new CoreError('CANVAS_INVALID', `[core] canvas JSON: expected valid JSON, got a parse error: ${(error as Error).message}`);
    }
  }
  const result = canvasSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new CoreError('CANVAS_INVALID', `[core] canvas JSON invalid — ${issues.join('; ')}`);
  }
  const canvas = result.data as Canvas;
  const problems = validateCanvas(canvas);
  if (problems.length > 0) throw new CoreError('CANVAS_INVALID', `[core] canvas invalid — ${problems.join('; ')}`);
  return canvas;
}
