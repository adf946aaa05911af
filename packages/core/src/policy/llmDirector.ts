/**
 * The LLM Flow-Director: an inference-only policy that prompts an LLM with the task, the operator library, the canvas
 * and the last feedback, and parses the paper's XML action from its reply (spec §1.2–§1.4). It has the `BatchPolicy`
 * interface of the TF.js policy, so rollouts, evaluation, agent jobs and benchmarks run it unchanged; it drives the
 * released FlowSteer-8B (Qwen3-8B LoRA on vLLM) as well as any chat model behind an `LlmBackend`.
 *
 * Per turn: one call; `<think>` blocks are stripped and the first action is parsed tolerantly (`parseActionText`).
 * A reply with no `<action>` tag gets up to `maxRepairs` repair calls (§1.2: the same messages, the invalid reply,
 * "output exactly one action", thinking off, 128 tokens); so does a prompt turn with no usable prompt (our extension:
 * the reference refuses it outright, which costs a round for a think-only reply). If the
 * repair also fails, the reference parser's lenient fallback (finish phrases, a single operator mention, §1.3) is
 * tried on the replies, and when that fails too the decision is {@link FALLBACK_ACTION}: an empty prompt, which the
 * environment refuses as an ordinary invalid action (round used, reason recorded). The director records why on the
 * decision (`fallbackReason`) and tells the model in the next turn. A reply that has an action tag but a bad action
 * (unknown operator, missing tag) is NOT repaired, as in the reference: it becomes the fallback with the parser's
 * reason. Backend failures are not swallowed: they reject `act` (BACKEND_FAILED), so a dead endpoint never turns
 * into a benchmark of invalid actions.
 *
 * Conversation: the reference code sends a fresh single message per turn (§1.2), the paper's MDP keeps the whole
 * history (§1.1). We keep the last `historyTurns` turns of each episode (compact: round, DSL, feedback and the
 * canonical action, never think text) before the full current turn; `historyTurns: 0` reproduces the reference's
 * single-message turns. Episodes are told apart by task id and round continuity (see `EpisodeTracker`).
 * @public
 */
import { parseActionText, printActionText } from '../actions/actionText.ts';
import type { Action } from '../actions/types.ts';
import type { Observation } from '../env/workflowEnv.ts';
import { CoreError } from '../errors.ts';
import { mapConcurrent } from '../eval/mapConcurrent.ts';
import type { LlmBackend, LlmMessage, LlmRequest, LlmResponse } from '../llm/types.ts';
import { HEADS, type Decision, type HeadName } from './actionSpace.ts';
import { EpisodeTracker, type Conversation } from './llmDirectorEpisodes.ts';
import {
  ACTION_REPAIR_INSTRUCTION,
  buildDirectorSystemPrompt,
  buildHistoryPrompt,
  buildTurnPrompt,
  DEFAULT_DIRECTOR_PROMPT_LIMITS,
  promptRepairInstruction,
  type DirectorOperator,
  type DirectorPromptLimits,
} from './llmDirectorPrompt.ts';
import type { ActOptions, Policy } from './types.ts';

/** Token limits per call kind (spec §5.3: action 512, prompt 256, repair 128). @public */
export interface DirectorMaxTokens {
  readonly action: number;
  readonly prompt: number;
  readonly repair: number;
}

/** Options of {@link createLlmDirector}. @public */
export interface LlmDirectorOptions {
  readonly backend: LlmBackend;
  /** Operator names and descriptions (`directorOperators(registry)`); names are what the parser accepts. */
  readonly operators: readonly DirectorOperator[];
  /** Repair calls per turn when a reply holds no action. @default 1 */
  readonly maxRepairs?: number;
  /** Sampling temperature (the paper evaluates at 0.6); `act(…, { greedy: true })` uses 0. @default 0.6 */
  readonly temperature?: number;
  /** Observations decided at once in one `act` (the backend has its own limit too). @default 8 */
  readonly concurrency?: number;
  /** Past turns kept per episode; 0 = the reference's single-message turns. @default 4 */
  readonly historyTurns?: number;
  readonly maxTokens?: Partial<DirectorMaxTokens>;
  readonly limits?: Partial<DirectorPromptLimits>;
  /**
   * Qwen3 soft switches: `/think` on editing turns, `/no_think` on prompt and repair turns (§1.2). `auto` turns them
   * on when the model name contains `qwen3` or `flowsteer`. @default 'auto'
   */
  readonly thinking?: 'auto' | 'qwen3' | 'none';
  /** Conversations kept at once (least recently used dropped first). @default 1024 */
  readonly maxEpisodes?: number;
  /** Aborts in-flight calls (run stop). */
  readonly signal?: AbortSignal;
  /** @default `llm:<backend model>` */
  readonly name?: string;
}

/** A director decision: the action plus how it was obtained. Log-prob 0 and no head data (not trainable). @public */
export interface LlmDecision extends Decision {
  /** The action as the conversation keeps it (`printActionText`). */
  readonly actionText: string;
  /** Raw replies of this turn: the first, then any repair replies. */
  readonly replies: readonly string[];
  /** The action came from a repair reply. */
  readonly repaired: boolean;
  /** The action came from the lenient no-tag fallback of the parser (§1.3). */
  readonly lenient: boolean;
  /** Why no action could be used; set exactly when the action is {@link FALLBACK_ACTION}. */
  readonly fallbackReason?: string;
  readonly calls: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly costUsd: number;
  readonly latencyMs: number;
}

/** Counters over the director's lifetime. @public */
export interface LlmDirectorStats {
  readonly decisions: number;
  readonly calls: number;
  readonly repairs: number;
  readonly repaired: number;
  readonly lenient: number;
  readonly fallbacks: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly costUsd: number;
}

/** The director: a `Policy` whose decisions are {@link LlmDecision}s. @public */
export interface LlmDirector extends Policy {
  act(observations: readonly Observation[], options?: ActOptions): Promise<LlmDecision[]>;
  stats(): LlmDirectorStats;
  /** Drops every kept conversation. */
  forget(): void;
}

/** What the director returns when no reply held a usable action: an empty prompt, refused by the env as invalid. @public */
export const FALLBACK_ACTION: Action = { type: 'prompt', prompt: '' };

const DEFAULT_MAX_TOKENS: DirectorMaxTokens = { action: 512, prompt: 256, repair: 128 };
const ACTION_TAG = /<action>\s*[a-z_]+\s*<\/action>|\[action\]\s*[a-z_]+\s*\[\/action\]/i;
const NO_HEADS = Object.fromEntries(HEADS.map((head) => [head, -1])) as Record<HeadName, number>;
const NO_MASKS = Object.fromEntries(HEADS.map((head) => [head, null])) as Record<HeadName, Uint8Array | null>;

/**
 * Removes reasoning: closed `<think>` blocks, an orphan `…</think>` prefix (chat templates that open the block in
 * the prompt, so the reply starts inside it) and an unterminated `<think>…` tail (a reply cut off while thinking).
 * @public
 */
export function stripThinking(text: string): string {
  let out = text.replace(/<think>[\s\S]*?<\/think>/gi, ' ');
  const orphan = out.toLowerCase().lastIndexOf('</think>');
  if (orphan >= 0) out = out.slice(orphan + '</think>'.length);
  return out.replace(/<think>[\s\S]*$/i, ' ').trim();
}

type Reading = { readonly kind: 'action'; readonly action: Action } | { readonly kind: 'invalid' | 'none'; readonly reason: string };

/** One reply read strictly: an action, a tagged but bad action (`invalid`), or nothing usable (`none`, repairable). */
function readReply(text: string, awaiting: boolean, operators: readonly string[]): Reading {
  const stripped = stripThinking(text);
  if (stripped === '') return { kind: 'none', reason: text.trim() === '' ? 'the reply was empty' : 'the reply held only a think block' };
  if (awaiting) {
    const parsed = parseActionText(stripped, { operators, awaitingPrompt: true });
    return parsed.ok ? { kind: 'action', action: parsed.action } : { kind: 'none', reason: parsed.reason };
  }
  if (!ACTION_TAG.test(stripped.replace(/```[a-zA-Z]*\n?/g, ''))) {
    return { kind: 'none', reason: 'no <action> tag in the reply' };
  }
  const parsed = parseActionText(stripped, { operators, fallback: false });
  return parsed.ok ? { kind: 'action', action: parsed.action } : { kind: 'invalid', reason: parsed.reason };
}

interface TurnCost {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  latencyMs: number;
}

/**
 * Creates an LLM Flow-Director over `backend`.
 * @example const director = createLlmDirector({ backend, operators: directorOperators(registry) });
 *          await runRollouts({ policy: director, tasks, makeEnv });
 * @public
 */
export function createLlmDirector(options: LlmDirectorOptions): LlmDirector {
  const maxRepairs = options.maxRepairs ?? 1;
  const historyTurns = options.historyTurns ?? 4;
  const concurrency = options.concurrency ?? 8;
  const temperature = options.temperature ?? 0.6;
  if (!Number.isInteger(maxRepairs) || maxRepairs < 0) throw new CoreError('CONFIG_INVALID', `[core] llm director: expected maxRepairs an integer ≥ 0, got ${maxRepairs}`);
  if (!Number.isInteger(historyTurns) || historyTurns < 0) throw new CoreError('CONFIG_INVALID', `[core] llm director: expected historyTurns an integer ≥ 0, got ${historyTurns}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new CoreError('CONFIG_INVALID', `[core] llm director: expected concurrency an integer ≥ 1, got ${concurrency}`);
  if (!(temperature >= 0 && temperature <= 2)) throw new CoreError('CONFIG_INVALID', `[core] llm director: expected temperature in [0, 2], got ${temperature}`);
  if (options.operators.length === 0) throw new CoreError('CONFIG_INVALID', '[core] llm director: expected at least one operator, got none');

  const { backend } = options;
  const operators = options.operators;
  const names = operators.map((op) => op.name);
  const maxTokens: DirectorMaxTokens = { ...DEFAULT_MAX_TOKENS, ...options.maxTokens };
  const limits: DirectorPromptLimits = { ...DEFAULT_DIRECTOR_PROMPT_LIMITS, ...options.limits };
  const qwen = options.thinking === 'qwen3' || ((options.thinking ?? 'auto') === 'auto' && /qwen3|flowsteer/i.test(backend.model));
  const system = buildDirectorSystemPrompt(operators);
  const episodes = new EpisodeTracker(options.maxEpisodes ?? 1024);
  const totals = { decisions: 0, calls: 0, repairs: 0, repaired: 0, lenient: 0, fallbacks: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };

  const withSwitch = (content: string, think: boolean) => (qwen ? `${content}\n${think ? '/think' : '/no_think'}` : content);

  async function call(observation: Observation, messages: LlmMessage[], purpose: string, attempt: number, tokens: number, t: number, cost: TurnCost): Promise<LlmResponse> {
    const request: LlmRequest = {
      messages,
      temperature: t,
      maxTokens: tokens,
      ...(options.signal ? { signal: options.signal } : {}),
      metadata: { taskId: observation.task.id, operator: 'FlowDirector', nodeId: 'director', purpose, attempt },
    };
    let response: LlmResponse;
    try {
      response = await backend.complete(request);
    } catch (error) {
      if (error instanceof CoreError) throw error;
      throw new CoreError('BACKEND_FAILED', `[core] llm director: the ${backend.name} backend (${backend.model}) failed on a ${purpose} call: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    cost.calls += 1;
    cost.promptTokens += response.usage.promptTokens;
    cost.completionTokens += response.usage.completionTokens;
    cost.costUsd += response.costUsd;
    cost.latencyMs += response.latencyMs;
    return response;
  }

  async function decide(observation: Observation, conversation: Conversation, greedy: boolean): Promise<LlmDecision> {
    const awaiting = observation.awaiting !== null;
    const t = greedy ? 0 : temperature;
    const turn = buildTurnPrompt(observation, operators, limits, conversation.note);
    const messages: LlmMessage[] = [
      { role: 'system', content: system },
      ...conversation.turns.flatMap((past): LlmMessage[] => [
        { role: 'user', content: past.prompt },
        { role: 'assistant', content: past.reply },
      ]),
      { role: 'user', content: withSwitch(turn, !awaiting) },
    ];
    const cost: TurnCost = { calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, latencyMs: 0 };
    const replies: string[] = [];
    const first = await call(observation, messages, awaiting ? 'director-prompt' : 'director-action', 0, awaiting ? maxTokens.prompt : maxTokens.action, t, cost);
    replies.push(first.text);
    let reading = readReply(first.text, awaiting, names);
    let repaired = false;
    for (let attempt = 1; reading.kind === 'none' && attempt <= maxRepairs; attempt += 1) {
      totals.repairs += 1;
      const previous = stripThinking(replies.at(-1) ?? '').slice(0, 1500);
      const instruction = awaiting ? promptRepairInstruction(observation.awaiting?.operator ?? 'the operator') : ACTION_REPAIR_INSTRUCTION;
      const repairMessages: LlmMessage[] = [
        ...messages,
        ...(previous === '' ? [] : [{ role: 'assistant', content: previous } as const]),
        { role: 'user', content: withSwitch(previous === '' ? `Your reply held only reasoning. ${instruction}` : instruction, false) },
      ];
      const repair = await call(observation, repairMessages, 'director-repair', attempt, maxTokens.repair, t, cost);
      replies.push(repair.text);
      reading = readReply(repair.text, awaiting, names);
      repaired = reading.kind === 'action';
    }
    let action: Action = FALLBACK_ACTION;
    let lenient = false;
    let fallbackReason: string | undefined;
    if (reading.kind === 'action') {
      action = reading.action;
    } else if (reading.kind === 'none' && !awaiting) {
      // The reference env parses an action-less reply leniently (finish phrases, one operator named).
      const loose = replies.map((reply) => parseActionText(stripThinking(reply), { operators: names })).find((parsed) => parsed.ok);
      if (loose?.ok) {
        action = loose.action;
        lenient = true;
      } else {
        fallbackReason = `${reading.reason}${replies.length > 1 ? ` (also after ${replies.length - 1} repair call${replies.length > 2 ? 's' : ''})` : ''}`;
      }
    } else {
      fallbackReason = reading.reason;
    }
    const actionText = printActionText(action);
    conversation.remember(
      { prompt: buildHistoryPrompt(observation, limits), reply: fallbackReason ? stripThinking(replies[0] ?? '').slice(0, 300) || '(no action)' : actionText },
      historyTurns,
    );
    // The env only sees FALLBACK_ACTION, so its feedback cannot say what was wrong with the reply: the director does.
    conversation.note = fallbackReason
      ? `Your previous reply was not usable (${fallbackReason}); it counted as an invalid action and used a round (the feedback shows it as an empty reply).`
      : undefined;
    totals.decisions += 1;
    totals.calls += cost.calls;
    totals.promptTokens += cost.promptTokens;
    totals.completionTokens += cost.completionTokens;
    totals.costUsd += cost.costUsd;
    if (repaired) totals.repaired += 1;
    if (lenient) totals.lenient += 1;
    if (fallbackReason) totals.fallbacks += 1;
    return {
      action,
      indices: NO_HEADS,
      masks: NO_MASKS,
      logProb: 0,
      entropy: 0,
      actionText,
      replies,
      repaired,
      lenient,
      ...(fallbackReason === undefined ? {} : { fallbackReason }),
      ...cost,
    };
  }

  return {
    name: options.name ?? `llm:${backend.model}`,
    async act(observations, actOptions = {}) {
      const conversations = episodes.assign(observations);
      const decisions = await mapConcurrent(observations, concurrency, (observation, i) => decide(observation, conversations[i] as Conversation, actOptions.greedy === true));
      episodes.settle(observations, conversations);
      return decisions;
    },
    stats: () => ({ ...totals }),
    forget: () => episodes.clear(),
  };
}
