/**
 * Recorded-style director replies for tests: what Qwen3 (FlowSteer-8B on vLLM) and general chat models actually send —
 * think blocks, prose around the action, code fences, square-bracket tags, two actions, none at all.
 * @internal
 */

/** Editing-turn replies. */
export const ACTION_REPLIES = {
  clean: '<action>add</action><operator>Plan</operator>',
  /** Qwen3 with thinking on: a think block, then the action (a distractor action inside the think block). */
  think: `<think>
The problem asks for 6 * 7. The canvas is empty. I could start with <action>add</action><operator>Decompose</operator>
but a plan is cheaper for arithmetic. Plan first, then solvers in parallel.
</think>

<action>add</action><operator>Plan</operator>`,
  /** A chat template that opens the think block in the prompt: the reply starts inside it. */
  orphanThink: `Okay, the workflow already has a plan and a solver. Should I just do <action>finish</action>? No: the gate needs a checker.
</think>
<action>add</action><structure>conditional</structure><condition>Verify</condition><true>Revise</true><false>done</false>`,
  /** GPT-style: explanation and a fenced block. */
  fenced: `The workflow has 5 operators, a parallel block and a checker, and the result is concise. I will finish.

\`\`\`xml
<action>finish</action>
\`\`\``,
  /** Two actions in one reply: only the first counts, and the second's tags must not leak into it. */
  twoActions: `<action>add</action><structure>parallel</structure><operators>AnswerGenerate, Programmer, AnswerGenerate</operators>
Then afterwards:
<action>add</action><operator>ScEnsemble</operator>`,
  squareTags: '[action]add[/action][operator]Format[/operator]',
  /** Prose only: no tag, several operators named (the lenient fallback cannot pick one). */
  none: 'I think the best next move is to combine the candidates with ScEnsemble and then check the result with Verify, maybe also Format.',
  /** Prose only, nothing usable even leniently. */
  noneAgain: 'Sure! Let me know if you need anything else.',
  /** Cut off while thinking (max tokens reached). */
  truncatedThink: '<think>\nThe canvas has node_1 Plan. Next I should consider whether Programmer or AnswerGenerate suits a',
  /** Tagged action, made-up operator. */
  garbageOperator: '<action>add</action><operator>SuperSolver9000</operator>',
  garbageInParallel: '<action>add</action><structure>parallel</structure><operators>AnswerGenerate, MagicOracle</operators>',
  /** Prose naming exactly one operator: the lenient fallback adds it. */
  proseOneOperator: 'We should now add Verify to check the answer.',
  lowercaseOperator: '<ACTION>Add</ACTION><Operator>answergenerate</Operator>',
} as const;

/** Prompt-turn replies (the environment awaits an operator's prompt). */
export const PROMPT_REPLIES = {
  plain: 'List the quantities in the problem and the operation that connects them, step by step.',
  tagged: '<prompt>Compute the product directly and state only the number.</prompt>',
  /** A prompt answered as a set_prompt action: the `<prompt>` content is used. */
  asSetPrompt: '<action>set_prompt</action><target>node_1</target><prompt>Check each arithmetic step and report any mistake.</prompt>',
  thinkThenPrompt: '<think>\nThe Plan should just outline steps.\n</think>\nOutline the two or three steps needed before any calculation.',
  /** An editing action where a prompt was expected: nothing usable is left once its tags are removed. */
  wrongTurn: '<action>add</action><operator>Verify</operator>',
  thinkOnly: '<think>\nWhat should this prompt say? Maybe',
} as const;
