/**
 * Episode domain: episodes with their steps, lists, and the `episodeEvents` stream (each step, then the final
 * result) with replay from a given step. `runAgent` and `evaluate` live in `agent.ts`.
 * @public
 */
import { requireViewer } from '../auth/viewer.ts';
import type { AppDb } from '../db/client.ts';
import {
  getEpisode,
  getEpisodeSteps,
  getRun,
  listEpisodes,
  type Episode,
  type EpisodeStep,
} from '../db/repositories/index.ts';
import type { EpisodeKind, EpisodeStatus } from '../db/schema.ts';
import { episodeTopic } from '../events/pubSub.ts';
import { replayStream } from '../events/replay.ts';
import { episodeResultEvent, episodeStepEvent, type EpisodeEvent, type EpisodeResultEvent, type EpisodeStepEvent } from '../events/streamEvents.ts';
import { AppError } from '../errors.ts';
import { builder } from './builder.ts';
import { EpisodeKindEnum, EpisodeStatusEnum } from './enums.ts';
import { connectionFromPage, pageArgs } from './pagination.ts';
import { EpisodeConnection, EpisodeRef, EpisodeStepRef, RunRef } from './refs.ts';
import { authorizeSubscription } from './subscriptions.ts';

EpisodeRef.implement({
  description: 'One attempt at building a workflow for a task: its steps, final workflow, score and reward.',
  fields: (t) => ({
    id: t.exposeID('id'),
    kind: t.field({ type: EpisodeKindEnum, resolve: (episode) => episode.kind }),
    status: t.field({ type: EpisodeStatusEnum, resolve: (episode) => episode.status }),
    runId: t.exposeID('runId', { nullable: true }),
    run: t.field({ type: RunRef, nullable: true, resolve: async (episode, _args, ctx) => (episode.runId ? ((await getRun(ctx.db, episode.runId)) ?? null) : null) }),
    iteration: t.exposeInt('iteration', { nullable: true }),
    indexInIteration: t.exposeInt('indexInIteration', { nullable: true }),
    checkpointId: t.exposeID('checkpointId', { nullable: true }),
    policy: t.exposeString('policy'),
    taskId: t.exposeString('taskId'),
    dataset: t.exposeString('dataset'),
    question: t.exposeString('question', { description: 'The task text shown to the agent (never gold data).' }),
    backend: t.exposeString('backend'),
    simulated: t.boolean({
      description: 'True when the episode ran on the simulated executor (sim backend), not an LLM.',
      resolve: (episode, _args, ctx) => ctx.catalog.isSimulated(episode.backend),
    }),
    finalDsl: t.exposeString('finalDsl', { nullable: true }),
    finalCanvas: t.field({ type: 'JSON', nullable: true, resolve: (episode) => episode.finalCanvas ?? null }),
    answer: t.exposeString('answer', { nullable: true }),
    answerScore: t.exposeFloat('answerScore', { nullable: true }),
    reward: t.exposeFloat('reward', { nullable: true }),
    rewardComponents: t.field({ type: 'JSON', nullable: true, resolve: (episode) => episode.rewardComponents ?? null }),
    tokens: t.exposeInt('tokens', { nullable: true }),
    costUsd: t.exposeFloat('costUsd', { nullable: true }),
    rounds: t.exposeInt('rounds', { nullable: true }),
    error: t.exposeString('error', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
    steps: t.field({
      type: [EpisodeStepRef],
      description: 'Steps in order; only those after `sinceStep` when given.',
      args: { sinceStep: t.arg.int() },
      extensions: { listSize: 50 },
      resolve: (episode, args, ctx) => getEpisodeSteps(ctx.db, episode.id, { sinceStep: args.sinceStep ?? null }),
    }),
  }),
});

EpisodeStepRef.implement({
  description: 'One environment step: the action, its feedback and the canvas after it.',
  fields: (t) => ({
    step: t.exposeInt('step'),
    action: t.field({ type: 'JSON', resolve: (step) => step.action }),
    actionText: t.exposeString('actionText'),
    valid: t.exposeBoolean('valid'),
    feedback: t.exposeString('feedback'),
    signals: t.field({ type: 'JSON', nullable: true, resolve: (step) => step.signals ?? null }),
    canvas: t.field({ type: 'JSON', resolve: (step) => step.canvas }),
    dsl: t.exposeString('dsl'),
    reward: t.exposeFloat('reward', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const EpisodeStepEventRef = builder.objectRef<EpisodeStepEvent>('EpisodeStepEvent').implement({
  description: 'A step of a live or replayed episode (seq = step).',
  fields: (t) => ({
    seq: t.exposeInt('seq'),
    episodeId: t.exposeID('episodeId'),
    step: t.exposeInt('step'),
    actionText: t.exposeString('actionText'),
    action: t.field({ type: 'JSON', resolve: (event) => event.action }),
    valid: t.exposeBoolean('valid'),
    feedback: t.exposeString('feedback'),
    canvas: t.field({ type: 'JSON', resolve: (event) => event.canvas }),
    dsl: t.exposeString('dsl'),
    reward: t.exposeFloat('reward', { nullable: true }),
  }),
});

const EpisodeResultEventRef = builder.objectRef<EpisodeResultEvent>('EpisodeResultEvent').implement({
  description: 'The final event of an episode (seq = last step + 1); the stream completes after it.',
  fields: (t) => ({
    seq: t.exposeInt('seq'),
    episodeId: t.exposeID('episodeId'),
    status: t.field({ type: EpisodeStatusEnum, resolve: (event) => event.status }),
    finalDsl: t.exposeString('finalDsl', { nullable: true }),
    answer: t.exposeString('answer', { nullable: true }),
    answerScore: t.exposeFloat('answerScore', { nullable: true }),
    reward: t.exposeFloat('reward', { nullable: true }),
    rewardComponents: t.field({ type: 'JSON', nullable: true, resolve: (event) => event.rewardComponents ?? null }),
    tokens: t.exposeInt('tokens', { nullable: true }),
    costUsd: t.exposeFloat('costUsd', { nullable: true }),
    error: t.exposeString('error', { nullable: true }),
  }),
});

const EpisodeEventRef = builder.unionType('EpisodeEvent', {
  types: [EpisodeStepEventRef, EpisodeResultEventRef],
  resolveType: (event) => (event.kind === 'step' ? 'EpisodeStepEvent' : 'EpisodeResultEvent'),
});

builder.queryFields((t) => ({
  episode: t.field({
    type: EpisodeRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireViewer(ctx);
      return (await getEpisode(ctx.db, args.id)) ?? null;
    },
  }),
  episodes: t.field({
    type: EpisodeConnection,
    description: 'Episodes, newest first; filters combine with AND.',
    args: {
      runId: t.arg.id(),
      kind: t.arg({ type: EpisodeKindEnum }),
      dataset: t.arg.string(),
      status: t.arg({ type: EpisodeStatusEnum }),
      first: t.arg.int(),
      after: t.arg.string(),
    },
    resolve: async (_root, args, ctx) => {
      requireViewer(ctx);
      const page = await listEpisodes(ctx.db, {
        ...pageArgs(args),
        runId: args.runId ?? null,
        kind: (args.kind ?? null) as EpisodeKind | null,
        dataset: args.dataset ?? null,
        status: (args.status ?? null) as EpisodeStatus | null,
      });
      return connectionFromPage(page);
    },
  }),
}));

builder.subscriptionField('episodeEvents', (t) =>
  t.field({
    type: EpisodeEventRef,
    description: 'Each step as it happens, then the result. `sinceStep`: the last step you have (replay after it).',
    args: { episodeId: t.arg.id({ required: true }), sinceStep: t.arg.int({ description: 'Default 0 (everything).' }) },
    subscribe: async (_root, args, ctx) => {
      const guard = authorizeSubscription(ctx);
      await requireEpisode(ctx.db, args.episodeId);
      const live = ctx.pubSub.subscribe<EpisodeEvent>(episodeTopic(args.episodeId));
      return guard(
        replayStream<EpisodeEvent>({
          live,
          since: args.sinceStep ?? 0,
          stored: () => storedEpisodeEvents(ctx.db, args.episodeId),
          isFinal: (event) => event.kind === 'result',
        }),
      );
    },
    resolve: (event) => event,
  }),
);

/**
 * The stored part of an episode's stream: every step, then the result when the episode has ended. The episode
 * row is read FIRST: an ended episode's steps were all committed before it ended, so none is missed.
 * All steps are returned (replay skips those the subscriber has) because the result's seq needs the last step.
 */
async function storedEpisodeEvents(db: AppDb, episodeId: string): Promise<EpisodeEvent[]> {
  const episode = await requireEpisode(db, episodeId);
  const steps = await getEpisodeSteps(db, episodeId);
  const events: EpisodeEvent[] = steps.map((step) => stepEvent(step));
  if (episode.status !== 'running') events.push(resultEvent(episode, (steps.at(-1)?.step ?? 0) + 1));
  return events;
}

/** The stream event of a stored step (the same shape the jobs layer publishes live). @public */
export function stepEvent(step: EpisodeStep): EpisodeStepEvent {
  return episodeStepEvent(step.episodeId, step);
}

/** The stream's final event for an ended episode. @public */
export function resultEvent(episode: Episode, seq: number): EpisodeResultEvent {
  return episodeResultEvent(episode.id, seq, episode.status === 'failed' ? 'failed' : 'finished', episode);
}

async function requireEpisode(db: AppDb, id: string): Promise<Episode> {
  const episode = await getEpisode(db, id);
  if (!episode) throw new AppError('NOT_FOUND', `expected an existing episode, got id ${id}`);
  return episode;
}
