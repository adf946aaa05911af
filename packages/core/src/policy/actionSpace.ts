/**
 * The factored action space of the Flow-Director (spec §1.1 "factored action space"): a decision is an
 * action type plus the argument heads that type needs — operator slots, a structure size, a loop count,
 * a target-node pointer and a prompt template. Heads are sampled in a fixed order and each head's mask
 * depends on the choices before it (the type, the target), so log π(decision) = Σ log π(head | masks) over
 * the heads used, and an invalid action can never be sampled.
 *
 * The model produces unmasked logits for every head at once; this module does the masking, sampling,
 * decoding to an `Action` and encoding of an `Action` back to head indices (for demonstrations).
 * @public
 */
import { operatorNodes } from '../canvas/canvas.ts';
import { ACTION_NAMES, type Action, type ActionName } from '../actions/types.ts';
import { FORBIDDEN_IN_PARALLEL } from '../actions/validation.ts';
import { CANVAS_LIMITS } from '../canvas/types.ts';
import type { Observation } from '../env/workflowEnv.ts';
import type { TemplateLibrary } from './templates.ts';
import type { ActOptions } from './types.ts';
import { CoreError } from '../errors.ts';

/** Heads in sampling order. */
export const HEADS = ['type', 'size', 'slot0', 'slot1', 'slot2', 'slot3', 'count', 'target', 'template'] as const;
export type HeadName = (typeof HEADS)[number];
const SLOTS = ['slot0', 'slot1', 'slot2', 'slot3'] as const;

/** Settings of an action space. */
export interface ActionSpaceOptions {
  /** Operator names in a fixed order (the registry's); the slot heads index into it. */
  readonly operators: readonly string[];
  readonly templates: TemplateLibrary;
  /** Pointer slots for the target head. @default 24 */
  readonly maxNodes?: number;
  /** Width of the template head; must cover the library's largest list. @default max(4, library max) */
  readonly templateSlots?: number;
  /** Loop counts the policy may choose. @default [1, 2, 3] */
  readonly loopCounts?: readonly number[];
  /** Operators a conditional may use as its check. @default ['Verify', 'Review', 'Test'] */
  readonly checkers?: readonly string[];
}

/** Head indices of one decision; -1 marks a head the decision did not use. */
export type HeadIndices = Readonly<Record<HeadName, number>>;

/** A sampled (or encoded) decision with everything training needs to recompute its log-probability. */
export interface Decision {
  readonly action: Action;
  readonly indices: HeadIndices;
  /** Mask of every used head (null for unused heads). */
  readonly masks: Readonly<Record<HeadName, Uint8Array | null>>;
  readonly logProb: number;
  readonly entropy: number;
}

/** Reads unmasked logits of one head for one observation. */
export type HeadLogits = (head: HeadName) => ArrayLike<number>;

const GENERIC_PROMPT = 'Do this step carefully and accurately.';

function maskedLogSoftmax(logits: ArrayLike<number>, mask: Uint8Array): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < mask.length; i += 1) if (mask[i] && (logits[i] as number) > max) max = logits[i] as number;
  let sum = 0;
  for (let i = 0; i < mask.length; i += 1) if (mask[i]) sum += Math.exp((logits[i] as number) - max);
  const logZ = max + Math.log(sum);
  const out = new Float64Array(mask.length).fill(-Infinity);
  for (let i = 0; i < mask.length; i += 1) if (mask[i]) out[i] = (logits[i] as number) - logZ;
  return out;
}

/** The factored action space for one operator set and template library. */
export class ActionSpace {
  readonly operators: readonly string[];
  readonly sizes: Readonly<Record<HeadName, number>>;
  readonly loopCounts: readonly number[];
  readonly templates: TemplateLibrary;
  private readonly checkers: readonly string[];
  private readonly operatorIndex: ReadonlyMap<string, number>;

  constructor(options: ActionSpaceOptions) {
    this.operators = [...options.operators];
    this.operatorIndex = new Map(this.operators.map((name, i) => [name, i]));
    this.templates = options.templates;
    this.loopCounts = options.loopCounts ?? [1, 2, 3];
    this.checkers = (options.checkers ?? ['Verify', 'Review', 'Test']).filter((name) => this.operatorIndex.has(name));
    const slot = this.operators.length + 1; // the extra index means "done" (a conditional without onPass)
    this.sizes = {
      type: ACTION_NAMES.length,
      size: CANVAS_LIMITS.parallelMax,
      slot0: slot,
      slot1: slot,
      slot2: slot,
      slot3: slot,
      count: this.loopCounts.length,
      target: options.maxNodes ?? 24,
      template: Math.max(options.templateSlots ?? 4, this.templates.maxPerOperator(), 1),
    };
  }

  /** Indices with every head unused (-1). */
  unusedIndices(): Record<HeadName, number> {
    return Object.fromEntries(HEADS.map((head) => [head, -1])) as Record<HeadName, number>;
  }

  /** Index of the "done" option in a slot head. */
  get doneIndex(): number {
    return this.operators.length;
  }

  /** Action types the policy may choose now (a subset of `observation.applicable`). */
  typeMask(observation: Observation): Uint8Array {
    const mask = new Uint8Array(this.sizes.type);
    const nodes = operatorNodes(observation.canvas).length;
    ACTION_NAMES.forEach((name, i) => {
      if (!observation.applicable.includes(name)) return;
      if ((name === 'modify' || name === 'set_prompt') && Math.min(nodes, this.sizes.target) === 0) return;
      if (name === 'delete' && Math.min(observation.canvas.stages.length, this.sizes.target) === 0) return;
      mask[i] = 1;
    });
    return mask;
  }

  private operatorMask(allow: (name: string) => boolean, withDone = false): Uint8Array {
    const mask = new Uint8Array(this.sizes.slot0);
    this.operators.forEach((name, i) => {
      if (allow(name)) mask[i] = 1;
    });
    if (withDone) mask[this.doneIndex] = 1;
    return mask;
  }

  private templateMask(operator: string): Uint8Array {
    const mask = new Uint8Array(this.sizes.template);
    const count = Math.min(this.templates.forOperator(operator).length, this.sizes.template);
    if (count === 0) mask[0] = 1; // no templates: the only choice is the generic instruction
    for (let i = 0; i < count; i += 1) mask[i] = 1;
    return mask;
  }

  private rangeMask(size: number, from: number, to: number): Uint8Array {
    const mask = new Uint8Array(size);
    for (let i = from; i < Math.min(to, size); i += 1) mask[i] = 1;
    return mask;
  }

  /** Operator whose prompt a `prompt`/`set_prompt` decision chooses. */
  private promptOperator(observation: Observation, type: ActionName, target: number): string {
    if (type === 'prompt') return observation.awaiting?.operator ?? '';
    return operatorNodes(observation.canvas)[target]?.node.operator ?? '';
  }

  /** Heads a decision of `type` uses, in sampling order, and each head's mask given the choices so far. */
  argumentMask(observation: Observation, type: ActionName, head: HeadName, chosen: Partial<Record<HeadName, number>>): Uint8Array | null {
    const notEnsemble = (name: string) => !FORBIDDEN_IN_PARALLEL.includes(name);
    const size = (chosen.size ?? -1) + 1;
    const slotIndex = SLOTS.indexOf(head as (typeof SLOTS)[number]);
    switch (type) {
      case 'add':
        return head === 'slot0' ? this.operatorMask(() => true) : null;
      case 'add_parallel':
        if (head === 'size') return this.rangeMask(this.sizes.size, CANVAS_LIMITS.parallelMin - 1, CANVAS_LIMITS.parallelMax);
        return slotIndex >= 0 && slotIndex < size ? this.operatorMask(notEnsemble) : null;
      case 'add_conditional':
        if (head === 'slot0') return this.operatorMask((name) => this.checkers.includes(name));
        if (head === 'slot1') return this.operatorMask(notEnsemble);
        if (head === 'slot2') return this.operatorMask(notEnsemble, true);
        return null;
      case 'add_loop':
        if (head === 'size') return this.rangeMask(this.sizes.size, 0, 2);
        if (head === 'count') return this.rangeMask(this.sizes.count, 0, this.sizes.count);
        return slotIndex >= 0 && slotIndex < size ? this.operatorMask(notEnsemble) : null;
      case 'delete':
        return head === 'target' ? this.rangeMask(this.sizes.target, 0, observation.canvas.stages.length) : null;
      case 'modify':
        if (head === 'target') return this.rangeMask(this.sizes.target, 0, operatorNodes(observation.canvas).length);
        return head === 'slot0' ? this.operatorMask(() => true) : null;
      case 'set_prompt':
        if (head === 'target') return this.rangeMask(this.sizes.target, 0, operatorNodes(observation.canvas).length);
        return head === 'template' ? this.templateMask(this.promptOperator(observation, type, chosen.target ?? -1)) : null;
      case 'prompt':
        return head === 'template' ? this.templateMask(this.promptOperator(observation, type, -1)) : null;
      case 'finish':
        return null;
    }
  }

  /** Turns head indices into an Action (the inverse of `encode`). */
  decode(observation: Observation, indices: HeadIndices): Action {
    const type = ACTION_NAMES[indices.type] as ActionName;
    const op = (head: HeadName) => this.operators[indices[head]] as string;
    const slotOps = (n: number) => SLOTS.slice(0, n).map(op);
    const template = (operator: string) => {
      const chosen = this.templates.forOperator(operator)[indices.template];
      return chosen ? { prompt: chosen.text, templateId: chosen.id } : { prompt: GENERIC_PROMPT };
    };
    switch (type) {
      case 'add':
        return { type, operator: op('slot0') };
      case 'add_parallel':
        return { type, operators: slotOps(indices.size + 1) };
      case 'add_conditional':
        return { type, condition: op('slot0'), onFail: op('slot1'), onPass: indices.slot2 === this.doneIndex ? null : op('slot2') };
      case 'add_loop':
        return { type, operators: slotOps(indices.size + 1), count: this.loopCounts[indices.count] as number };
      case 'delete':
        return { type, target: observation.canvas.stages[indices.target]?.id ?? '' };
      case 'modify':
        return { type, target: operatorNodes(observation.canvas)[indices.target]?.node.id ?? '', operator: op('slot0') };
      case 'set_prompt': {
        const node = operatorNodes(observation.canvas)[indices.target]?.node;
        return { type, target: node?.id ?? '', ...template(node?.operator ?? '') };
      }
      case 'prompt':
        return { type, ...template(observation.awaiting?.operator ?? '') };
      case 'finish':
        return { type };
    }
  }

  /**
   * Samples a decision from unmasked logits: type first, then each argument head under its mask.
   * `random` returns uniforms in [0, 1); `greedy` takes the arg-max instead; `temperature` and `topP` reshape
   * the distribution sampled from, while the recorded log-probability and entropy stay the policy's own.
   */
  sample(observation: Observation, logits: HeadLogits, random: () => number, options: ActOptions = {}): Decision {
    const typeMask = this.typeMask(observation);
    const temperature = options.temperature ?? 1;
    const topP = options.topP ?? 1;
    if (!(temperature > 0) || !(topP > 0 && topP <= 1)) {
      throw new CoreError('CONFIG_INVALID', `[core] sampling: expected temperature > 0 and topP in (0, 1], got ${temperature} and ${topP}`);
    }
    const pick = (head: HeadName, mask: Uint8Array) => {
      const logProbs = maskedLogSoftmax(logits(head), mask);
      const index = options.greedy ? argMax(logProbs, mask) : sampleIndex(logProbs, mask, random(), temperature, topP);
      let entropy = 0;
      for (let i = 0; i < logProbs.length; i += 1) if (mask[i]) entropy -= Math.exp(logProbs[i] as number) * (logProbs[i] as number);
      return { index, logProb: logProbs[index] as number, entropy };
    };
    return this.walk(observation, typeMask, pick);
  }

  /** Head indices and masks of a given action (for demonstrations); `ok: false` when the space cannot express it. */
  encode(observation: Observation, action: Action): { ok: true; decision: Decision } | { ok: false; reason: string } {
    const type = ACTION_NAMES.indexOf(action.type);
    const typeMask = this.typeMask(observation);
    if (type < 0 || !typeMask[type]) return { ok: false, reason: `action type ${action.type} is not available now` };
    const wanted = this.targetIndices(observation, action);
    if (!wanted.ok) return wanted;
    let problem: string | undefined;
    const decision = this.walk(observation, typeMask, (head, mask) => {
      const index = wanted.indices[head] ?? -1;
      if (index < 0 || !mask[index]) {
        problem ??= `cannot express ${action.type} head ${head} (index ${index}) under its mask`;
        return { index: Math.max(0, mask.indexOf(1)), logProb: 0, entropy: 0 };
      }
      return { index, logProb: 0, entropy: 0 };
    });
    return problem ? { ok: false, reason: problem } : { ok: true, decision: { ...decision, action } };
  }

  private targetIndices(observation: Observation, action: Action): { ok: true; indices: Partial<Record<HeadName, number>> } | { ok: false; reason: string } {
    const indices: Partial<Record<HeadName, number>> = { type: ACTION_NAMES.indexOf(action.type) };
    const operatorAt = (name: string) => this.operatorIndex.get(name) ?? -1;
    const templateOf = (operator: string, templateId: string | undefined, prompt: string) => {
      const list = this.templates.forOperator(operator);
      const at = list.findIndex((t) => t.id === templateId || t.text === prompt.trim());
      return at >= 0 ? at : list.length === 0 && prompt.trim() === GENERIC_PROMPT ? 0 : -1;
    };
    switch (action.type) {
      case 'add':
        indices.slot0 = operatorAt(action.operator);
        break;
      case 'add_parallel':
      case 'add_loop':
        indices.size = action.operators.length - 1;
        action.operators.forEach((name, i) => (indices[SLOTS[i] ?? 'slot3'] = operatorAt(name)));
        if (action.type === 'add_loop') indices.count = this.loopCounts.indexOf(action.count);
        break;
      case 'add_conditional':
        indices.slot0 = operatorAt(action.condition);
        indices.slot1 = operatorAt(action.onFail);
        indices.slot2 = action.onPass ? operatorAt(action.onPass) : this.doneIndex;
        break;
      case 'delete':
        indices.target = observation.canvas.stages.findIndex((stage) => stage.id === action.target);
        break;
      case 'modify':
      case 'set_prompt': {
        const nodes = operatorNodes(observation.canvas);
        indices.target = nodes.findIndex((location) => location.node.id === action.target);
        if (action.type === 'modify') indices.slot0 = operatorAt(action.operator);
        else indices.template = templateOf(nodes[indices.target]?.node.operator ?? '', action.templateId, action.prompt);
        break;
      }
      case 'prompt':
        indices.template = templateOf(observation.awaiting?.operator ?? '', action.templateId, action.prompt);
        break;
      case 'finish':
        break;
    }
    return { ok: true, indices };
  }

  /** Visits the heads a decision uses in order, asking `choose` for each index under its mask. */
  private walk(
    observation: Observation,
    typeMask: Uint8Array,
    choose: (head: HeadName, mask: Uint8Array) => { index: number; logProb: number; entropy: number },
  ): Decision {
    const indices = this.unusedIndices();
    const masks = Object.fromEntries(HEADS.map((head) => [head, null])) as Record<HeadName, Uint8Array | null>;
    let logProb = 0;
    let entropy = 0;
    const take = (head: HeadName, mask: Uint8Array) => {
      const chosen = choose(head, mask);
      indices[head] = chosen.index;
      masks[head] = mask;
      logProb += chosen.logProb;
      entropy += chosen.entropy;
    };
    take('type', typeMask);
    const type = ACTION_NAMES[indices.type] as ActionName;
    for (const head of HEADS.slice(1)) {
      const mask = this.argumentMask(observation, type, head, indices);
      if (mask) take(head, mask);
    }
    return { action: this.decode(observation, indices), indices, masks, logProb, entropy };
  }
}

function argMax(logProbs: ArrayLike<number>, mask: Uint8Array): number {
  let index = -1;
  for (let i = 0; i < logProbs.length; i += 1) if (mask[i] && (index < 0 || (logProbs[i] as number) > (logProbs[index] as number))) index = i;
  return index;
}

/** Inverse-CDF draw from the masked distribution ∝ p^(1/temperature), cut to its top-p nucleus. */
function sampleIndex(logProbs: ArrayLike<number>, mask: Uint8Array, u: number, temperature: number, topP: number): number {
  if (temperature === 1 && topP === 1) {
    let index = -1;
    for (let i = 0; i < logProbs.length; i += 1) {
      if (!mask[i]) continue;
      index = i;
      u -= Math.exp(logProbs[i] as number);
      if (u < 0) break;
    }
    return index;
  }
  const valid: number[] = [];
  for (let i = 0; i < logProbs.length; i += 1) if (mask[i]) valid.push(i);
  const top = Math.max(...valid.map((i) => logProbs[i] as number));
  const weights = valid.map((i) => Math.exp(((logProbs[i] as number) - top) / temperature));
  const order = valid.map((_, k) => k).sort((a, b) => (weights[b] as number) - (weights[a] as number));
  const total = weights.reduce((a, b) => a + b, 0);
  const kept: number[] = [];
  let mass = 0;
  for (const k of order) {
    kept.push(k);
    mass += (weights[k] as number) / total;
    if (mass >= topP) break;
  }
  let remaining = u * kept.reduce((sum, k) => sum + (weights[k] as number), 0);
  for (const k of kept) {
    remaining -= weights[k] as number;
    if (remaining < 0) return valid[k] as number;
  }
  return valid[kept[kept.length - 1] as number] as number;
}
