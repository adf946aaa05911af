/**
 * Responder of Format: extracts the core of the solution it is given (never re-solves). With the
 * profile's small formatError it extracts the wrong piece (the trailing number of a verbose math
 * sentence, or a sentence fragment for QA). Multiple choice comes back as a letter.
 * @internal
 */
import { judge } from '../answers.ts';
import { mathKey } from '../normalize.ts';
import { contextText, drawDistractor, type SimCall } from '../simCall.ts';

function optionLetter(call: SimCall, core: string): string {
  const task = call.model.task;
  if (task.kind !== 'math' || !task.choices) return core;
  if (/^[a-e]$/i.test(core.trim())) return core.trim().toLowerCase();
  const key = mathKey(core);
  for (const [letter, option] of Object.entries(task.choices)) if (mathKey(option) === key) return letter;
  return drawDistractor(call);
}

/** Format: `<answer>`. */
export function formatReply(call: SimCall): string {
  const solution = contextText(call, 'solution');
  if (call.model.task.kind === 'code') return `<answer>\n\`\`\`python\n${solution}\n\`\`\`\n</answer>`;
  const judgement = judge(call.model, solution);
  let core = judgement.core;
  if (call.rng.chance(call.profile.formatError * (judgement.verbose ? 2 : 1) * (call.fit < 0 ? 2 : 1))) {
    const numbers = solution.match(/\d+(?:\.\d+)?/g);
    core = call.model.task.kind === 'math' && numbers ? (numbers[numbers.length - 1] ?? core) : solution.split(/[,.;]/)[0]?.trim() ?? core;
  }
  if (core.length > 200) core = core.slice(0, 200);
  return `<answer>${optionLetter(call, core)}</answer>`;
}
