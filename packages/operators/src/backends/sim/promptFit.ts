/**
 * Prompt/template effect: how well a node's instruction fits its operator. An instruction that speaks to
 * the operator's job helps a little, one written for a different job hurts a little, and the default
 * ("") is neutral. Cheap keyword checks, cached per (operator, instruction).
 * @internal
 */

const FIT_WORDS: Readonly<Record<string, readonly string[]>> = {
  AnswerGenerate: ['step', 'careful', 'reason', 'think', 'check', 'concise', 'final answer'],
  Custom: ['step', 'careful', 'reason', 'think', 'answer', 'solve'],
  Programmer: ['python', 'code', 'compute', 'calculat', 'exact', 'function', 'program', 'edge case'],
  Plan: ['plan', 'step', 'outline', 'approach', 'strategy'],
  Decompose: ['sub', 'break', 'split', 'decompos', 'part'],
  Verify: ['verify', 'check', 'independ', 'recompute', 're-derive', 'confirm'],
  Review: ['review', 'check', 'mistake', 'error', 'critique', 'flaw'],
  Revise: ['fix', 'feedback', 'correct', 'address', 'revise', 'improve'],
  ScEnsemble: ['majority', 'consistent', 'agree', 'vote', 'most'],
  Aggregate: ['majority', 'combine', 'agree', 'aggregate', 'consensus'],
  Format: ['only', 'final', 'extract', 'short', 'letter', 'number', 'format', 'span'],
  Test: ['test', 'fix', 'bug', 'edge', 'failing'],
};

const ALL_WORDS = [...new Set(Object.values(FIT_WORDS).flat())];
const cache = new Map<string, number>();

/** 1 when the instruction fits the operator, -1 when it only speaks to other operators' jobs, else 0. */
export function promptFit(operator: string, instruction: string): number {
  const text = instruction.trim().toLowerCase();
  if (text.length < 5) return 0;
  const key = `${operator}\u0000${text}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const own = FIT_WORDS[operator];
  let fit = 0;
  if (own?.some((word) => text.includes(word))) fit = 1;
  else if (own && (text.length > 600 || ALL_WORDS.some((word) => text.includes(word)))) fit = -1;
  if (cache.size > 50_000) cache.clear();
  cache.set(key, fit);
  return fit;
}
