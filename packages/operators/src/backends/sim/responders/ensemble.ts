/**
 * Responders of ScEnsemble and Aggregate (LLM path). Candidates are grouped by content (a verbose and a
 * bare form of the same answer agree); the majority group is chosen with the profile's selectMajority
 * probability, otherwise the model judges content itself (picking a right candidate with P(solve)) or
 * picks at random.
 * @internal
 */
import { judge, renderAnswer, voteKey } from '../answers.ts';
import { codeKey } from '../codeMutants.ts';
import { contextList, solveProbability, verboseProbability, type SimCall } from '../simCall.ts';

function choose(call: SimCall, candidates: readonly string[]): number {
  const { model, rng, profile } = call;
  const isCode = model.task.kind === 'code';
  const keys: string[] = [];
  const correct: boolean[] = [];
  for (const candidate of candidates) {
    if (isCode) {
      const label = model.codeLabel(candidate);
      keys.push(label === undefined ? codeKey(candidate) : `#${label}`);
      correct.push(label === -1);
    } else {
      const judgement = judge(model, candidate);
      keys.push(voteKey(model, judgement));
      correct.push(judgement.correct);
    }
  }
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  let majority = 0;
  keys.forEach((key, i) => {
    if ((counts.get(key) ?? 0) > (counts.get(keys[majority] ?? '') ?? 0)) majority = i;
  });
  const hasMajority = (counts.get(keys[majority] ?? '') ?? 0) > 1;
  const selectP = Math.min(0.99, profile.selectMajority + 0.03 * call.fit);
  if (hasMajority && rng.chance(selectP)) return majority;
  const right = correct.indexOf(true);
  if (right !== -1 && rng.chance(solveProbability(call, 'ScEnsemble') * 0.5)) return right;
  return rng.int(candidates.length);
}

function label(index: number): string {
  return String.fromCharCode(65 + (index % 26));
}

/** ScEnsemble: `<thought>` + `<solution_letter>`. */
export function scEnsembleReply(call: SimCall): string {
  const candidates = contextList(call, 'candidates');
  if (candidates.length === 0) return '<thought>No candidates were given.</thought>\n<solution_letter>A</solution_letter>';
  const index = choose(call, candidates);
  return `<thought>Comparing the ${candidates.length} candidates, ${label(index)} agrees best with the others and with the problem.</thought>\n<solution_letter>${label(index)}</solution_letter>`;
}

/** Aggregate (LLM path): `<aggregated_answer>`. */
export function aggregateReply(call: SimCall): string {
  const candidates = contextList(call, 'candidates');
  if (candidates.length === 0) return '<aggregated_answer></aggregated_answer>';
  const chosen = candidates[choose(call, candidates)] ?? '';
  if (call.model.task.kind === 'code') return `<aggregated_answer>\n\`\`\`python\n${chosen}\n\`\`\`\n</aggregated_answer>`;
  const core = judge(call.model, chosen).core;
  const style = call.rng.chance(verboseProbability(call, 'Aggregate')) ? 'verbose' : 'bare';
  return `<aggregated_answer>${renderAnswer(call.model, core, style, call.rng)}</aggregated_answer>`;
}
