import { describe, expect, it } from 'vitest';
import { PAPER_OPERATORS } from '../canvas/types.ts';
import { parseActionText, printActionText, type ParsedActionText } from './actionText.ts';
import type { Action } from './types.ts';

/** Asserts a parse succeeded and returns the action. */
function action(result: ParsedActionText): Action {
  if (!result.ok) throw new Error(`expected an action, got: ${result.reason}`);
  return result.action;
}

/** Asserts a parse failed and returns the reason. */
function reason(result: ParsedActionText): string {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.action)}`);
  return result.reason;
}

const parse = (text: unknown) => action(parseActionText(text));

describe('parseActionText: the spec §1.3 table', () => {
  it('parses add operator', () => {
    expect(parse('<action>add</action><operator>Programmer</operator>')).toEqual({ type: 'add', operator: 'Programmer' });
  });

  it('parses add with a position', () => {
    expect(parse('<action>add</action><operator>Plan</operator><position>0</position>')).toEqual({ type: 'add', operator: 'Plan', position: 0 });
    expect(parse('<action>add</action><operator>Plan</operator><position> 3 </position>')).toEqual({ type: 'add', operator: 'Plan', position: 3 });
  });

  it('rejects a position that is not an integer', () => {
    expect(reason(parseActionText('<action>add</action><operator>Plan</operator><position>end</position>'))).toBe(
      "<position> must be an integer, got 'end'",
    );
  });

  it('ignores an inline prompt on add, as the paper does', () => {
    expect(parse('<action>add</action><operator>Custom</operator><prompt>Solve it well.</prompt>')).toEqual({ type: 'add', operator: 'Custom' });
  });

  it('parses add parallel, splitting on commas, semicolons and spaces', () => {
    const text = '<action>add</action><structure>parallel</structure><operators>Programmer, Custom;AnswerGenerate  Custom</operators>';
    expect(parse(text)).toEqual({ type: 'add_parallel', operators: ['Programmer', 'Custom', 'AnswerGenerate', 'Custom'] });
    expect(parse('<action>add</action><structure>parallel</structure><operators>Custom,Custom</operators><position>1</position>')).toEqual({
      type: 'add_parallel',
      operators: ['Custom', 'Custom'],
      position: 1,
    });
  });

  it('leaves parallel size rules to the action, so one operator still parses', () => {
    expect(parse('<action>add</action><structure>parallel</structure><operators>Custom</operators>')).toEqual({ type: 'add_parallel', operators: ['Custom'] });
  });

  it('rejects unknown operators inside <operators>', () => {
    expect(reason(parseActionText('<action>add</action><structure>parallel</structure><operators>Custom, Wizard</operators>'))).toBe(
      'unknown operator(s) Wizard in <operators>',
    );
  });

  it('parses a conditional with <true> as onFail and <false> as onPass', () => {
    expect(parse('<action>add</action><structure>conditional</structure><condition>Verify</condition><true>Revise</true><false>Format</false>')).toEqual({
      type: 'add_conditional',
      condition: 'Verify',
      onFail: 'Revise',
      onPass: 'Format',
    });
  });

  it('parses a conditional with <false>done</false> or without <false> as onPass null', () => {
    for (const tail of ['<false>done</false>', '<false>DONE</false>', '<false>none</false>', '']) {
      expect(parse(`<action>add</action><structure>conditional</structure><condition>Test</condition><true>Programmer</true>${tail}`)).toEqual({
        type: 'add_conditional',
        condition: 'Test',
        onFail: 'Programmer',
        onPass: null,
      });
    }
  });

  it('accepts <on_fail>/<on_pass> as conditional branch names', () => {
    expect(parse('<action>add</action><structure>conditional</structure><condition>Review</condition><on_fail>Revise</on_fail><on_pass>Format</on_pass>')).toEqual({
      type: 'add_conditional',
      condition: 'Review',
      onFail: 'Revise',
      onPass: 'Format',
    });
  });

  it('rejects conditionals with a missing or unknown branch', () => {
    expect(reason(parseActionText('<action>add</action><structure>conditional</structure><condition>Verify</condition>'))).toBe(
      'missing <true> (on fail) branch',
    );
    expect(reason(parseActionText('<action>add</action><structure>conditional</structure><true>Revise</true>'))).toBe('missing <operator> tag');
    expect(reason(parseActionText('<action>add</action><structure>conditional</structure><condition>Oracle</condition><true>Revise</true>'))).toContain(
      "unknown operator 'Oracle'",
    );
    expect(reason(parseActionText('<action>add</action><structure>conditional</structure><condition>Verify</condition><true>Revise</true><false>Magic</false>'))).toContain(
      "unknown operator 'Magic'",
    );
  });

  it('parses a loop with a count', () => {
    expect(parse('<action>add</action><structure>loop</structure><operators>Review, Revise</operators><count>4</count>')).toEqual({
      type: 'add_loop',
      operators: ['Review', 'Revise'],
      count: 4,
    });
  });

  it('defaults a missing or non-numeric loop count to 3', () => {
    expect(parse('<action>add</action><structure>loop</structure><operators>Custom</operators>')).toMatchObject({ count: 3 });
    expect(parse('<action>add</action><structure>loop</structure><operators>Custom</operators><count>many</count>')).toMatchObject({ count: 3 });
  });

  it.each([
    ['0', 1],
    ['-4', 1],
    ['1', 1],
    ['10', 10],
    ['11', 10],
    ['500', 10],
  ])('clamps loop count %s to %i', (count, expected) => {
    expect(parse(`<action>add</action><structure>loop</structure><operators>Custom</operators><count>${count}</count>`)).toMatchObject({ count: expected });
  });

  it('rejects an unknown structure', () => {
    expect(reason(parseActionText('<action>add</action><structure>tree</structure><operators>Custom</operators>'))).toBe(
      "unknown <structure> 'tree'; expected parallel, conditional or loop",
    );
  });

  it('parses delete', () => {
    expect(parse('<action>delete</action><target>node_3</target>')).toEqual({ type: 'delete', target: 'node_3' });
    expect(reason(parseActionText('<action>delete</action>'))).toBe('delete needs <target>node_ID</target>');
  });

  it('parses modify, including child targets', () => {
    expect(parse('<action>modify</action><target>node_2_p1</target><operator>Programmer</operator>')).toEqual({
      type: 'modify',
      target: 'node_2_p1',
      operator: 'Programmer',
    });
    expect(reason(parseActionText('<action>modify</action><operator>Custom</operator>'))).toBe('modify needs <target>node_ID</target>');
    expect(reason(parseActionText('<action>modify</action><target>node_1</target>'))).toBe('missing <operator> tag');
  });

  it('parses set_prompt and requires at least 5 characters after trimming', () => {
    expect(parse('<action>set_prompt</action><target>node_1</target><prompt>  Check every step.  </prompt>')).toEqual({
      type: 'set_prompt',
      target: 'node_1',
      prompt: 'Check every step.',
    });
    expect(parse('<action>set_prompt</action><target>node_1</target><prompt>abcde</prompt>')).toMatchObject({ prompt: 'abcde' });
    expect(reason(parseActionText('<action>set_prompt</action><target>node_1</target><prompt>  abcd </prompt>'))).toBe(
      'set_prompt needs a <prompt> of at least 5 characters',
    );
    expect(reason(parseActionText('<action>set_prompt</action><prompt>Check every step.</prompt>'))).toBe('set_prompt needs <target>node_ID</target>');
  });

  it('parses finish with and without an answer', () => {
    expect(parse('<action>finish</action>')).toEqual({ type: 'finish' });
    expect(parse('<action>finish</action><answer> 42 </answer>')).toEqual({ type: 'finish', answer: '42' });
  });

  it('rejects an unknown action name', () => {
    expect(reason(parseActionText('<action>explode</action>'))).toBe("unknown action 'explode'");
  });

  it('reports a missing or unknown operator for add', () => {
    expect(reason(parseActionText('<action>add</action>'))).toBe('missing <operator> tag');
    expect(reason(parseActionText('<action>add</action><operator>Wizard</operator>'))).toContain("unknown operator 'Wizard'; expected one of Custom");
  });
});

describe('parseActionText: tolerance', () => {
  it('accepts [x]…[/x] tags', () => {
    expect(parse('[action]add[/action][operator]Verify[/operator][position]1[/position]')).toEqual({ type: 'add', operator: 'Verify', position: 1 });
    expect(parse('[action]add[/action][structure]loop[/structure][operators]Review,Revise[/operators][count]2[/count]')).toEqual({
      type: 'add_loop',
      operators: ['Review', 'Revise'],
      count: 2,
    });
  });

  it('accepts upper-case tags and action names, and any operator case', () => {
    expect(parse('<ACTION>ADD</ACTION><OPERATOR>scensemble</OPERATOR>')).toEqual({ type: 'add', operator: 'ScEnsemble' });
    expect(parse('<Action> Delete </Action><Target>node_2</Target>')).toEqual({ type: 'delete', target: 'node_2' });
    expect(parse('[ACTION]finish[/ACTION]')).toEqual({ type: 'finish' });
  });

  it('tolerates whitespace, newlines and punctuation around names', () => {
    expect(parse('<action>\n add \n</action>\n<operator> "Programmer". </operator>')).toEqual({ type: 'add', operator: 'Programmer' });
  });

  it('reads actions inside code fences', () => {
    expect(parse('Here you go:\n```xml\n<action>add</action><operator>Format</operator>\n```')).toEqual({ type: 'add', operator: 'Format' });
    expect(parse('```\n<action>finish</action>\n```')).toEqual({ type: 'finish' });
  });

  it('ignores actions inside think, thought and reasoning blocks', () => {
    const think = '<think>maybe <action>delete</action><target>node_1</target></think><action>add</action><operator>Custom</operator>';
    expect(parse(think)).toEqual({ type: 'add', operator: 'Custom' });
    expect(parse('[think]<action>finish</action>[/think]<action>add</action><operator>Plan</operator>')).toEqual({ type: 'add', operator: 'Plan' });
    expect(parse('<reasoning><action>finish</action></reasoning><action>add</action><operator>Plan</operator>')).toEqual({ type: 'add', operator: 'Plan' });
    expect(parse('<THOUGHT><action>finish</action></THOUGHT><action>add</action><operator>Plan</operator>')).toEqual({ type: 'add', operator: 'Plan' });
  });

  it('ignores everything after an unterminated think block', () => {
    expect(reason(parseActionText('<think>I will <action>finish</action> now'))).toBe('Could not parse action: no <action> tag and no operator mentioned');
  });

  it('does not let think-block tags fill in the real action', () => {
    expect(reason(parseActionText('<think><operator>Plan</operator></think><action>add</action>'))).toBe('missing <operator> tag');
  });

  it('uses only the first of two actions', () => {
    expect(parse('<action>add</action><operator>Plan</operator> then <action>finish</action>')).toEqual({ type: 'add', operator: 'Plan' });
    expect(parse('<action>delete</action><target>node_1</target><action>delete</action><target>node_2</target>')).toEqual({
      type: 'delete',
      target: 'node_1',
    });
  });

  it("does not let the second action's tags leak into the first", () => {
    expect(reason(parseActionText('<action>add</action><action>add</action><operator>Plan</operator>'))).toBe('missing <operator> tag');
    expect(parse('<action>add</action><structure>loop</structure><operators>Custom</operators><action>add</action><count>7</count>')).toMatchObject({
      count: 3,
    });
    expect(parse('<action>finish</action>[action]add[/action][answer]x[/answer]')).toEqual({ type: 'finish' });
  });

  it('honours custom operator lists', () => {
    const options = { operators: [...PAPER_OPERATORS, 'MyOp'] };
    expect(action(parseActionText('<action>add</action><operator>myop</operator>', options))).toEqual({ type: 'add', operator: 'MyOp' });
    expect(reason(parseActionText('<action>add</action><operator>Plan</operator>', { operators: ['MyOp'] }))).toContain("unknown operator 'Plan'");
  });
});

describe('parseActionText: fallback without an action tag', () => {
  it.each(["Let's finish here.", 'I think we can finish the workflow.', 'The workflow is complete.', 'I am ready to finish', 'LETS FINISH'])(
    'reads the finish phrase in %j as finish',
    (text) => {
      expect(parse(text)).toEqual({ type: 'finish' });
    },
  );

  it('reads exactly one operator mention as add', () => {
    expect(parse('I would add a Programmer next.')).toEqual({ type: 'add', operator: 'Programmer' });
    expect(parse('Programmer, then Programmer again')).toEqual({ type: 'add', operator: 'Programmer' });
  });

  it('rejects several operator mentions', () => {
    expect(reason(parseActionText('Use Programmer and then Verify'))).toBe(
      'Could not parse action: several operators mentioned (Programmer, Verify) and no <action> tag',
    );
  });

  it('rejects text with nothing usable', () => {
    expect(reason(parseActionText('hmm, not sure'))).toBe('Could not parse action: no <action> tag and no operator mentioned');
    expect(reason(parseActionText(''))).toBe('Could not parse action: no <action> tag and no operator mentioned');
  });

  it('matches operator mentions case-sensitively, as whole words', () => {
    expect(reason(parseActionText('we should programmer this'))).toContain('no operator mentioned');
    expect(reason(parseActionText('Customize the plans'))).toContain('no operator mentioned');
  });

  it('ignores finish phrases and mentions inside think blocks', () => {
    expect(parse("<think>let's finish? no.</think> add a Verify")).toEqual({ type: 'add', operator: 'Verify' });
    expect(parse('<think>Programmer or Custom?</think> Verify')).toEqual({ type: 'add', operator: 'Verify' });
  });

  it('can be switched off', () => {
    expect(reason(parseActionText("Let's finish", { fallback: false }))).toBe('Could not parse action: no <action> tag');
    expect(reason(parseActionText('Programmer', { fallback: false }))).toBe('Could not parse action: no <action> tag');
  });
});

describe('parseActionText: awaiting a prompt', () => {
  const prompt = (text: unknown) => parseActionText(text, { awaitingPrompt: true });

  it('uses the content of a <prompt> tag', () => {
    expect(action(prompt('Sure. <prompt>  Solve step by step. </prompt> Done.'))).toEqual({ type: 'prompt', prompt: 'Solve step by step.' });
    expect(action(prompt('[PROMPT]Check the units.[/PROMPT]'))).toEqual({ type: 'prompt', prompt: 'Check the units.' });
  });

  it('uses plain text as the prompt, with whitespace collapsed', () => {
    expect(action(prompt('  Solve the problem\n\n carefully.  '))).toEqual({ type: 'prompt', prompt: 'Solve the problem carefully.' });
  });

  it('drops action and operator elements but keeps the text around them', () => {
    expect(action(prompt('<action>add</action><operator>Custom</operator> Please solve carefully'))).toEqual({
      type: 'prompt',
      prompt: 'Please solve carefully',
    });
    expect(action(prompt('Check each case. [action]finish[/action]'))).toEqual({ type: 'prompt', prompt: 'Check each case.' });
  });

  it('keeps comparison signs that are not tags', () => {
    expect(action(prompt('Return x<5 when y>3 holds.'))).toEqual({ type: 'prompt', prompt: 'Return x<5 when y>3 holds.' });
  });

  it('drops think blocks from the prompt', () => {
    expect(action(prompt('<think>What should I say?</think>Verify the final number.'))).toEqual({
      type: 'prompt',
      prompt: 'Verify the final number.',
    });
  });

  it('does not read the reply as an action while awaiting', () => {
    expect(action(prompt('<action>finish</action> Please double-check.'))).toEqual({ type: 'prompt', prompt: 'Please double-check.' });
  });

  it('rejects a prompt shorter than 5 characters', () => {
    expect(reason(prompt('ok'))).toBe('a prompt needs at least 5 characters, got 2');
    expect(reason(prompt('<prompt> abc </prompt> and more text'))).toBe('a prompt needs at least 5 characters, got 3');
    expect(reason(prompt(''))).toBe('a prompt needs at least 5 characters, got 0');
  });

  it('gives a think-only hint when the reply held only a think block', () => {
    const hint = 'the reply held only a think block; write the prompt itself (1–3 sentences, no XML)';
    expect(reason(prompt('<think>I should tell it to be careful.</think>'))).toBe(hint);
    expect(reason(prompt('<think>cut off in the middle of a thought'))).toBe(hint);
    expect(reason(prompt('  <THINK>x</THINK>  '))).toBe(hint);
  });
});

describe('parseActionText: non-string input', () => {
  it.each([
    [null, 'null'],
    [undefined, 'undefined'],
    [42, 'number'],
    [{ action: 'add' }, 'object'],
    [['<action>finish</action>'], 'object'],
  ])('rejects %j without throwing', (input, kind) => {
    expect(reason(parseActionText(input))).toBe(`expected action text, got ${kind}`);
    expect(parseActionText(input, { awaitingPrompt: true }).ok).toBe(false);
  });
});

describe('printActionText', () => {
  const cases: Array<[Action, string]> = [
    [{ type: 'add', operator: 'Plan' }, '<action>add</action><operator>Plan</operator>'],
    [{ type: 'add', operator: 'Plan', position: 0 }, '<action>add</action><operator>Plan</operator><position>0</position>'],
    [
      { type: 'add_parallel', operators: ['Custom', 'Programmer'] },
      '<action>add</action><structure>parallel</structure><operators>Custom, Programmer</operators>',
    ],
    [
      { type: 'add_conditional', condition: 'Verify', onFail: 'Revise', onPass: null },
      '<action>add</action><structure>conditional</structure><condition>Verify</condition><true>Revise</true><false>done</false>',
    ],
    [
      { type: 'add_loop', operators: ['Review', 'Revise'], count: 2, position: 1 },
      '<action>add</action><structure>loop</structure><operators>Review, Revise</operators><count>2</count><position>1</position>',
    ],
    [{ type: 'delete', target: 'node_2' }, '<action>delete</action><target>node_2</target>'],
    [{ type: 'modify', target: 'node_2_p0', operator: 'Custom' }, '<action>modify</action><target>node_2_p0</target><operator>Custom</operator>'],
    [{ type: 'set_prompt', target: 'node_1', prompt: 'Be brief.' }, '<action>set_prompt</action><target>node_1</target><prompt>Be brief.</prompt>'],
    [{ type: 'prompt', prompt: 'Be brief.' }, '<prompt>Be brief.</prompt>'],
    [{ type: 'finish' }, '<action>finish</action>'],
    [{ type: 'finish', answer: '7' }, '<action>finish</action><answer>7</answer>'],
  ];

  it.each(cases)('prints %j in the paper syntax', (input, text) => {
    expect(printActionText(input)).toBe(text);
  });

  it.each(cases)('parses the printed form of %j back to the same action', (input, text) => {
    expect(action(parseActionText(text, { awaitingPrompt: input.type === 'prompt' }))).toEqual(input);
  });
});
