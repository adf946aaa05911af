import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyCanvas, findOperatorNode, operatorNodes } from '../canvas/canvas.ts';
import { parseDsl, printDsl } from '../canvas/dsl.ts';
import { validateCanvas } from '../canvas/schema.ts';
import { PAPER_OPERATORS, type Canvas } from '../canvas/types.ts';
import { addConditional } from './addConditional.ts';
import { addLoop } from './addLoop.ts';
import { addOperator } from './addOperator.ts';
import { addParallel } from './addParallel.ts';
import { deleteNode } from './deleteNode.ts';
import { finish } from './finish.ts';
import { modifyNode } from './modifyNode.ts';
import { ACTIONS, actionMask, applicableActions, applyAction } from './registry.ts';
import { setPrompt } from './setPrompt.ts';
import { ACTION_NAMES, type Action, type ActionState, type ApplyResult, type PendingPrompt } from './types.ts';
import { writePrompt } from './writePrompt.ts';

const OPERATORS = [...PAPER_OPERATORS, 'MdEnsemble'];

function state(canvas: Canvas | string = emptyCanvas(), extra: Partial<ActionState> = {}): ActionState {
  return { canvas: typeof canvas === 'string' ? parseDsl(canvas) : canvas, awaiting: null, finished: false, operators: OPERATORS, ...extra };
}

const pending: PendingPrompt = { target: 'node_1', operator: 'Plan', label: 'prompt for Plan' };
const awaiting = (canvas: Canvas | string = 'Plan') => state(canvas, { awaiting: pending });
const finished = (canvas: Canvas | string = 'Plan') => state(canvas, { finished: true });

/** Asserts success and returns the new canvas. */
function ok(result: ApplyResult): Canvas {
  if (!result.ok) throw new Error(`expected success, got: ${result.reason}`);
  return result.canvas;
}

/** Asserts refusal and returns the reason. */
function refused(result: ApplyResult): string {
  if (result.ok) throw new Error(`expected a refusal, got ${printDsl(result.canvas)}`);
  expect(result.reason.length).toBeGreaterThan(10);
  return result.reason;
}

/** Applies actions in turn, threading the canvas. */
function run(start: Canvas, ...actions: Action[]): Canvas {
  return actions.reduce((canvas, action) => ok(applyAction(state(canvas), action)), start);
}

const FULL = Array.from({ length: 15 }, () => 'Custom').join(' -> ');
const ids = (canvas: Canvas) => canvas.stages.map((stage) => stage.id);

describe('isApplicable', () => {
  const table: Array<[string, ActionState, string[]]> = [
    ['BUILDING with an empty canvas', state(), ['add', 'add_parallel', 'add_conditional', 'add_loop']],
    ['BUILDING with a non-empty canvas', state('Plan -> Custom'), ['add', 'add_parallel', 'add_conditional', 'add_loop', 'delete', 'modify', 'set_prompt', 'finish']],
    ['BUILDING with a full canvas', state(FULL), ['delete', 'modify', 'set_prompt', 'finish']],
    ['AWAITING a prompt', awaiting(), ['prompt']],
    ['finished', finished(), []],
    ['finished while awaiting', state('Plan', { finished: true, awaiting: pending }), []],
  ];

  it.each(table)('in %s allows exactly the expected action types', (_name, s, expected) => {
    expect(applicableActions(s)).toEqual(expected);
    expect(actionMask(s)).toEqual(ACTION_NAMES.map((name) => expected.includes(name)));
    for (const name of ACTION_NAMES) expect(ACTIONS[name].isApplicable(s)).toBe(expected.includes(name));
  });

  it('keeps the mask aligned with ACTION_NAMES', () => {
    expect(actionMask(state())).toHaveLength(ACTION_NAMES.length);
    expect(Object.keys(ACTIONS).sort()).toEqual([...ACTION_NAMES].sort());
    for (const name of ACTION_NAMES) {
      expect(ACTIONS[name].name).toBe(name);
      expect(ACTIONS[name].description.length).toBeGreaterThan(10);
    }
  });
});

describe('refusals outside BUILDING', () => {
  const actions: Action[] = [
    { type: 'add', operator: 'Custom' },
    { type: 'add_parallel', operators: ['Custom', 'Custom'] },
    { type: 'add_conditional', condition: 'Verify', onFail: 'Revise' },
    { type: 'add_loop', operators: ['Custom'], count: 2 },
    { type: 'delete', target: 'node_1' },
    { type: 'modify', target: 'node_1', operator: 'Custom' },
    { type: 'set_prompt', target: 'node_1', prompt: 'A proper prompt.' },
    { type: 'finish' },
  ];

  it.each(actions.map((a) => [a.type, a] as const))('refuses %s while awaiting a prompt', (_type, action) => {
    expect(refused(applyAction(awaiting(), action))).toMatch(/awaiting a prompt/);
  });

  it.each([...actions, { type: 'prompt', prompt: 'Write the plan.' } as Action].map((a) => [a.type, a] as const))(
    'refuses %s once finished',
    (_type, action) => {
      const reason = refused(applyAction(finished(), action));
      expect(reason).toMatch(/finished|no prompt is awaited/);
    },
  );
});

describe('add', () => {
  it('appends an operator with a fresh id and reports it', () => {
    const result = addOperator.apply(state('Plan'), { type: 'add', operator: 'Custom' });
    expect(result).toEqual({
      ok: true,
      canvas: { stages: [...parseDsl('Plan').stages, { kind: 'operator', id: 'node_2', operator: 'Custom', prompt: '' }], nextId: 3 },
      nodeIds: ['node_2'],
    });
  });

  it('keeps a given prompt and template id', () => {
    const canvas = ok(addOperator.apply(state(), { type: 'add', operator: 'Plan', prompt: 'Plan it.', templateId: 'plan-1' }));
    expect(canvas.stages[0]).toEqual({ kind: 'operator', id: 'node_1', operator: 'Plan', prompt: 'Plan it.', templateId: 'plan-1' });
  });

  it('inserts at position 0, in the middle and at the end', () => {
    const base = 'Plan -> Format';
    expect(ids(ok(addOperator.apply(state(base), { type: 'add', operator: 'Custom', position: 0 })))).toEqual(['node_3', 'node_1', 'node_2']);
    expect(ids(ok(addOperator.apply(state(base), { type: 'add', operator: 'Custom', position: 1 })))).toEqual(['node_1', 'node_3', 'node_2']);
    expect(ids(ok(addOperator.apply(state(base), { type: 'add', operator: 'Custom', position: 2 })))).toEqual(['node_1', 'node_2', 'node_3']);
    expect(ids(ok(addOperator.apply(state(), { type: 'add', operator: 'Custom', position: 0 })))).toEqual(['node_1']);
  });

  it.each([-1, 3, 1.5, Number.NaN])('refuses position %s on a two-stage canvas', (position) => {
    expect(refused(addOperator.apply(state('Plan -> Format'), { type: 'add', operator: 'Custom', position }))).toContain(
      `position must be an integer in 0..2, got ${position}`,
    );
  });

  it('refuses an unknown operator with a suggestion', () => {
    const reason = refused(addOperator.apply(state(), { type: 'add', operator: 'Programer' }));
    expect(reason).toContain("unknown operator 'Programer' (did you mean 'Programmer'?)");
    expect(reason).toContain('expected one of Custom');
  });

  it('refuses operators missing from the environment registry', () => {
    const s = state(emptyCanvas(), { operators: ['Custom'] });
    expect(refused(addOperator.apply(s, { type: 'add', operator: 'Plan' }))).toContain("unknown operator 'Plan'");
  });

  it('refuses a 16th stage', () => {
    expect(refused(addOperator.apply(state(FULL), { type: 'add', operator: 'Custom' }))).toContain('canvas is full');
  });

  it('never mutates the input canvas', () => {
    const s = state('Plan');
    const before = JSON.stringify(s.canvas);
    addOperator.apply(s, { type: 'add', operator: 'Custom', position: 0 });
    expect(JSON.stringify(s.canvas)).toBe(before);
  });
});

describe('add_parallel', () => {
  it('adds branches node_k_p0..p<n-1> and reports the child ids', () => {
    const result = addParallel.apply(state('Plan'), { type: 'add_parallel', operators: ['Custom', 'Programmer', 'AnswerGenerate'] });
    expect(result.ok && result.nodeIds).toEqual(['node_2_p0', 'node_2_p1', 'node_2_p2']);
    expect(printDsl(ok(result))).toBe('Plan -> [Custom, Programmer, AnswerGenerate]');
  });

  it('inserts at a position', () => {
    const canvas = ok(addParallel.apply(state('Plan -> Format'), { type: 'add_parallel', operators: ['Custom', 'Custom'], position: 1 }));
    expect(printDsl(canvas)).toBe('Plan -> [Custom, Custom] -> Format');
  });

  it.each([[['Custom']], [['Custom', 'Custom', 'Custom', 'Custom', 'Custom']], [[]]])('refuses %j (needs 2–4)', (operators) => {
    expect(refused(addParallel.apply(state(), { type: 'add_parallel', operators }))).toContain(
      `a parallel stage needs 2–4 operators, got ${operators.length}`,
    );
  });

  it.each(['ScEnsemble', 'Aggregate', 'MdEnsemble'])('refuses %s inside a parallel stage', (operator) => {
    expect(refused(addParallel.apply(state(), { type: 'add_parallel', operators: ['Custom', operator] }))).toContain(
      `${operator} aggregates candidates and cannot run inside a parallel stage`,
    );
  });

  it('refuses an unknown branch operator and a bad position', () => {
    expect(refused(addParallel.apply(state(), { type: 'add_parallel', operators: ['Custom', 'Nope'] }))).toContain("unknown operator 'Nope'");
    expect(refused(addParallel.apply(state(), { type: 'add_parallel', operators: ['Custom', 'Custom'], position: 1 }))).toContain('0..0');
  });
});

describe('add_conditional', () => {
  it('adds cond/fail children and a null onPass for done', () => {
    const result = addConditional.apply(state('Programmer'), { type: 'add_conditional', condition: 'Test', onFail: 'Programmer' });
    expect(result.ok && result.nodeIds).toEqual(['node_2_cond', 'node_2_fail']);
    expect(ok(result).stages[1]).toMatchObject({ kind: 'conditional', id: 'node_2', onPass: null });
    expect(printDsl(ok(result))).toBe('Programmer -> Test ? Programmer : done');
  });

  it('adds a pass child when onPass is given', () => {
    const result = addConditional.apply(state(), { type: 'add_conditional', condition: 'Verify', onFail: 'Revise', onPass: 'Format' });
    expect(result.ok && result.nodeIds).toEqual(['node_1_cond', 'node_1_fail', 'node_1_pass']);
    expect(printDsl(ok(result))).toBe('Verify ? Revise : Format');
  });

  it('treats onPass null as done', () => {
    expect(printDsl(ok(addConditional.apply(state(), { type: 'add_conditional', condition: 'Verify', onFail: 'Revise', onPass: null })))).toBe(
      'Verify ? Revise : done',
    );
  });

  it('refuses an unknown operator in any role and a bad position', () => {
    expect(refused(addConditional.apply(state(), { type: 'add_conditional', condition: 'Verfy', onFail: 'Revise' }))).toContain("did you mean 'Verify'");
    expect(refused(addConditional.apply(state(), { type: 'add_conditional', condition: 'Verify', onFail: 'Nope' }))).toContain("'Nope'");
    expect(refused(addConditional.apply(state(), { type: 'add_conditional', condition: 'Verify', onFail: 'Revise', onPass: 'Nope' }))).toContain("'Nope'");
    expect(refused(addConditional.apply(state(), { type: 'add_conditional', condition: 'Verify', onFail: 'Revise', position: -1 }))).toContain(
      'position',
    );
  });
});

describe('add_loop', () => {
  it('adds a body node_k_l0.. with its count', () => {
    const result = addLoop.apply(state('Plan'), { type: 'add_loop', operators: ['Review', 'Revise'], count: 3 });
    expect(result.ok && result.nodeIds).toEqual(['node_2_l0', 'node_2_l1']);
    expect(printDsl(ok(result))).toBe('Plan -> (Review -> Revise) * 3');
  });

  it.each([1, 10])('accepts count %i', (count) => {
    expect(ok(addLoop.apply(state(), { type: 'add_loop', operators: ['Custom'], count })).stages[0]).toMatchObject({ count });
  });

  it.each([0, 11, -3, 2.5, Number.NaN])('refuses count %s', (count) => {
    expect(refused(addLoop.apply(state(), { type: 'add_loop', operators: ['Custom'], count }))).toContain(
      `a loop count must be an integer in 1–10, got ${count}`,
    );
  });

  it('refuses an empty body, a body of five and unknown operators', () => {
    expect(refused(addLoop.apply(state(), { type: 'add_loop', operators: [], count: 2 }))).toContain('a loop body needs 1–4 operators, got 0');
    const five = ['Custom', 'Custom', 'Custom', 'Custom', 'Custom'];
    expect(refused(addLoop.apply(state(), { type: 'add_loop', operators: five, count: 2 }))).toContain('got 5');
    expect(refused(addLoop.apply(state(), { type: 'add_loop', operators: ['Nope'], count: 2 }))).toContain("unknown operator 'Nope'");
    expect(refused(addLoop.apply(state(), { type: 'add_loop', operators: ['Custom'], count: 2, position: 4 }))).toContain('position');
  });
});

describe('ids', () => {
  it('are monotonic across every kind of add', () => {
    const canvas = run(
      emptyCanvas(),
      { type: 'add', operator: 'Plan' },
      { type: 'add_parallel', operators: ['Custom', 'Custom'] },
      { type: 'add_conditional', condition: 'Verify', onFail: 'Revise' },
      { type: 'add_loop', operators: ['Custom'], count: 2 },
      { type: 'add', operator: 'Format', position: 0 },
    );
    expect(ids(canvas)).toEqual(['node_5', 'node_1', 'node_2', 'node_3', 'node_4']);
    expect(canvas.nextId).toBe(6);
  });

  it('are never reused after a delete: add, add, delete node_2, add gives node_3', () => {
    const canvas = run(emptyCanvas(), { type: 'add', operator: 'Plan' }, { type: 'add', operator: 'Custom' }, { type: 'delete', target: 'node_2' }, {
      type: 'add',
      operator: 'Format',
    });
    expect(ids(canvas)).toEqual(['node_1', 'node_3']);
  });

  it('spec §9.7 regression: an add after a delete never collides with a live id', () => {
    // The reference code names the new node node_{len+1}: after deleting node_1 of [node_1, node_2] it
    // would create a second node_2 and overwrite the live one.
    const canvas = run(
      emptyCanvas(),
      { type: 'add', operator: 'Plan' },
      { type: 'add', operator: 'Custom' },
      { type: 'delete', target: 'node_1' },
      { type: 'add', operator: 'Format' },
    );
    expect(ids(canvas)).toEqual(['node_2', 'node_3']);
    expect(findOperatorNode(canvas, 'node_2')?.node.operator).toBe('Custom');
    const more = run(canvas, { type: 'add', operator: 'Plan' }, { type: 'delete', target: 'node_4' }, { type: 'add', operator: 'Plan' });
    expect(ids(more)).toEqual(['node_2', 'node_3', 'node_5']);
    expect(more.nextId).toBe(6);
  });

  it('are unique and never reused over random edit sequences (property)', () => {
    const operator = fc.constantFrom(...OPERATORS);
    // Mostly appends and small valid positions, with some out-of-range ones.
    const at = fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 3 },
      { arbitrary: fc.integer({ min: 0, max: 3 }), weight: 2 },
      { arbitrary: fc.constantFrom(-1, 16, 1.5), weight: 1 },
    );
    // Small numbers and mostly top-level ids, so that deletes often hit a live stage.
    const target = fc.tuple(fc.integer({ min: 1, max: 8 }), fc.constantFrom('', '', '', '', '_p0', '_p1', '_cond', '_fail', '_pass', '_l0'));
    const step = fc.oneof(
      { arbitrary: fc.tuple(operator, at).map(([op, position]) => ({ type: 'add', operator: op, position }) as Action), weight: 4 },
      fc.tuple(fc.array(operator, { maxLength: 5 }), at).map(([operators, position]) => ({ type: 'add_parallel', operators, position }) as Action),
      fc.tuple(operator, operator, fc.option(operator, { nil: null }), at).map(
        ([condition, onFail, onPass, position]) => ({ type: 'add_conditional', condition, onFail, onPass, position }) as Action,
      ),
      fc.tuple(fc.array(operator, { maxLength: 5 }), fc.integer({ min: -1, max: 12 }), at).map(
        ([operators, count, position]) => ({ type: 'add_loop', operators, count, position }) as Action,
      ),
      { arbitrary: target.map(([n, suffix]) => ({ type: 'delete', target: `node_${n}${suffix}` }) as Action), weight: 3 },
      fc.tuple(target, operator).map(([[n, suffix], op]) => ({ type: 'modify', target: `node_${n}${suffix}`, operator: op }) as Action),
      fc.tuple(target, fc.string({ maxLength: 12 })).map(([[n, suffix], prompt]) => ({ type: 'set_prompt', target: `node_${n}${suffix}`, prompt }) as Action),
      fc.constant({ type: 'finish' } as Action),
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 10, maxLength: 60 }), (steps) => {
        let canvas = emptyCanvas();
        const everAllocated = new Set<string>();
        for (const action of steps) {
          const result = applyAction(state(canvas), action);
          if (!result.ok) {
            expect(result.reason.length).toBeGreaterThan(10);
            continue;
          }
          const before = new Set(canvas.stages.map((s) => s.id));
          canvas = result.canvas;
          expect(validateCanvas(canvas)).toEqual([]);
          expect(canvas.stages.length).toBeLessThanOrEqual(15);
          for (const stage of canvas.stages) {
            if (before.has(stage.id)) continue;
            expect(everAllocated.has(stage.id)).toBe(false);
            everAllocated.add(stage.id);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never reuse a deleted structure id for its children either', () => {
    const canvas = run(parseDsl('Plan -> [Custom, Custom]'), { type: 'delete', target: 'node_2' }, { type: 'add_parallel', operators: ['Programmer', 'Custom'] });
    expect(operatorNodes(canvas).map((l) => l.node.id)).toEqual(['node_1', 'node_3_p0', 'node_3_p1']);
  });
});

describe('delete', () => {
  it('removes a top-level stage of any kind with its children', () => {
    const s = state('Plan -> [Custom, Custom] -> Verify ? Revise -> (Custom) * 2');
    for (const target of ['node_1', 'node_2', 'node_3', 'node_4']) {
      const result = deleteNode.apply(s, { type: 'delete', target });
      expect(result.ok && result.nodeIds).toEqual([target]);
      const canvas = ok(result);
      expect(ids(canvas)).not.toContain(target);
      expect(operatorNodes(canvas).some((l) => l.node.id.startsWith(`${target}_`))).toBe(false);
      expect(canvas.nextId).toBe(5);
    }
  });

  it.each(['node_2_p0', 'node_3_cond', 'node_3_fail', 'node_4_l0'])('refuses child %s and names the parent to remove', (target) => {
    const parent = target.split('_').slice(0, 2).join('_');
    const reason = refused(deleteNode.apply(state('Plan -> [Custom, Custom] -> Verify ? Revise -> (Custom) * 2'), { type: 'delete', target }));
    expect(reason).toBe(`${target} is a child of ${parent}; remove the parent node ${parent} instead`);
  });

  it('refuses a missing id and lists the existing stages', () => {
    expect(refused(deleteNode.apply(state('Plan -> Custom'), { type: 'delete', target: 'node_7' }))).toBe(
      'no node node_7; existing stages: node_1, node_2',
    );
    expect(refused(deleteNode.apply(state(), { type: 'delete', target: 'node_1' }))).toContain('existing stages: none');
  });
});

describe('modify', () => {
  it('changes a top-level operator and resets its prompt', () => {
    const start = ok(setPrompt.apply(state('Plan -> Custom'), { type: 'set_prompt', target: 'node_2', prompt: 'Solve the task.' }));
    const result = modifyNode.apply(state(start), { type: 'modify', target: 'node_2', operator: 'Programmer' });
    expect(result.ok && result.nodeIds).toEqual(['node_2']);
    expect(ok(result).stages[1]).toEqual({ kind: 'operator', id: 'node_2', operator: 'Programmer', prompt: '' });
  });

  it('applies a prompt and template id given with the modify', () => {
    const canvas = ok(modifyNode.apply(state('Plan'), { type: 'modify', target: 'node_1', operator: 'Decompose', prompt: 'Split it.', templateId: 't' }));
    expect(canvas.stages[0]).toEqual({ kind: 'operator', id: 'node_1', operator: 'Decompose', prompt: 'Split it.', templateId: 't' });
  });

  it.each([
    ['node_1_p1', '[Custom, Custom]', '[Custom, Programmer]'],
    ['node_1_cond', 'Verify ? Revise : Format', 'Programmer ? Revise : Format'],
    ['node_1_fail', 'Verify ? Revise : Format', 'Verify ? Programmer : Format'],
    ['node_1_pass', 'Verify ? Revise : Format', 'Verify ? Revise : Programmer'],
    ['node_1_l0', '(Custom -> Review) * 2', '(Programmer -> Review) * 2'],
  ])('changes child %s', (target, dsl, expected) => {
    expect(printDsl(ok(modifyNode.apply(state(dsl), { type: 'modify', target, operator: 'Programmer' })))).toBe(expected);
  });

  it.each([
    ['[Custom, Custom]', 'parallel'],
    ['Verify ? Revise', 'conditional'],
    ['(Custom) * 2', 'loop'],
  ])('refuses the structure id of %s', (dsl, kind) => {
    expect(refused(modifyNode.apply(state(dsl), { type: 'modify', target: 'node_1', operator: 'Custom' }))).toBe(
      `node_1 is a ${kind} structure; modify one of its children instead`,
    );
  });

  it('refuses a missing node and an unknown operator', () => {
    expect(refused(modifyNode.apply(state('Plan'), { type: 'modify', target: 'node_9', operator: 'Custom' }))).toBe('no operator node node_9');
    expect(refused(modifyNode.apply(state('Plan'), { type: 'modify', target: 'node_1', operator: 'Formatt' }))).toContain("did you mean 'Format'");
  });
});

describe('set_prompt', () => {
  it('sets a trimmed prompt on a top-level node or a child', () => {
    const canvas = ok(setPrompt.apply(state('Plan -> [Custom, Custom]'), { type: 'set_prompt', target: 'node_2_p1', prompt: '  Try another way.  ' }));
    expect(findOperatorNode(canvas, 'node_2_p1')?.node.prompt).toBe('Try another way.');
    expect(findOperatorNode(canvas, 'node_2_p0')?.node.prompt).toBe('');
  });

  it('replaces the template id, or drops it when none is given', () => {
    const withTemplate = ok(setPrompt.apply(state('Plan'), { type: 'set_prompt', target: 'node_1', prompt: 'Plan it now.', templateId: 'plan-2' }));
    expect(withTemplate.stages[0]).toMatchObject({ templateId: 'plan-2' });
    const without = ok(setPrompt.apply(state(withTemplate), { type: 'set_prompt', target: 'node_1', prompt: 'Plan differently.' }));
    expect(without.stages[0]).toEqual({ kind: 'operator', id: 'node_1', operator: 'Plan', prompt: 'Plan differently.' });
  });

  it('refuses prompts shorter than 5 characters after trimming', () => {
    expect(refused(setPrompt.apply(state('Plan'), { type: 'set_prompt', target: 'node_1', prompt: '  abcd  ' }))).toBe(
      'a prompt needs at least 5 characters, got 4',
    );
    expect(setPrompt.apply(state('Plan'), { type: 'set_prompt', target: 'node_1', prompt: 'abcde' }).ok).toBe(true);
  });

  it('refuses a missing node and a structure id', () => {
    expect(refused(setPrompt.apply(state('Plan'), { type: 'set_prompt', target: 'node_4', prompt: 'Do the thing.' }))).toBe('no operator node node_4');
    expect(refused(setPrompt.apply(state('[Custom, Custom]'), { type: 'set_prompt', target: 'node_1', prompt: 'Do the thing.' }))).toBe(
      'node_1 is a parallel structure; set the prompt of one of its children instead',
    );
  });
});

describe('prompt (awaiting)', () => {
  it('writes the prompt on the pending node', () => {
    const s = state('Plan -> [Custom, Custom]', { awaiting: { target: 'node_2_p1', operator: 'Custom', label: 'parallel prompt 2/2' } });
    const result = writePrompt.apply(s, { type: 'prompt', prompt: ' Answer concisely. ', templateId: 'qa-1' });
    expect(result.ok && result.nodeIds).toEqual(['node_2_p1']);
    expect(findOperatorNode(ok(result), 'node_2_p1')?.node).toEqual({
      kind: 'operator',
      id: 'node_2_p1',
      operator: 'Custom',
      prompt: 'Answer concisely.',
      templateId: 'qa-1',
    });
  });

  it('refuses when nothing is awaited, when too short, and when the pending node is missing', () => {
    expect(refused(writePrompt.apply(state('Plan'), { type: 'prompt', prompt: 'Write a plan.' }))).toContain('no prompt is awaited');
    expect(refused(writePrompt.apply(awaiting(), { type: 'prompt', prompt: 'abc' }))).toBe('a prompt needs at least 5 characters, got 3');
    const stale = state('Format', { awaiting: { ...pending, target: 'node_7' } });
    expect(refused(writePrompt.apply(stale, { type: 'prompt', prompt: 'Write a plan.' }))).toBe('pending node node_7 is not on the canvas');
  });
});

describe('finish', () => {
  it('succeeds on a non-empty canvas and leaves it unchanged', () => {
    const s = state('Plan -> Custom');
    expect(finish.apply(s, { type: 'finish', answer: '42' })).toEqual({ ok: true, canvas: s.canvas, nodeIds: [] });
  });

  it('refuses an empty workflow', () => {
    expect(refused(finish.apply(state(), { type: 'finish' }))).toBe('cannot finish an empty workflow');
  });
});

describe('applyAction', () => {
  it('dispatches to the action definitions', () => {
    expect(printDsl(ok(applyAction(state('Plan'), { type: 'add', operator: 'Format' })))).toBe('Plan -> Format');
  });

  it('refuses an unknown action type without throwing', () => {
    const result = applyAction(state(), { type: 'teleport' } as unknown as Action);
    expect(refused(result)).toBe(
      "unknown action type 'teleport'; expected one of add, add_parallel, add_conditional, add_loop, delete, modify, set_prompt, prompt, finish",
    );
  });

  it('describes concrete actions', () => {
    expect(ACTIONS.add.describe({ type: 'add', operator: 'Plan', position: 0 })).toBe('add Plan at 0');
    expect(ACTIONS.add_loop.describe({ type: 'add_loop', operators: ['Review', 'Revise'], count: 2 })).toBe('add loop (Review -> Revise) * 2');
    expect(ACTIONS.add_conditional.describe({ type: 'add_conditional', condition: 'Verify', onFail: 'Revise' })).toBe(
      'add conditional Verify ? Revise : done',
    );
  });
});
