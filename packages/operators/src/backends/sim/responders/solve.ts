/**
 * Responders of the solving operators: AnswerGenerate (`<thought>` + `<answer>`), Custom (free text
 * ending in "Final answer: X", or a verbose sentence), and Programmer (Python, with crashes that the
 * operator's retry loop must handle). Code tasks get the reference program or one of its mutants.
 * @internal
 */
import { renderAnswer } from '../answers.ts';
import { numberOf } from '../normalize.ts';
import { sigmoid } from '../rng.ts';
import { contextText, drawAnswer, drawProgram, isSolvable, solveLogit, UNSOLVABLE_P, verboseProbability, type SimCall } from '../simCall.ts';
import { reasoning } from './text.ts';

function fenced(code: string): string {
  return `\`\`\`python\n${code}\n\`\`\``;
}

/** P(a code solver writes a fully correct program); an upstream error message helps a rewrite. */
function programProbability(call: SimCall): number {
  if (!isSolvable(call.model, call.profile)) return UNSOLVABLE_P;
  const hint = contextText(call, 'previousError') ? 0.3 : 0;
  return sigmoid(solveLogit(call) + hint);
}

/** AnswerGenerate. */
export function answerGenerateReply(call: SimCall): string {
  if (call.model.task.kind === 'code') {
    const { code } = drawProgram(call, programProbability(call));
    return `<thought>${reasoning(call)}</thought>\n<answer>\n${fenced(code)}\n</answer>`;
  }
  const draw = drawAnswer(call);
  const style = call.rng.chance(verboseProbability(call)) ? 'verbose' : 'bare';
  const answer = renderAnswer(call.model, draw.core, style, call.rng);
  return `<thought>${reasoning(call, style === 'bare' ? draw.core : undefined)}</thought>\n<answer>${answer}</answer>`;
}

/** Custom (and unknown plugin operators): plain text. */
export function customReply(call: SimCall): string {
  if (call.model.task.kind === 'code') {
    const { code } = drawProgram(call, programProbability(call));
    return `Here is an implementation.\n\n${fenced(code)}\n\nIt follows the specification above.`;
  }
  const draw = drawAnswer(call, 'Custom');
  const verbose = call.rng.chance(verboseProbability(call, 'Custom'));
  return verbose ? renderAnswer(call.model, draw.core, 'verbose', call.rng) : renderAnswer(call.model, draw.core, 'line', call.rng, reasoning(call));
}

function pythonLiteral(call: SimCall, core: string): string {
  const task = call.model.task;
  if (task.kind === 'math' && task.choices) {
    const value = numberOf(task.choices[core] ?? core);
    return value !== undefined ? String(value) : JSON.stringify(core);
  }
  const value = numberOf(core);
  return value !== undefined && task.kind === 'math' ? String(value) : JSON.stringify(core);
}

// Realistic runtime failures: an undefined name, an index past the end, a division by zero.
const CRASHES = ['    result = total_value', '    result = values[len(values)]', '    result = values[0] / (values[0] - values[0])'];

/** Programmer: a fenced Python program (math/QA: `solve()`; code: the requested function). */
export function programmerReply(call: SimCall): string {
  const { model, rng, profile } = call;
  const crash = rng.chance(profile.programCrash / 2 ** call.attempt);
  if (model.task.kind === 'code') {
    const { code } = drawProgram(call, programProbability(call));
    // A syntax slip (missing colon on the first def) is what the smoke run catches and the retry fixes.
    const slipped = crash ? code.replace(/(def\s+\w+\([^)]*\)[^:\n]*):/, '$1') : code;
    return fenced(slipped);
  }
  const numbers = model.problemNumbers.slice(0, 6);
  const lines = ['def solve():', '    # Quantities stated in the problem.', `    values = [${numbers.length > 0 ? numbers.join(', ') : '0'}]`, '    # Combine them step by step.'];
  lines.push(crash ? (rng.pick(CRASHES) ?? CRASHES[0] ?? '') : `    result = ${pythonLiteral(call, drawAnswer(call, 'Programmer').core)}`);
  lines.push('    return result');
  return fenced(lines.join('\n'));
}
