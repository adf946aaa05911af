/**
 * Core's episode data → database rows and stream events: one place decides what a stored step and a stored
 * result look like, so training episodes (written whole per iteration), agent episodes (streamed step by
 * step) and evaluation episodes read the same.
 * @public
 */
import type { EpisodeOutcome, Trajectory, TrajectoryOutcome, TrajectoryStep } from '@flowsteer/core';
import type { EpisodeResult, StepWrite } from '../db/repositories/index.ts';
import { episodeResultEvent, episodeStepEvent, type EpisodeResultEvent, type EpisodeStepEvent } from '../events/streamEvents.ts';

/**
 * A stored step. The environment's reward is 0 until the last step, which carries the trajectory reward R:
 * intermediate steps store null ("not known yet"), not a misleading 0.
 * @public
 */
export function stepWrite(step: TrajectoryStep): StepWrite {
  return {
    step: step.step,
    action: step.action,
    actionText: step.actionText,
    valid: step.valid,
    feedback: step.feedback,
    signals: { ...step.signals, ...(step.reason === undefined ? {} : { reason: step.reason }) },
    canvas: step.canvas,
    dsl: step.dsl,
    reward: step.done ? step.reward : null,
  };
}

/** The live event of a stored step (seq = step). @public */
export function stepEvent(episodeId: string, step: StepWrite): EpisodeStepEvent {
  return episodeStepEvent(episodeId, step);
}

/** Result columns of a finished rollout episode. `scored: false` (a typed question without gold) stores no score. @public */
export function trajectoryResult(outcome: TrajectoryOutcome, finalCanvas: unknown, scored = true): EpisodeResult {
  return {
    status: 'finished',
    finalDsl: outcome.dsl,
    finalCanvas: finalCanvas ?? null,
    answer: outcome.answer,
    answerScore: scored ? outcome.answerScore : null,
    reward: scored ? outcome.reward : null,
    rewardComponents: {
      diversity: outcome.diversity,
      measuredDiversity: outcome.measuredDiversity,
      feasible: outcome.feasible,
      released: outcome.released,
      ...(scored ? { answerScore: outcome.answerScore, correct: outcome.correct } : {}),
      executionOk: outcome.executionOk,
      nodeErrors: outcome.nodeErrors,
    },
    tokens: outcome.tokens,
    costUsd: outcome.costUsd,
    rounds: outcome.rounds,
  };
}

/** Result columns of an environment outcome (agent episodes, which step the environment themselves). @public */
export function outcomeResult(outcome: EpisodeOutcome, scored: boolean): EpisodeResult {
  const execution = outcome.execution;
  return {
    status: 'finished',
    finalDsl: outcome.dsl,
    finalCanvas: outcome.canvas,
    answer: execution?.answer ?? '',
    answerScore: scored ? outcome.taskScore.score : null,
    reward: scored ? outcome.reward.total : null,
    rewardComponents: scored
      ? { ...numericOnly(outcome.reward.components), ...numericOnly(outcome.reward), answerScore: outcome.taskScore.score, correct: outcome.taskScore.correct }
      : { ...numericOnly(outcome.reward.components), diversity: outcome.reward.diversity },
    tokens: execution?.tokens.total ?? 0,
    costUsd: execution?.costUsd ?? 0,
    rounds: outcome.rounds,
  };
}

/** The final event of an episode (seq = last step + 1). @public */
export function resultEvent(episodeId: string, lastStep: number, result: EpisodeResult): EpisodeResultEvent {
  return episodeResultEvent(episodeId, lastStep + 1, result.status === 'failed' || (result.status === undefined && result.error) ? 'failed' : 'finished', result);
}

/** The finished canvas of a recorded trajectory (its last step's canvas). @public */
export function finalCanvasOf(trajectory: Trajectory): unknown {
  return trajectory.steps?.[trajectory.steps.length - 1]?.canvas ?? null;
}

/** Metric values jsonb can hold: NaN (an empty summary) and ±Infinity are left out rather than turned into null. @public */
export function finiteMetrics(record: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).filter(([key, value]) => key !== 'iteration' && Number.isFinite(value)));
}

function numericOnly(value: object): Record<string, number | boolean> {
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, number | boolean] => typeof entry[1] === 'number' || typeof entry[1] === 'boolean'));
}
