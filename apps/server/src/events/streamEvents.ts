/**
 * Payloads of the per-stream topics (`episode:<id>`, `run:<id>`). Producers (the jobs layer) publish exactly these
 * shapes; the GraphQL subscriptions turn both these live payloads and rows read back from the database into the
 * same events, so a late subscriber cannot tell replayed events from live ones.
 *
 * Payloads carry everything a subscriber renders, so fanning one event out to thousands of sockets never touches
 * the database.
 * @public
 */
import type { EpisodeStatus, RunStatus } from '../db/schema.ts';

/** One environment step of an episode. `seq` = `step` (1-based). @public */
export interface EpisodeStepEvent {
  readonly kind: 'step';
  readonly seq: number;
  readonly episodeId: string;
  readonly step: number;
  /** The action in the core's action-text form (`add Plan after start`). */
  readonly actionText: string;
  /** The action as data (core's `Action`). */
  readonly action: unknown;
  readonly valid: boolean;
  readonly feedback: string;
  /** The canvas after the step (core's `Canvas` JSON) and its DSL. */
  readonly canvas: unknown;
  readonly dsl: string;
  /** Step reward, or null while unknown (e.g. before the episode is scored). */
  readonly reward: number | null;
}

/** The final event of an episode. `seq` = last step + 1, so it sorts after every step. @public */
export interface EpisodeResultEvent {
  readonly kind: 'result';
  readonly seq: number;
  readonly episodeId: string;
  readonly status: Exclude<EpisodeStatus, 'running'>;
  readonly finalDsl: string | null;
  readonly answer: string | null;
  readonly answerScore: number | null;
  readonly reward: number | null;
  readonly rewardComponents: Readonly<Record<string, number | boolean>> | null;
  readonly tokens: number | null;
  readonly costUsd: number | null;
  readonly error: string | null;
}

/** Everything published on `episode:<id>`. @public */
export type EpisodeEvent = EpisodeStepEvent | EpisodeResultEvent;

/** What a step event is made from: a stored step row, or a step about to be written. @public */
export type EpisodeStepFields = Pick<EpisodeStepEvent, 'step' | 'actionText' | 'action' | 'valid' | 'feedback' | 'canvas' | 'dsl'> & {
  readonly reward?: number | null | undefined;
};

/** The step event, whether replayed from the database or published live: one constructor keeps them identical. @public */
export function episodeStepEvent(episodeId: string, step: EpisodeStepFields): EpisodeStepEvent {
  return {
    kind: 'step',
    seq: step.step,
    episodeId,
    step: step.step,
    actionText: step.actionText,
    action: step.action,
    valid: step.valid,
    feedback: step.feedback,
    canvas: step.canvas,
    dsl: step.dsl,
    reward: step.reward ?? null,
  };
}

/** What a result event is made from: an ended episode row, or the result about to be written. @public */
export type EpisodeResultFields = {
  readonly [K in Exclude<keyof EpisodeResultEvent, 'kind' | 'seq' | 'episodeId' | 'status'>]?: EpisodeResultEvent[K] | undefined;
};

/** The final event of an episode (`seq` = last step + 1). @public */
export function episodeResultEvent(episodeId: string, seq: number, status: EpisodeResultEvent['status'], result: EpisodeResultFields): EpisodeResultEvent {
  return {
    kind: 'result',
    seq,
    episodeId,
    status,
    finalDsl: result.finalDsl ?? null,
    answer: result.answer ?? null,
    answerScore: result.answerScore ?? null,
    reward: result.reward ?? null,
    rewardComponents: result.rewardComponents ?? null,
    tokens: result.tokens ?? null,
    costUsd: result.costUsd ?? null,
    error: result.error ?? null,
  };
}

/**
 * A committed training iteration. `seq` = `iteration` (1-based). Published after the iteration's transaction
 * commits, so a subscriber that reads the database on receipt finds the metrics and the episodes.
 * @public
 */
export interface RunIterationEvent {
  readonly kind: 'iteration';
  readonly seq: number;
  readonly runId: string;
  readonly iteration: number;
  readonly metrics: Readonly<Record<string, number>>;
  /** Ids of the episodes the iteration committed (finished training episodes). */
  readonly episodeIds: readonly string[];
}

/**
 * A run status change (`running`, `paused`, `stopped`, `finished`, `failed`). It carries no `seq`: status is not
 * ordered against iterations (a pause can happen at any iteration), so replay passes it through unsequenced;
 * `stopped`, `finished` and `failed` end the stream.
 * @public
 */
export interface RunStatusEvent {
  readonly kind: 'status';
  /** Always absent: status events are unsequenced. */
  readonly seq?: undefined;
  readonly runId: string;
  readonly status: RunStatus;
  /** Iterations committed when the status changed. */
  readonly iteration: number;
  readonly error: string | null;
}

/** Everything published on `run:<id>`. @public */
export type RunProgressEvent = RunIterationEvent | RunStatusEvent;
