/**
 * Custom: a free-form LLM call. The node's instruction is the whole task description; the reply is used
 * as plain text (spec §2: `instruction + [PREVIOUS RESULT] + input`).
 * @public
 */
import { buildMessages, callContext, defineOperator, upstreamOutput } from '../operator.ts';
import { extractPython, stripFences } from '../parsing.ts';

/** The Custom operator. */
export const custom = defineOperator({
  name: 'Custom',
  category: 'solving',
  description: 'Runs the node instruction as a free-form prompt over the problem and the previous result; returns the raw reply.',
  inputs: ['problem', 'prev', 'instruction'],
  outputs: ['response'],
  defaultPrompt: 'Work through the problem carefully and state the final answer on the last line.',
  async run(ctx) {
    const previous = upstreamOutput(ctx);
    const instruction = ctx.instruction.trim() || custom.defaultPrompt;
    const messages = buildMessages(
      'You are a capable assistant. Follow the instruction exactly.',
      [
        ['', instruction],
        ['Problem', ctx.input.problem],
        ['Previous result', previous],
        ['Guidance', ctx.input.guidance],
      ],
      'Reply with your answer.',
    );
    const reply = await ctx.llm({ messages, purpose: 'respond', context: callContext(ctx, { previous }) });
    const response = reply.text.trim();
    if (ctx.task.kind === 'code') {
      const code = extractPython(response);
      return code
        ? { fields: { response }, output: code, role: 'solution', code }
        : { fields: { response }, output: response, role: 'solution', error: 'Custom reply contains no Python code' };
    }
    return { fields: { response }, output: stripFences(response).trim(), role: 'solution' };
  },
});
