/**
 * Responder of Revise. A flagged wrong solution is fixed with P = fix + skill·P(solve) (more when the
 * feedback names the right answer); a right one survives, except that a false alarm sometimes talks the
 * model out of it. Without real feedback Revise is a weak self-check.
 * @internal
 */
import { judge, renderAnswer } from '../answers.ts';
import { contextText, drawDistractor, drawProgram, isSolvable, solveProbability, verboseProbability, type SimCall } from '../simCall.ts';

const PASSING_FEEDBACK = /^(?:verified|looks correct|the public tests passed)/i;

/** Revise: `<solution>`. */
export function reviseReply(call: SimCall): string {
  const { model, profile, rng } = call;
  const solution = contextText(call, 'solution');
  const feedback = contextText(call, 'feedback');
  const flagged = feedback.length > 0 && !PASSING_FEEDBACK.test(feedback.trim());
  const reach = isSolvable(model, profile);
  const skill = solveProbability(call, 'Revise');
  const namesGold = flagged && model.gold.length > 0 && feedback.includes(model.gold) ? 0.3 : 0;
  const fixP = Math.min(0.97, (profile.reviseFix + profile.reviseSkill * skill) * (flagged ? 1 : 0.3) + (reach ? namesGold : namesGold / 3));

  if (model.task.kind === 'code') {
    const label = model.codeLabel(solution);
    const correct = label === -1;
    if (correct && !rng.chance(flagged ? profile.reviseBreakFlagged : profile.reviseBreakUnflagged)) return `<solution>\n\`\`\`python\n${solution}\n\`\`\`\n</solution>`;
    const next = drawProgram(call, correct ? 0 : fixP, label);
    return `<solution>\n\`\`\`python\n${next.code}\n\`\`\`\n</solution>`;
  }

  const current = judge(model, solution);
  let core: string;
  if (current.correct) core = rng.chance(flagged ? profile.reviseBreakFlagged : profile.reviseBreakUnflagged) ? drawDistractor(call) : model.gold;
  else core = rng.chance(fixP) ? model.gold : current.core && rng.chance(0.6) ? current.core : drawDistractor(call);
  const style = rng.chance(verboseProbability(call, 'Revise')) ? 'verbose' : 'bare';
  return `<solution>${renderAnswer(model, core, style, rng)}</solution>`;
}
