/**
 * The text an LLM Flow-Director sees (spec §1.2): a system prompt with the operator library, the action syntax,
 * example workflows and the rules; one user message per turn with a problem-type hint, the problem, the current
 * canvas, the last feedback and the turn instruction; a short prompt-writing message while the environment awaits
 * an operator's prompt (§1.4); and the repair instruction sent when a reply held no action.
 *
 * The reference's `InteractivePromptBuilder` wording is not published in the spec, only its structure and limits:
 * this text follows that structure (sections, 800-char feedback, ≤ 1200 chars of public tests, "1–3 sentences, no
 * XML") in our own words, so a model trained on the reference prompts (FlowSteer-8B) sees the same sections, not the
 * same sentences.
 * @public
 */
import type { Observation } from '../env/workflowEnv.ts';
import { countOperators, operatorNameSet } from '../canvas/canvas.ts';
import type { OperatorRegistry, OperatorSpec } from '../operators/types.ts';
import type { TaskView } from '../tasks/types.ts';

/** What the director is told about one operator. @public */
export type DirectorOperator = Pick<OperatorSpec, 'name' | 'description'> & Partial<Pick<OperatorSpec, 'forbiddenInParallel'>>;

/** Limits of the per-turn text (spec §1.2 defaults). @public */
export interface DirectorPromptLimits {
  /** Feedback characters kept in a turn message. @default 800 */
  readonly feedbackChars: number;
  /** Public-test characters shown on code prompt turns. @default 1200 */
  readonly testChars: number;
}

/** @public */
export const DEFAULT_DIRECTOR_PROMPT_LIMITS: DirectorPromptLimits = { feedbackChars: 800, testChars: 1200 };

/** The operator cards of a registry, in its order. @public */
export function directorOperators(registry: OperatorRegistry): DirectorOperator[] {
  return registry.names().map((name) => {
    const spec = registry.get(name);
    return {
      name,
      description: spec?.description ?? name,
      ...(spec?.forbiddenInParallel === undefined ? {} : { forbiddenInParallel: spec.forbiddenInParallel }),
    };
  });
}

const EXAMPLE_WORKFLOWS = [
  'Plan -> AnswerGenerate -> Verify ? Revise : done -> Format',
  '[AnswerGenerate, AnswerGenerate, Programmer] -> ScEnsemble -> Verify ? Revise : done -> Format',
  'Decompose -> [AnswerGenerate, AnswerGenerate, AnswerGenerate] -> Aggregate -> Review -> Format',
  'Plan -> [Programmer, Programmer] -> ScEnsemble -> Test ? Revise : done',
  'AnswerGenerate -> (Review -> Revise) * 2 -> Verify -> Format',
];

/** The system message: library, action syntax, examples and rules. Constant for one operator set. @public */
export function buildDirectorSystemPrompt(operators: readonly DirectorOperator[]): string {
  const library = operators.map((op) => `- ${op.name}: ${op.description}`).join('\n');
  const noParallel = operators.filter((op) => op.forbiddenInParallel).map((op) => op.name);
  return [
    'You are the Flow-Director. You build an agentic workflow for the problem step by step on a canvas: one edit per turn.',
    'After every completed edit the workflow is executed and you get feedback: the result, errors and hints.',
    '',
    '## Operators',
    library,
    '',
    '## Actions (output exactly ONE per turn)',
    '- Add an operator (appended, or at a 0-based <position>): <action>add</action><operator>NAME</operator>',
    `- Add a parallel block of 2 or more operators${noParallel.length > 0 ? ` (not ${noParallel.join(', ')})` : ''}: <action>add</action><structure>parallel</structure><operators>A, B, C</operators>`,
    '- Add a conditional (the <true> branch runs when the check FAILS, <false> when it passes; done = nothing): <action>add</action><structure>conditional</structure><condition>Verify</condition><true>Revise</true><false>done</false>',
    '- Add a loop (count 1-10): <action>add</action><structure>loop</structure><operators>Review, Revise</operators><count>2</count>',
    '- Delete a top-level node: <action>delete</action><target>node_2</target>',
    '- Change the operator of a node: <action>modify</action><target>node_2</target><operator>NAME</operator>',
    '- Rewrite the prompt of a node: <action>set_prompt</action><target>node_2</target><prompt>new instruction</prompt>',
    '- Finish when the workflow answers the problem: <action>finish</action>',
    '',
    '## Prompts (two steps)',
    'After add or modify the environment asks for that operator\'s prompt ("Pending - Awaiting Prompt"); a structure asks for one prompt per child, in order.',
    'On such a turn reply with the prompt only: 1-3 sentences, no XML, do not restate facts of the problem.',
    '',
    '## Example workflows (DSL)',
    ...EXAMPLE_WORKFLOWS.map((dsl) => `- ${dsl}`),
    '',
    '## Rules',
    '- Plan and Decompose belong at the start of the workflow only.',
    '- A finish is accepted only with at least 5 operators (children count), a parallel, conditional or loop, a solver (Custom, AnswerGenerate, Programmer, Aggregate or Revise) and a checker (Verify, Review or Test).',
    '- Code tasks need Programmer or Test, and Test when public tests are given. A long or verbose answer needs Format at the end.',
    '- Top-level nodes are node_1, node_2, ...; children are node_k_p0, node_k_p1, ... (parallel), node_k_cond / node_k_fail / node_k_pass (conditional), node_k_l0, ... (loop).',
    '- Think briefly, then output exactly one action in the tags above and nothing after it.',
  ].join('\n');
}

function isMultipleChoice(task: TaskView): boolean {
  return task.choices !== undefined && Object.keys(task.choices).length > 0;
}

/** One line that tells the director what kind of answer the task wants (the reference's problem-type hint). @public */
export function problemTypeHint(task: TaskView): string {
  if (isMultipleChoice(task)) return 'Problem type: multiple choice. The final answer is one option letter; end with Format so only the letter remains.';
  switch (task.kind) {
    case 'math':
      return 'Problem type: math. The final answer is a number or expression; Programmer can compute it, Verify can check it, Format extracts it.';
    case 'qa':
      return 'Problem type: question answering. The final answer is a short span (entity, date, number, yes/no); end with Format to keep it short.';
    case 'code':
      return `Problem type: code${task.entryPoint ? ` (write the function ${task.entryPoint})` : ''}. Use Programmer to write it and Test to run the public tests.`;
  }
}

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}…`;
}

/** The feedback as a turn shows it: lines quoting an action removed (as the reference does), cut to `limit`. */
export function turnFeedback(feedback: string, limit: number): string {
  const kept = feedback
    .split('\n')
    .filter((line) => !/<action>|\[action\]/i.test(line))
    .join('\n')
    .trim();
  return clip(kept, limit);
}

function problemSection(task: TaskView): string[] {
  const lines = ['## Problem', task.problem.trim()];
  // MathQA problems usually carry their options inline already ("Options: a ) 12 , b ) 16 …").
  if (task.choices && !/options\s*:|\b[a-e]\s*\)/i.test(task.problem)) {
    lines.push(...Object.entries(task.choices).map(([letter, text]) => `${letter}) ${text}`));
  }
  return lines;
}

/** Head and tail of the public tests, at most `limit` characters (12 head and 8 tail lines, spec §1.2). */
function testExcerpt(tests: string, limit: number): string {
  const lines = tests.split('\n').filter((line) => line.trim() !== '');
  const picked = lines.length <= 20 ? lines : [...lines.slice(0, 12), '...', ...lines.slice(-8)];
  return clip(picked.join('\n'), limit);
}

function stateSection(observation: Observation): string[] {
  const topLevel = observation.canvas.stages.map((stage) => stage.id);
  return [
    '## Current State',
    `DSL: ${observation.dsl || '(empty)'}`,
    `Operators: ${countOperators(observation.canvas)} total, ${operatorNameSet(observation.canvas).size} unique types`,
    `Round: ${observation.round}/${observation.maxRounds}`,
    `Top-level nodes: ${topLevel.length > 0 ? topLevel.join(', ') : 'none'}`,
  ];
}

/**
 * The user message of a turn. An editing turn: hint, problem, state (from round 1 on, as the reference shows it only
 * once something happened), last feedback, `note` (what went wrong with the director's own previous reply), the turn
 * instruction. A prompt turn (`observation.awaiting`): the operator, its card, code-task context, problem and rules.
 * @public
 */
export function buildTurnPrompt(observation: Observation, operators: readonly DirectorOperator[], limits: DirectorPromptLimits = DEFAULT_DIRECTOR_PROMPT_LIMITS, note?: string): string {
  const task = observation.task;
  const feedback = turnFeedback(observation.feedback, limits.feedbackChars);
  const noteLines = note ? ['## Note', note] : [];
  const awaiting = observation.awaiting;
  if (awaiting) {
    const card = operators.find((op) => op.name === awaiting.operator);
    const code = task.kind === 'code'
      ? [
          ...(task.entryPoint ? [`Entry point: ${task.entryPoint}`] : []),
          ...(task.publicTests ? ['Public tests (excerpt):', testExcerpt(task.publicTests, limits.testChars)] : []),
        ]
      : [];
    return [
      `## Write the prompt for ${awaiting.operator} (${awaiting.target}, ${awaiting.label})`,
      ...(card ? [`What it does: ${card.description}`] : []),
      ...code,
      ...problemSection(task),
      `## Current workflow: ${observation.dsl || '(empty)'}`,
      '## Last Feedback',
      feedback,
      ...noteLines,
      '## Your Turn',
      `Reply with the instruction for this ${awaiting.operator} only: 1-3 sentences, no XML, do not restate facts of the problem.`,
    ].join('\n');
  }
  return [
    problemTypeHint(task),
    ...problemSection(task),
    ...(observation.round > 0 ? stateSection(observation) : []),
    '## Last Action Feedback',
    feedback,
    ...noteLines,
    '## Your Turn',
    'Think briefly about what the workflow still needs, then output exactly one action.',
  ].join('\n');
}

/**
 * A past turn as kept in the conversation: round, state and feedback only (the problem is in the current turn's
 * message), so history stays short.
 * @public
 */
export function buildHistoryPrompt(observation: Observation, limits: DirectorPromptLimits = DEFAULT_DIRECTOR_PROMPT_LIMITS): string {
  const what = observation.awaiting ? `awaiting the prompt for ${observation.awaiting.operator} (${observation.awaiting.target})` : 'edit';
  return [
    `Round ${observation.round}/${observation.maxRounds} (${what}). DSL: ${observation.dsl || '(empty)'}`,
    turnFeedback(observation.feedback, Math.min(400, limits.feedbackChars)),
  ].join('\n');
}

/** Repair instruction after an editing reply without an action (spec §1.2: "output exactly one action"). @public */
export const ACTION_REPAIR_INSTRUCTION =
  'Your reply did not contain an action. Output exactly one action now in the XML format, for example '
  + '<action>add</action><operator>AnswerGenerate</operator> or <action>finish</action>, and nothing else.';

/** Repair instruction after a prompt turn without a usable prompt. @public */
export function promptRepairInstruction(operator: string): string {
  return `Your reply did not contain a usable prompt. Write only the instruction for ${operator} now: 1-3 sentences, plain text, no XML, no reasoning.`;
}
