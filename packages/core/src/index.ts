/**
 * `@flowsteer/core`: the canvas, actions, executor, environment, rewards, tasks and code sandbox.
 * Everything not exported here is internal.
 * @example
 * ```ts
 * import { parseDsl, printDsl } from '@flowsteer/core';
 * const canvas = parseDsl('Plan -> [Programmer, AnswerGenerate] -> ScEnsemble -> Verify ? Revise : done -> Format');
 * printDsl(canvas); // the same text
 * ```
 * @packageDocumentation
 */
export { CoreError, isCoreError, toCoreError, type CoreErrorCode } from './errors.ts';

export * from './canvas/types.ts';
export {
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
  type NodeLocation,
} from './canvas/canvas.ts';
export { parseDsl, printDsl, printStage, suggestOperator, tryParseDsl, type ParseDslOptions } from './canvas/dsl.ts';
export { canvasSchema, parseCanvasJson, validateCanvas } from './canvas/schema.ts';

export * from './tasks/types.ts';
export * from './llm/types.ts';
export * from './operators/types.ts';
export * from './sandbox/types.ts';

export { executeWorkflow } from './executor/executeWorkflow.ts';
export { ExecutionCache, type CachedNodeResult } from './executor/executionCache.ts';
export { flattenOutputs } from './executor/flatten.ts';
export type { ExecuteOptions, ExecutionResult, NodeTrace, TokenCount } from './executor/types.ts';
