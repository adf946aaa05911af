/**
 * zod schema of structured actions, for actions that arrive from outside (API input, stored episodes,
 * policies written by users): a malformed object becomes a clear refusal instead of a crash.
 * @public
 */
import { z } from 'zod';
import type { Action } from './types.ts';

const name = z.string().min(1).max(64);
const position = z.number().int().min(0).optional();
const target = z.string().min(1).max(64);

/** Schema of every action type. */
export const actionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('add'), operator: name, position, prompt: z.string().max(4000).optional(), templateId: z.string().optional() }),
  z.object({ type: z.literal('add_parallel'), operators: z.array(name).max(8), position }),
  z.object({ type: z.literal('add_conditional'), condition: name, onFail: name, onPass: name.nullable().optional(), position }),
  z.object({ type: z.literal('add_loop'), operators: z.array(name).max(8), count: z.number().int(), position }),
  z.object({ type: z.literal('delete'), target }),
  z.object({ type: z.literal('modify'), target, operator: name, prompt: z.string().max(4000).optional(), templateId: z.string().optional() }),
  z.object({ type: z.literal('set_prompt'), target, prompt: z.string().max(4000), templateId: z.string().optional() }),
  z.object({ type: z.literal('prompt'), prompt: z.string().max(4000), templateId: z.string().optional() }),
  z.object({ type: z.literal('finish'), answer: z.string().max(4000).optional() }),
]);

/** Validates an untrusted action value; never throws. */
export function parseActionValue(value: unknown): { ok: true; action: Action } | { ok: false; reason: string } {
  const result = actionSchema.safeParse(value);
  if (result.success) return { ok: true, action: result.data as Action };
  const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(action)'}: ${issue.message}`);
  return { ok: false, reason: `malformed action — ${issues.join('; ')}` };
}
