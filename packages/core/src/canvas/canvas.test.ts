import { describe, expect, it } from 'vitest';
import {
  allocateId,
  childId,
  countOperators,
  emptyCanvas,
  findOperatorNode,
  findStage,
  hasControlStructure,
  insertStage,
  operatorNameSet,
  operatorNode,
  operatorNodes,
  removeStage,
  topLevelId,
  updateOperatorNode,
} from './canvas.ts';
import { parseDsl } from './dsl.ts';
import type { Canvas } from './types.ts';

const example = (): Canvas => parseDsl('Plan -> [Programmer, Programmer, AnswerGenerate] -> ScEnsemble -> Verify ? Revise : done -> (Review -> Revise) * 2 -> Format');

describe('canvas ids', () => {
  it('starts an empty canvas at node_1', () => {
    expect(emptyCanvas()).toEqual({ stages: [], nextId: 1 });
    expect(allocateId(emptyCanvas()).id).toBe('node_1');
  });

  it('builds top-level and child ids in the node_ form', () => {
    expect(topLevelId(7)).toBe('node_7');
    expect(childId('node_7', 'p2')).toBe('node_7_p2');
    expect(childId('node_7', 'cond')).toBe('node_7_cond');
  });

  it('moves the counter on when allocating and leaves the input untouched', () => {
    const canvas = emptyCanvas();
    const first = allocateId(canvas);
    const second = allocateId(first.canvas);
    expect([first.id, second.id]).toEqual(['node_1', 'node_2']);
    expect(second.canvas.nextId).toBe(3);
    expect(canvas.nextId).toBe(1);
  });

  it('keeps the counter when a stage is removed, so ids are never reused', () => {
    const canvas = parseDsl('Plan -> Custom -> Format');
    const removed = removeStage(canvas, 'node_3');
    expect(removed.stages.map((s) => s.id)).toEqual(['node_1', 'node_2']);
    expect(removed.nextId).toBe(4);
    expect(allocateId(removed).id).toBe('node_4');
  });
});

describe('operatorNode', () => {
  it('omits templateId when none is given and keeps it when given', () => {
    expect(operatorNode('node_1', 'Custom')).toEqual({ kind: 'operator', id: 'node_1', operator: 'Custom', prompt: '' });
    expect('templateId' in operatorNode('node_1', 'Custom', 'p')).toBe(false);
    expect(operatorNode('node_1', 'Custom', 'solve it', 't1')).toEqual({
      kind: 'operator',
      id: 'node_1',
      operator: 'Custom',
      prompt: 'solve it',
      templateId: 't1',
    });
  });
});

describe('operatorNodes', () => {
  it('lists every operator node in execution order with its role', () => {
    const roles = operatorNodes(example()).map(({ node, role, childIndex, stageIndex }) => [node.id, role, childIndex, stageIndex]);
    expect(roles).toEqual([
      ['node_1', 'top', 0, 0],
      ['node_2_p0', 'branch', 0, 1],
      ['node_2_p1', 'branch', 1, 1],
      ['node_2_p2', 'branch', 2, 1],
      ['node_3', 'top', 0, 2],
      ['node_4_cond', 'condition', 0, 3],
      ['node_4_fail', 'onFail', 0, 3],
      ['node_5_l0', 'body', 0, 4],
      ['node_5_l1', 'body', 1, 4],
      ['node_6', 'top', 0, 5],
    ]);
  });

  it('includes the onPass branch when there is one', () => {
    const ids = operatorNodes(parseDsl('Verify ? Revise : Format')).map((l) => [l.node.id, l.role]);
    expect(ids).toEqual([
      ['node_1_cond', 'condition'],
      ['node_1_fail', 'onFail'],
      ['node_1_pass', 'onPass'],
    ]);
  });

  it('counts loop bodies once and children individually', () => {
    expect(countOperators(example())).toBe(10);
    expect(countOperators(emptyCanvas())).toBe(0);
  });
});

describe('lookups', () => {
  it('finds children and top-level operators by id', () => {
    const canvas = example();
    expect(findOperatorNode(canvas, 'node_2_p1')?.stage.id).toBe('node_2');
    expect(findOperatorNode(canvas, 'node_6')?.role).toBe('top');
    expect(findOperatorNode(canvas, 'node_2')).toBeUndefined();
    expect(findOperatorNode(canvas, 'node_99')).toBeUndefined();
  });

  it('finds top-level stages only', () => {
    const canvas = example();
    expect(findStage(canvas, 'node_4')).toMatchObject({ index: 3, stage: { kind: 'conditional' } });
    expect(findStage(canvas, 'node_4_cond')).toBeUndefined();
    expect(findStage(canvas, 'nope')).toBeUndefined();
  });
});

describe('insertStage', () => {
  const base = parseDsl('Plan -> Format');
  const node = operatorNode('node_9', 'Custom');
  const order = (c: Canvas) => c.stages.map((s) => s.id);

  it('appends when no position is given', () => {
    expect(order(insertStage(base, node))).toEqual(['node_1', 'node_2', 'node_9']);
  });

  it('inserts at the front, the middle and the end', () => {
    expect(order(insertStage(base, node, 0))).toEqual(['node_9', 'node_1', 'node_2']);
    expect(order(insertStage(base, node, 1))).toEqual(['node_1', 'node_9', 'node_2']);
    expect(order(insertStage(base, node, 2))).toEqual(['node_1', 'node_2', 'node_9']);
  });

  it('clamps out-of-range positions', () => {
    expect(order(insertStage(base, node, -5))).toEqual(['node_9', 'node_1', 'node_2']);
    expect(order(insertStage(base, node, 99))).toEqual(['node_1', 'node_2', 'node_9']);
  });

  it('does not mutate its input', () => {
    insertStage(base, node, 0);
    expect(order(base)).toEqual(['node_1', 'node_2']);
  });
});

describe('updateOperatorNode', () => {
  it('updates a node inside any structure and nothing else', () => {
    const canvas = example();
    for (const id of ['node_1', 'node_2_p2', 'node_4_cond', 'node_4_fail', 'node_5_l1']) {
      const updated = updateOperatorNode(canvas, id, (node) => ({ ...node, prompt: 'changed' }));
      const changed = operatorNodes(updated).filter((l) => l.node.prompt === 'changed').map((l) => l.node.id);
      expect(changed).toEqual([id]);
    }
  });

  it('updates the onPass branch and keeps a null onPass null', () => {
    const withPass = updateOperatorNode(parseDsl('Verify ? Revise : Format'), 'node_1_pass', (n) => ({ ...n, operator: 'Custom' }));
    expect(findOperatorNode(withPass, 'node_1_pass')?.node.operator).toBe('Custom');
    const done = updateOperatorNode(parseDsl('Verify ? Revise'), 'node_1_cond', (n) => ({ ...n, operator: 'Test' }));
    expect(done.stages[0]).toMatchObject({ kind: 'conditional', onPass: null, condition: { operator: 'Test' } });
  });

  it('leaves the original canvas unchanged', () => {
    const canvas = example();
    updateOperatorNode(canvas, 'node_1', (node) => ({ ...node, operator: 'Custom' }));
    expect(findOperatorNode(canvas, 'node_1')?.node.operator).toBe('Plan');
  });
});

describe('graph facts', () => {
  it('detects control structures from the graph', () => {
    expect(hasControlStructure(parseDsl('Plan -> Custom'))).toBe(false);
    expect(hasControlStructure(parseDsl('Plan -> [Custom, Custom]'))).toBe(true);
    expect(hasControlStructure(parseDsl('Verify ? Revise'))).toBe(true);
    expect(hasControlStructure(parseDsl('(Custom) * 2'))).toBe(true);
    expect(hasControlStructure(emptyCanvas())).toBe(false);
  });

  it('collects distinct operator names, children included', () => {
    expect([...operatorNameSet(example())].sort()).toEqual(
      ['AnswerGenerate', 'Format', 'Plan', 'Programmer', 'Review', 'Revise', 'ScEnsemble', 'Verify'].sort(),
    );
  });
});
