/**
 * Pure canvas operations: every function returns a new Canvas and never mutates its input.
 * @public
 */
import type { Canvas, NodeId, OperatorNode, Stage } from './types.ts';

/** An empty canvas whose first stage will be `node_1`. */
export function emptyCanvas(): Canvas {
  return { stages: [], nextId: 1 };
}

/** Id of the top-level stage numbered `n`. */
export function topLevelId(n: number): NodeId {
  return `node_${n}`;
}

/** Id of a child of a structure stage (`node_3_p0`, `node_3_cond`, `node_3_fail`, `node_3_pass`, `node_3_l1`). */
export function childId(parent: NodeId, suffix: string): NodeId {
  return `${parent}_${suffix}`;
}

/** Creates an operator node value. */
export function operatorNode(id: NodeId, operator: string, prompt = '', templateId?: string): OperatorNode {
  return templateId === undefined
    ? { kind: 'operator', id, operator, prompt }
    : { kind: 'operator', id, operator, prompt, templateId };
}

/** Reserves the next top-level id: returns it with the canvas whose counter moved on. */
export function allocateId(canvas: Canvas): { id: NodeId; canvas: Canvas } {
  return { id: topLevelId(canvas.nextId), canvas: { ...canvas, nextId: canvas.nextId + 1 } };
}

/** Where an operator node sits: at the top level, or as which child of which structure. */
export interface NodeLocation {
  readonly node: OperatorNode;
  readonly stage: Stage;
  readonly stageIndex: number;
  /** `top` for a plain operator stage; otherwise the role inside its structure. */
  readonly role: 'top' | 'branch' | 'condition' | 'onFail' | 'onPass' | 'body';
  /** Index among siblings for `branch` / `body`. */
  readonly childIndex: number;
}

/** Every operator node in execution order (children included, loop bodies once). */
export function operatorNodes(canvas: Canvas): NodeLocation[] {
  const out: NodeLocation[] = [];
  canvas.stages.forEach((stage, stageIndex) => {
    const at = (node: OperatorNode, role: NodeLocation['role'], childIndex = 0) =>
      out.push({ node, stage, stageIndex, role, childIndex });
    switch (stage.kind) {
      case 'operator':
        at(stage, 'top');
        break;
      case 'parallel':
        stage.branches.forEach((branch, i) => at(branch, 'branch', i));
        break;
      case 'conditional':
        at(stage.condition, 'condition');
        at(stage.onFail, 'onFail');
        if (stage.onPass) at(stage.onPass, 'onPass');
        break;
      case 'loop':
        stage.body.forEach((node, i) => at(node, 'body', i));
        break;
    }
  });
  return out;
}

/** Finds an operator node (top-level or child) by id. */
export function findOperatorNode(canvas: Canvas, id: string): NodeLocation | undefined {
  return operatorNodes(canvas).find((location) => location.node.id === id);
}

/** Finds a top-level stage by id. */
export function findStage(canvas: Canvas, id: string): { stage: Stage; index: number } | undefined {
  const index = canvas.stages.findIndex((stage) => stage.id === id);
  const stage = canvas.stages[index];
  return stage ? { stage, index } : undefined;
}

/** Inserts a stage at `position` (clamped to [0, length]; undefined = append). */
export function insertStage(canvas: Canvas, stage: Stage, position?: number): Canvas {
  const at = position === undefined ? canvas.stages.length : Math.max(0, Math.min(position, canvas.stages.length));
  return { ...canvas, stages: [...canvas.stages.slice(0, at), stage, ...canvas.stages.slice(at)] };
}

/** Removes a top-level stage; the id counter is untouched so the id is never reused. */
export function removeStage(canvas: Canvas, id: string): Canvas {
  return { ...canvas, stages: canvas.stages.filter((stage) => stage.id !== id) };
}

/** Replaces the operator node with the given id (wherever it sits) by `update(node)`. */
export function updateOperatorNode(canvas: Canvas, id: string, update: (node: OperatorNode) => OperatorNode): Canvas {
  const map = (node: OperatorNode): OperatorNode => (node.id === id ? update(node) : node);
  const stages = canvas.stages.map((stage): Stage => {
    switch (stage.kind) {
      case 'operator':
        return map(stage);
      case 'parallel':
        return { ...stage, branches: stage.branches.map(map) };
      case 'conditional':
        return { ...stage, condition: map(stage.condition), onFail: map(stage.onFail), onPass: stage.onPass ? map(stage.onPass) : null };
      case 'loop':
        return { ...stage, body: stage.body.map(map) };
    }
  });
  return { ...canvas, stages };
}

/** Number of operator nodes, children included and loop bodies counted once (spec §1.5). */
export function countOperators(canvas: Canvas): number {
  return operatorNodes(canvas).length;
}

/** Whether any parallel, conditional or loop stage exists (read from the graph, spec §9.4). */
export function hasControlStructure(canvas: Canvas): boolean {
  return canvas.stages.some((stage) => stage.kind !== 'operator');
}

/** Distinct operator names in the canvas. */
export function operatorNameSet(canvas: Canvas): Set<string> {
  return new Set(operatorNodes(canvas).map((location) => location.node.operator));
}
