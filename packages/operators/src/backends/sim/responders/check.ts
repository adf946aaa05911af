/**
 * Responders of the checkers. Review and Verify judge the content of the solution they are shown: a
 * wrong one is flagged with the profile's recall (lower on tasks beyond the model's reach), a right one
 * with its false-alarm rate; an error text or an empty answer is always flagged. Verify also re-derives
 * its own answer. Test's reflect-and-rewrite fixes a failing program with some probability or produces
 * another (or the same) wrong variant.
 * @internal
 */
import { judge } from '../answers.ts';
import { contextText, drawAnswer, drawProgram, isSolvable, solveProbability, UNSOLVABLE_P, VERIFY_FROM_SCRATCH, type SimCall } from '../simCall.ts';
import { critique, reasoning } from './text.ts';

interface Checked {
  readonly correct: boolean;
  readonly broken: boolean;
}

function examine(call: SimCall): Checked {
  const solution = contextText(call, 'solution');
  const head = solution.trimStart().slice(0, 20).toLowerCase();
  if (solution.trim().length === 0 || head.startsWith('error') || head.startsWith('traceback')) return { correct: false, broken: true };
  if (call.model.task.kind === 'code') {
    const label = call.model.codeLabel(solution);
    // Code the sim did not write: judged like an average attempt on this task.
    const correct = label === undefined ? call.rng.chance(solveProbability(call, 'Programmer')) : label === -1;
    return { correct, broken: false };
  }
  return { correct: judge(call.model, solution).correct, broken: false };
}

function flags(call: SimCall, checked: Checked, recall: number, falseAlarm: number): boolean {
  if (checked.broken) return true;
  if (checked.correct) return call.rng.chance(Math.max(0, falseAlarm - 0.02 * call.fit));
  const reach = isSolvable(call.model, call.profile) ? 1 : 0.6;
  return call.rng.chance(Math.min(0.98, recall * reach + 0.05 * call.fit));
}

/** Review: `<review_result>` + `<feedback>`. */
export function reviewReply(call: SimCall): string {
  const checked = examine(call);
  const flagged = flags(call, checked, call.profile.reviewRecall, call.profile.reviewFalseAlarm);
  let feedback = critique(call, flagged);
  // A reviewer that flags a wrong answer sometimes knows the right one and says so.
  if (flagged && call.model.task.kind !== 'code' && call.rng.chance(solveProbability(call, 'Review') * 0.5)) {
    feedback += ` The result should be ${call.model.gold}.`;
  }
  return `<review_result>${flagged ? 'false' : 'true'}</review_result>\n<feedback>${feedback}</feedback>`;
}

/** Verify: steps, verdict, confidence and its own answer. */
export function verifyReply(call: SimCall): string {
  const checked = examine(call);
  const flagged = flags(call, checked, call.profile.verifyRecall, call.profile.verifyFalseAlarm);
  const solution = contextText(call, 'solution');
  let own: string;
  if (call.model.task.kind === 'code') own = '';
  else if (!flagged && !checked.broken) own = judge(call.model, solution).core;
  else {
    const fromScratch = solution.trim().length === 0;
    const draw = drawAnswer({ ...call, context: { ...call.context, previous: undefined } }, fromScratch ? VERIFY_FROM_SCRATCH : 'Verify');
    // Having flagged a right answer, it cannot also re-derive that same answer.
    own = checked.correct && draw.correct ? (call.model.distractors().values[0] ?? draw.core) : draw.core;
  }
  const confidence = checked.broken ? 'high' : call.rng.chance(flagged ? 0.55 : 0.7) ? 'high' : 'medium';
  const steps = `${reasoning(call)} ${critique(call, flagged)}`;
  return `<verification_steps>${steps}</verification_steps>\n<is_correct>${flagged ? 'false' : 'true'}</is_correct>\n<confidence>${confidence}</confidence>\n<answer>${own}</answer>`;
}

/** Test's reflect-and-rewrite for failing code. */
export function reflectReply(call: SimCall): string {
  const code = contextText(call, 'code');
  const current = call.model.codeLabel(code);
  const p = isSolvable(call.model, call.profile)
    ? Math.min(0.97, call.profile.codeFix + call.profile.codeFixSkill * solveProbability(call, 'Programmer') + 0.05 * call.fit)
    : UNSOLVABLE_P;
  // Sometimes the "fix" changes nothing that matters: the same program comes back.
  const same = current !== undefined && current !== -1 && call.rng.chance(0.2);
  const next = same ? { code } : drawProgram(call, p, current);
  const reflection = 'The failing assertion shows the implementation mishandles a case; I adjust the logic accordingly.';
  return `<reflection>${reflection}</reflection>\n<code>\n\`\`\`python\n${next.code}\n\`\`\`\n</code>`;
}
