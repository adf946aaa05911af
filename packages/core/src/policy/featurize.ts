/**
 * Observation → fixed-size numeric features for the TF.js Flow-Director. Features are plain typed arrays so a
 * trajectory can store them per decision and the trainer can re-score decisions later without the environment;
 * `stackFeatures` turns a list of them into one batch of tensors.
 *
 * - Task text: lowercased word pieces (letter runs cut into ≤ 8-char pieces, digits one by one, every other
 *   non-space character alone), FNV-1a hash mod (vocab − 1) + 1, first `maxTokens` of them; 0 = padding. Only
 *   the problem text is read: a `TaskView` carries no gold data, so none can leak here.
 * - Canvas: N = `space.sizes.target` node slots, one per operator node in execution order (`operatorNodes`,
 *   the order the target head points into for modify/set_prompt); slots past the canvas are all 0. Categorical
 *   fields are index + 1 so that 0 always means "empty slot" and gets its own embedding row.
 * - The delete action points at top-level stages, not nodes, so `stageFirstNode` lets the pointer head read
 *   stage i through the slot of its first node.
 * Field-by-field meaning is on `PolicyFeatures` and `GLOBAL_FEATURES`.
 * @public
 */
import { countOperators, hasControlStructure, operatorNodes, type NodeLocation } from '../canvas/canvas.ts';
import type { Observation } from '../env/workflowEnv.ts';
import { DEFAULT_DIVERSITY_REWARD_CONFIG } from '../rewards/diversityReward.ts';
import { CoreError } from '../errors.ts';
import type { ActionSpace } from './actionSpace.ts';
import type { TemplateLibrary } from './templates.ts';
import { tf } from './tf/tf.ts';

/** Task kinds in one-hot order. */
export const TASK_KINDS = ['math', 'qa', 'code'] as const;
/** Stage kinds in embedding order (index + 1; 0 = empty slot). */
export const STAGE_KINDS = ['operator', 'parallel', 'conditional', 'loop'] as const;
/** Node roles in embedding order (index + 1; 0 = empty slot). */
export const NODE_ROLES = ['top', 'branch', 'condition', 'onFail', 'onPass', 'body'] as const;
/** Embedding rows of `nodePosition` (0 = empty, then stage 0 … POSITIONS − 2). */
export const POSITIONS = 17;
/** Embedding rows of `nodeChild`. */
export const CHILD_SLOTS = 4;
/** Per-node float flags (`nodeFlags` stride). */
export const NODE_FLAGS = 2;

/**
 * Names of the `globals` entries, in order. Three-state signals (true / false / not yet known) are one-hot
 * over {true, false}; both 0 means unknown.
 */
export const GLOBAL_FEATURES = [
  'kind.math',
  'kind.qa',
  'kind.code',
  'multipleChoice',
  'hasPublicTests',
  'executionOk.true',
  'executionOk.false',
  'nodeErrors>0',
  'checkerPassed.true',
  'checkerPassed.false',
  'testPassed.true',
  'testPassed.false',
  'answerVerbose',
  'answerEmpty',
  'lastActionValid',
  'finishRejected',
  'finishAllowed',
  'awaitingPrompt',
  'executedThisStep',
  'round/maxRounds',
  'operatorCount/5',
  'hasControlStructure',
  'hasChecker',
  'hasFormat',
  'stages/15',
  'nodesOverflow',
] as const;

/** Settings of `featurize`. */
export interface FeaturizeOptions {
  /** Token slots. @default 64 */
  readonly maxTokens?: number;
  /** Hash buckets including the padding id 0. @default 2048 */
  readonly vocab?: number;
  /** Library the template indices refer to. @default the action space's own library */
  readonly templates?: TemplateLibrary;
}

/** Features of one observation (layout and encodings in the module comment). */
export interface PolicyFeatures {
  /** [T] hashed word-piece ids of the task text, 0 = padding. */
  readonly tokens: Int32Array;
  /** [G] task kind, flags, signals, progress and canvas summary; names in `GLOBAL_FEATURES`. */
  readonly globals: Float32Array;
  /** Operator awaiting its prompt: index + 1, 0 = none, operators.length + 1 = unknown. */
  readonly pendingOperator: number;
  /** [N] operator index + 1 per node slot; 0 = empty slot. */
  readonly nodeOperator: Int32Array;
  /** [N] stage kind + 1 (`STAGE_KINDS`). */
  readonly nodeKind: Int32Array;
  /** [N] role in the stage + 1 (`NODE_ROLES`). */
  readonly nodeRole: Int32Array;
  /** [N] top-level stage index + 1, capped at POSITIONS − 1. */
  readonly nodePosition: Int32Array;
  /** [N] index among siblings, capped at CHILD_SLOTS − 1. */
  readonly nodeChild: Int32Array;
  /** [N] template index in the operator's list + 1; 0 = custom prompt or none. */
  readonly nodeTemplate: Int32Array;
  /** [N × NODE_FLAGS] has a prompt; is the node whose prompt is awaited. */
  readonly nodeFlags: Float32Array;
  /** [N] node slot of top-level stage i's first node; −1 = no stage i. */
  readonly stageFirstNode: Int32Array;
}

/** 32-bit FNV-1a over UTF-16 code units (stable across runs and platforms). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Lowercased word pieces of `text`, at most `limit` of them. */
export function wordPieces(text: string, limit = Infinity): string[] {
  const pieces: string[] = [];
  for (const match of text.toLowerCase().matchAll(/\p{L}+|\p{N}|[^\s\p{L}\p{N}]/gu)) {
    const word = match[0];
    // Long words are cut so rare words still share pieces ("multiplication" → "multipli", "cation").
    for (let at = 0; at < word.length && pieces.length < limit; at += 8) pieces.push(word.slice(at, at + 8));
    if (pieces.length >= limit) break;
  }
  return pieces;
}

/** Hashed token ids of `text` in [1, vocab), padded with 0 to `maxTokens`. */
export function hashTokens(text: string, maxTokens = 64, vocab = 2048): Int32Array {
  const ids = new Int32Array(maxTokens);
  wordPieces(text, maxTokens).forEach((piece, i) => (ids[i] = (fnv1a(piece) % (vocab - 1)) + 1));
  return ids;
}

function threeState(value: boolean | null): [number, number] {
  return value === null ? [0, 0] : value ? [1, 0] : [0, 1];
}

/** The `globals` vector of one observation (order and meaning: `GLOBAL_FEATURES`). */
function globalFeatures(observation: Observation, nodes: readonly NodeLocation[], slots: number): Float32Array {
  const { canvas, signals, task } = observation;
  const names = new Set(nodes.map((location) => location.node.operator));
  const has = (list: readonly string[]) => (list.some((name) => names.has(name)) ? 1 : 0);
  const bit = (value: boolean | undefined) => (value ? 1 : 0);
  const values: Record<(typeof GLOBAL_FEATURES)[number], number> = {
    'kind.math': bit(task.kind === 'math'),
    'kind.qa': bit(task.kind === 'qa'),
    'kind.code': bit(task.kind === 'code'),
    multipleChoice: bit(task.choices !== undefined && Object.keys(task.choices).length > 0),
    hasPublicTests: bit(task.publicTests !== undefined && task.publicTests.trim() !== ''),
    'executionOk.true': threeState(signals.executionOk)[0],
    'executionOk.false': threeState(signals.executionOk)[1],
    'nodeErrors>0': bit(signals.nodeErrors > 0),
    'checkerPassed.true': threeState(signals.checkerPassed)[0],
    'checkerPassed.false': threeState(signals.checkerPassed)[1],
    'testPassed.true': threeState(signals.testPassed)[0],
    'testPassed.false': threeState(signals.testPassed)[1],
    answerVerbose: bit(signals.answerVerbose),
    answerEmpty: bit(signals.answerEmpty),
    lastActionValid: bit(signals.lastActionValid),
    finishRejected: bit(signals.finishRejected),
    finishAllowed: bit(signals.finishAllowed),
    awaitingPrompt: bit(signals.awaitingPrompt),
    executedThisStep: bit(signals.executed),
    'round/maxRounds': observation.maxRounds > 0 ? observation.round / observation.maxRounds : 0,
    'operatorCount/5': countOperators(canvas) / 5,
    hasControlStructure: bit(hasControlStructure(canvas)),
    hasChecker: has(DEFAULT_DIVERSITY_REWARD_CONFIG.checkerOperators),
    hasFormat: has(DEFAULT_DIVERSITY_REWARD_CONFIG.formatOperators),
    'stages/15': canvas.stages.length / 15,
    nodesOverflow: bit(nodes.length > slots),
  };
  return Float32Array.from(GLOBAL_FEATURES, (name) => values[name]);
}

/** Turns one observation into features; deterministic, no randomness. */
export function featurize(observation: Observation, space: ActionSpace, options: FeaturizeOptions = {}): PolicyFeatures {
  // ActionSpace keeps its library private; element access is TypeScript's sanctioned way to read it.
  const templates = options.templates ?? space.templates;
  const slots = space.sizes.target;
  const operatorId = (name: string) => {
    const at = space.operators.indexOf(name);
    return at < 0 ? space.operators.length + 1 : at + 1;
  };
  const nodes = operatorNodes(observation.canvas);
  const features: PolicyFeatures = {
    tokens: hashTokens(observation.task.problem, options.maxTokens ?? 64, options.vocab ?? 2048),
    globals: globalFeatures(observation, nodes, slots),
    pendingOperator: observation.awaiting ? operatorId(observation.awaiting.operator) : 0,
    nodeOperator: new Int32Array(slots),
    nodeKind: new Int32Array(slots),
    nodeRole: new Int32Array(slots),
    nodePosition: new Int32Array(slots),
    nodeChild: new Int32Array(slots),
    nodeTemplate: new Int32Array(slots),
    nodeFlags: new Float32Array(slots * NODE_FLAGS),
    stageFirstNode: new Int32Array(slots).fill(-1),
  };
  nodes.slice(0, slots).forEach((location, i) => {
    const { node, stageIndex } = location;
    features.nodeOperator[i] = operatorId(node.operator);
    features.nodeKind[i] = STAGE_KINDS.indexOf(location.stage.kind) + 1;
    features.nodeRole[i] = NODE_ROLES.indexOf(location.role) + 1;
    features.nodePosition[i] = Math.min(stageIndex + 1, POSITIONS - 1);
    features.nodeChild[i] = Math.min(location.childIndex, CHILD_SLOTS - 1);
    const template = node.templateId === undefined ? -1 : templates.forOperator(node.operator).findIndex((t) => t.id === node.templateId);
    features.nodeTemplate[i] = template < 0 ? 0 : Math.min(template + 1, space.sizes.template);
    features.nodeFlags[i * NODE_FLAGS] = node.prompt.trim() === '' ? 0 : 1;
    features.nodeFlags[i * NODE_FLAGS + 1] = observation.awaiting?.target === node.id ? 1 : 0;
    if (stageIndex < slots && features.stageFirstNode[stageIndex] === -1) features.stageFirstNode[stageIndex] = i;
  });
  return features;
}

/**
 * A batch of features as tensors (B observations). The caller owns every tensor: dispose with `disposeFeatureBatch`.
 * - `tokenBag` [B, vocab]: the mean of the one-hot rows of the non-padding tokens, so `tokenBag · table` is exactly
 *   the mean-pooled token embedding (mean ∘ matMul(oneHot) = matMul(mean ∘ oneHot)) at B × vocab instead of
 *   B × T × vocab memory. All-zero for an empty text.
 * - `globals` [B, G] float; `pendingOperator` [B] int32.
 * - `nodeOperator`, `nodeKind`, `nodeRole`, `nodePosition`, `nodeChild`, `nodeTemplate` [B, N] int32.
 * - `nodeFlags` [B, N, NODE_FLAGS] float; `nodeMask` [B, N] float, 1 for a filled slot.
 * - `stageSelect` [B, N, N] float: row i is the one-hot of `stageFirstNode[i]` (all 0 when there is no stage i),
 *   so `stageSelect · nodeStates` reads stage i's first node by matMul (no gather, see STACK.md §5).
 */
export interface FeatureBatch {
  readonly size: number;
  readonly tokenBag: tf.Tensor2D;
  readonly globals: tf.Tensor2D;
  readonly pendingOperator: tf.Tensor1D;
  readonly nodeOperator: tf.Tensor2D;
  readonly nodeKind: tf.Tensor2D;
  readonly nodeRole: tf.Tensor2D;
  readonly nodePosition: tf.Tensor2D;
  readonly nodeChild: tf.Tensor2D;
  readonly nodeTemplate: tf.Tensor2D;
  readonly nodeFlags: tf.Tensor3D;
  readonly nodeMask: tf.Tensor2D;
  readonly stageSelect: tf.Tensor3D;
}

/** Stacks per-observation features into one batch of tensors (same options for every item required). */
export function stackFeatures(list: readonly PolicyFeatures[], vocab = 2048): FeatureBatch {
  const first = list[0];
  if (!first) throw new CoreError('INTERNAL', 'stackFeatures: expected at least one PolicyFeatures, got an empty list');
  const batch = list.length;
  const slots = first.nodeOperator.length;
  const globals = first.globals.length;
  for (const item of list) {
    if (item.nodeOperator.length !== slots || item.globals.length !== globals) {
      throw new CoreError(
        'INTERNAL',
        `stackFeatures: expected ${slots} node slots and ${globals} globals in every item, got ${item.nodeOperator.length} and ${item.globals.length}`,
      );
    }
  }
  const bag = new Float32Array(batch * vocab);
  const globalValues = new Float32Array(batch * globals);
  const pending = new Int32Array(batch);
  const intKeys = ['nodeOperator', 'nodeKind', 'nodeRole', 'nodePosition', 'nodeChild', 'nodeTemplate'] as const;
  const ints = Object.fromEntries(intKeys.map((key) => [key, new Int32Array(batch * slots)])) as Record<(typeof intKeys)[number], Int32Array>;
  const flags = new Float32Array(batch * slots * NODE_FLAGS);
  const mask = new Float32Array(batch * slots);
  const select = new Float32Array(batch * slots * slots);
  list.forEach((item, b) => {
    let count = 0;
    for (const id of item.tokens) if (id > 0) count += 1;
    for (const id of item.tokens) {
      if (id <= 0) continue;
      if (id >= vocab) throw new CoreError('INTERNAL', `stackFeatures: expected token ids below ${vocab}, got ${id}`);
      (bag[b * vocab + id] as number) += 1 / count;
    }
    globalValues.set(item.globals, b * globals);
    pending[b] = item.pendingOperator;
    for (const key of intKeys) ints[key].set(item[key], b * slots);
    flags.set(item.nodeFlags, b * slots * NODE_FLAGS);
    for (let i = 0; i < slots; i += 1) {
      mask[b * slots + i] = (item.nodeOperator[i] as number) > 0 ? 1 : 0;
      const node = item.stageFirstNode[i] as number;
      if (node >= 0) select[(b * slots + i) * slots + node] = 1;
    }
  });
  const int2d = (values: Int32Array) => tf.tensor2d(values, [batch, slots], 'int32');
  return {
    size: batch,
    tokenBag: tf.tensor2d(bag, [batch, vocab]),
    globals: tf.tensor2d(globalValues, [batch, globals]),
    pendingOperator: tf.tensor1d(pending, 'int32'),
    nodeOperator: int2d(ints.nodeOperator),
    nodeKind: int2d(ints.nodeKind),
    nodeRole: int2d(ints.nodeRole),
    nodePosition: int2d(ints.nodePosition),
    nodeChild: int2d(ints.nodeChild),
    nodeTemplate: int2d(ints.nodeTemplate),
    nodeFlags: tf.tensor3d(flags, [batch, slots, NODE_FLAGS]),
    nodeMask: tf.tensor2d(mask, [batch, slots]),
    stageSelect: tf.tensor3d(select, [batch, slots, slots]),
  };
}

/** Disposes every tensor of a batch. */
export function disposeFeatureBatch(batch: FeatureBatch): void {
  for (const value of Object.values(batch)) if (value instanceof tf.Tensor) value.dispose();
}
