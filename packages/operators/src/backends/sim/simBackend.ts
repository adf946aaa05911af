/**
 * The simulated executor (DESIGN.md §4): an `LlmBackend` that answers every operator call in that
 * operator's format, right or wrong with probabilities from a calibrated model of task difficulty,
 * model skill, operator, prompt fit and upstream context. Deterministic: a reply is a pure function of
 * (seed, profile, task, node, operator, purpose, attempt, request context). It reads gold data through
 * the injected `oracle` — the only place besides the scorers allowed to — and never puts it in a request.
 * Every response is marked `simulated: true` and its model name starts with `sim-`.
 * @public
 */
import { CoreError } from '@flowsteer/core';
import type { LlmBackend, LlmRequest, LlmResponse, Task } from '@flowsteer/core';
import { DEFAULT_SIM_PROFILE, SIM_PROFILES, type SimProfile } from './profiles.ts';
import { promptFit } from './promptFit.ts';
import { respond } from './responders/index.ts';
import { combine, hashString, Rng } from './rng.ts';
import type { SimCall } from './simCall.ts';
import { taskModel } from './taskModel.ts';
import { costOf, latencyOf, usageOf } from './usage.ts';

/** Options of `createSimBackend`. */
export interface SimBackendOptions {
  /** Profile name (see `SIM_PROFILES`) or a custom profile. @default 'sim-4o-mini' */
  readonly profile?: string | SimProfile;
  /** Seed of every draw. @default 0 */
  readonly seed?: number;
  /** Looks a task (with its gold data) up by id. */
  readonly oracle: (taskId: string) => Task | undefined;
  /**
   * Actually wait for the simulated latency (`true`), or for that latency times a factor (e.g. `0.01`),
   * to mimic a real endpoint in demos and concurrency tests. @default false (report latency, never sleep)
   */
  readonly realtime?: boolean | number;
}

/** The sim backend with its resolved profile and seed. */
export interface SimBackend extends LlmBackend {
  readonly profile: SimProfile;
  readonly seed: number;
}

function resolveProfile(profile: string | SimProfile | undefined): SimProfile {
  if (profile === undefined) return SIM_PROFILES[DEFAULT_SIM_PROFILE] as SimProfile;
  if (typeof profile !== 'string') {
    if (!profile.name.startsWith('sim-')) throw new CoreError('CONFIG_INVALID', `[operators] expected a sim profile name starting with "sim-", got "${profile.name}"`);
    return profile;
  }
  const found = SIM_PROFILES[profile];
  if (!found) throw new CoreError('CONFIG_INVALID', `[operators] expected a sim profile in ${Object.keys(SIM_PROFILES).join(', ')}, got "${profile}"`);
  return found;
}

function requestHash(request: LlmRequest): number {
  const context = request.metadata?.context;
  if (context !== undefined) return hashString(JSON.stringify(context));
  let h = 0;
  for (const message of request.messages) h = combine(h, hashString(message.content));
  return h;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new CoreError('ABORTED', '[operators] sim request aborted'));
    }, { once: true });
  });
}

/**
 * Creates the simulated executor.
 * @example
 * ```ts
 * const backend = createSimBackend({ seed: 1, oracle: (id) => tasksById.get(id) });
 * const result = await executeWorkflow(parseDsl('AnswerGenerate -> Format'), toTaskView(task), { backend, registry, sandbox });
 * ```
 */
export function createSimBackend(options: SimBackendOptions): SimBackend {
  const profile = resolveProfile(options.profile);
  const seed = (options.seed ?? 0) >>> 0;
  const profileHash = hashString(profile.name, seed);
  const sleepFactor = options.realtime === true ? 1 : typeof options.realtime === 'number' ? Math.max(0, options.realtime) : 0;
  return {
    name: 'sim',
    model: profile.name,
    simulated: true,
    profile,
    seed,
    async complete(request: LlmRequest): Promise<LlmResponse> {
      if (request.signal?.aborted) throw new CoreError('ABORTED', '[operators] sim request aborted');
      const meta = request.metadata;
      if (!meta) throw new CoreError('BACKEND_FAILED', '[operators] the sim backend needs request metadata (taskId, operator, purpose); got none');
      const task = options.oracle(meta.taskId);
      if (!task) throw new CoreError('TASK_NOT_FOUND', `[operators] the sim oracle knows no task "${meta.taskId}"`);
      let key = combine(profileHash, hashString(meta.taskId));
      key = combine(key, hashString(`${meta.nodeId}\u0000${meta.operator}\u0000${meta.purpose}\u0000${meta.attempt ?? 0}`));
      key = combine(key, requestHash(request));
      const instruction = typeof meta.context?.instruction === 'string' ? meta.context.instruction : '';
      const call: SimCall = {
        model: taskModel(task),
        profile,
        operator: meta.operator,
        purpose: meta.purpose,
        attempt: meta.attempt ?? 0,
        context: meta.context ?? {},
        instruction,
        fit: promptFit(meta.operator, instruction),
        rng: new Rng(key),
      };
      const text = respond(call);
      const usage = usageOf(request.messages, text);
      const latencyMs = latencyOf(profile, usage, call.rng);
      if (sleepFactor > 0) await sleep(latencyMs * sleepFactor, request.signal);
      return { text, usage, latencyMs, costUsd: costOf(profile, usage), model: profile.name, simulated: true };
    },
  };
}
