/**
 * Training-run domain: runs, their metrics and checkpoints, pause / resume / stop (through the jobs layer),
 * and the `runProgress` stream with replay from a given iteration.
 * @public
 */
import { requireRole, requireViewer } from '../auth/viewer.ts';
import {
  TERMINAL_RUN_STATUSES,
  getExperiment,
  getMetrics,
  getRun,
  listCheckpoints,
  listEpisodes,
  listRunEpisodes,
  type MetricPoint,
  type Run,
} from '../db/repositories/index.ts';
import type { AppDb } from '../db/client.ts';
import type { RunStatus } from '../db/schema.ts';
import { runTopic } from '../events/pubSub.ts';
import { memoizedTotals, runUsageTotals } from '../llm/usageTotals.ts';
import { replayStream } from '../events/replay.ts';
import type { RunIterationEvent, RunProgressEvent, RunStatusEvent } from '../events/streamEvents.ts';
import { AppError } from '../errors.ts';
import { builder } from './builder.ts';
import type { GraphqlContext, Jobs } from './context.ts';
import { RunStatusEnum } from './enums.ts';
import { connectionFromPage, pageArgs } from './pagination.ts';
import { CheckpointConnection, CheckpointRef, EpisodeConnection, EpisodeRef, ExperimentRef, RunRef } from './refs.ts';
import { authorizeSubscription } from './subscriptions.ts';

const metricArgs = builder.args((t) => ({
  names: t.stringList({ description: 'Only these metric names.' }),
  sinceIteration: t.int({ description: 'Only iterations after this one.' }),
  maxPoints: t.int({ description: 'Downsample to at most this many points (>= 2).' }),
}));

const MetricPointRef = builder.objectRef<MetricPoint>('MetricPoint').implement({
  description: 'Metrics of one iteration, or (count > 1) the means over a bucket of iterations ending at `iteration`.',
  fields: (t) => ({
    iteration: t.exposeInt('iteration'),
    count: t.exposeInt('count'),
    values: t.expose('values', { type: 'JSON', description: 'Metric name → value (names from core’s METRICS).' }),
  }),
});

RunRef.implement({
  description: 'One execution of an experiment’s training.',
  fields: (t) => ({
    id: t.exposeID('id'),
    experimentId: t.exposeID('experimentId'),
    experiment: t.field({
      type: ExperimentRef,
      resolve: async (run, _args, ctx) => {
        const experiment = await getExperiment(ctx.db, run.experimentId);
        if (!experiment) throw new AppError('INTERNAL', `run ${run.id} points at missing experiment ${run.experimentId}`);
        return experiment;
      },
    }),
    status: t.field({ type: RunStatusEnum, resolve: (run) => run.status }),
    iteration: t.exposeInt('iteration', { description: 'Iterations completed and committed.' }),
    totalIterations: t.exposeInt('totalIterations'),
    error: t.exposeString('error', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    tokens: t.float({
      description: 'LLM tokens used by the run’s episodes (sum; cached replies count their original tokens). Float: totals outgrow Int.',
      resolve: async (run, _args, ctx) => (await memoizedTotals(ctx, `run:${run.id}`, () => runUsageTotals(ctx.db, run.id))).tokens,
    }),
    costUsd: t.float({
      description: 'USD the run’s episodes cost (sum; cached replies cost 0; for the sim backend, what the profiled model would have charged).',
      resolve: async (run, _args, ctx) => (await memoizedTotals(ctx, `run:${run.id}`, () => runUsageTotals(ctx.db, run.id))).costUsd,
    }),
    metrics: t.field({
      type: [MetricPointRef],
      args: metricArgs,
      resolve: (run, args, ctx) => getMetrics(ctx.db, run.id, { names: args.names ?? null, sinceIteration: args.sinceIteration ?? null, maxPoints: args.maxPoints ?? null }),
    }),
    checkpoints: t.field({
      type: CheckpointConnection,
      args: { first: t.arg.int(), after: t.arg.string() },
      resolve: async (run, args, ctx) => connectionFromPage(await listCheckpoints(ctx.db, { ...pageArgs(args), runId: run.id })),
    }),
    episodes: t.field({
      type: EpisodeConnection,
      args: { first: t.arg.int(), after: t.arg.string() },
      resolve: async (run, args, ctx) => connectionFromPage(await listEpisodes(ctx.db, { ...pageArgs(args), runId: run.id })),
    }),
  }),
});

CheckpointRef.implement({
  description: 'A kept checkpoint of a run (policy weights stay server-side; `policyBytes` is their size).',
  fields: (t) => ({
    id: t.exposeID('id'),
    runId: t.exposeID('runId', { nullable: true }),
    iteration: t.exposeInt('iteration'),
    policyBytes: t.exposeInt('policyBytes'),
    state: t.expose('state', { type: 'JSON' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const RunIterationEventRef = builder.objectRef<RunIterationEvent>('RunIterationEvent').implement({
  description: 'A committed training iteration (seq = iteration).',
  fields: (t) => ({
    seq: t.exposeInt('seq'),
    runId: t.exposeID('runId'),
    iteration: t.exposeInt('iteration'),
    metrics: t.expose('metrics', { type: 'JSON' }),
    episodeIds: t.exposeIDList('episodeIds'),
    episodes: t.field({
      type: [EpisodeRef],
      description: 'The iteration’s finished training episodes (read from the database on demand).',
      resolve: async (event, _args, ctx) => {
        if (event.episodeIds.length === 0) return [];
        const rows = await listRunEpisodes(ctx.db, event.runId, { sinceIteration: event.iteration - 1, limit: 10_000 });
        return rows.filter((episode) => episode.iteration === event.iteration);
      },
    }),
  }),
});

const RunStatusEventRef = builder.objectRef<RunStatusEvent>('RunStatusEvent').implement({
  description: 'A status change; STOPPED, FINISHED and FAILED end the stream.',
  fields: (t) => ({
    runId: t.exposeID('runId'),
    status: t.field({ type: RunStatusEnum, resolve: (event) => event.status }),
    iteration: t.exposeInt('iteration'),
    error: t.exposeString('error', { nullable: true }),
  }),
});

const RunProgressEventRef = builder.unionType('RunProgressEvent', {
  types: [RunIterationEventRef, RunStatusEventRef],
  resolveType: (event) => (event.kind === 'iteration' ? 'RunIterationEvent' : 'RunStatusEvent'),
});

builder.queryFields((t) => ({
  run: t.field({
    type: RunRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireViewer(ctx);
      return (await getRun(ctx.db, args.id)) ?? null;
    },
  }),
  checkpoints: t.field({
    type: CheckpointConnection,
    description: 'Kept checkpoints, newest first; of one run when `runId` is given.',
    args: { runId: t.arg.id(), first: t.arg.int(), after: t.arg.string() },
    resolve: async (_root, args, ctx) => {
      requireViewer(ctx);
      return connectionFromPage(await listCheckpoints(ctx.db, { ...pageArgs(args), runId: args.runId ?? null }));
    },
  }),
  runMetrics: t.field({
    type: [MetricPointRef],
    description: 'A run’s metrics in iteration order; `maxPoints` downsamples long runs (bucket means, ends kept).',
    args: { runId: t.arg.id({ required: true }), ...metricArgs },
    resolve: async (_root, args, ctx) => {
      requireViewer(ctx);
      await requireRun(ctx.db, args.runId);
      return getMetrics(ctx.db, args.runId, { names: args.names ?? null, sinceIteration: args.sinceIteration ?? null, maxPoints: args.maxPoints ?? null });
    },
  }),
}));

type RunTransition = { method: keyof Pick<Jobs, 'pauseRun' | 'resumeRun' | 'stopRun'>; from: readonly RunStatus[]; verb: string };
const TRANSITIONS: Record<'pauseRun' | 'resumeRun' | 'stopRun', RunTransition> = {
  pauseRun: { method: 'pauseRun', from: ['queued', 'running'], verb: 'pause' },
  resumeRun: { method: 'resumeRun', from: ['paused'], verb: 'resume' },
  stopRun: { method: 'stopRun', from: ['queued', 'running', 'paused'], verb: 'stop' },
};

builder.mutationFields((t) =>
  Object.fromEntries(
    Object.entries(TRANSITIONS).map(([name, transition]) => [
      name,
      t.field({
        type: RunRef,
        description: `Asks the jobs layer to ${transition.verb} the run; CONFLICT unless it is ${transition.from.join(' or ')}.`,
        args: { runId: t.arg.id({ required: true }) },
        resolve: async (_root, args, ctx) => {
          requireRole(ctx, 'editor');
          const run = await requireRun(ctx.db, args.runId);
          if (!transition.from.includes(run.status)) {
            throw new AppError('CONFLICT', `cannot ${transition.verb} run ${run.id}: expected status ${transition.from.join(' or ')}, got ${run.status}`);
          }
          await ctx.jobs[transition.method](run.id);
          return (await getRun(ctx.db, run.id)) ?? run;
        },
      }),
    ]),
  ),
);

builder.subscriptionField('runProgress', (t) =>
  t.field({
    type: RunProgressEventRef,
    description: 'Iterations (with metrics and finished episodes) and status changes; replays iterations after `sinceIteration`.',
    args: { runId: t.arg.id({ required: true }), sinceIteration: t.arg.int({ description: 'Last iteration you have; default 0 (all).' }) },
    subscribe: async (_root, args, ctx) => {
      const guard = authorizeSubscription(ctx);
      const run = await requireRun(ctx.db, args.runId);
      const since = args.sinceIteration ?? 0;
      const live = ctx.pubSub.subscribe<RunProgressEvent>(runTopic(run.id));
      return guard(
        replayStream<RunProgressEvent>({
          live,
          since,
          stored: (after) => storedRunEvents(ctx, run.id, after),
          isFinal: (event) => event.kind === 'status' && TERMINAL_RUN_STATUSES.includes(event.status),
        }),
      );
    },
    resolve: (event) => event,
  }),
);

/**
 * The stored part of a run's stream. The run row is read FIRST: if it is terminal, every iteration was committed
 * before, so the metrics read that follows has them all. A non-terminal status leads (the subscriber learns the
 * current status at once); a terminal one closes the list, as the stream's final event.
 */
async function storedRunEvents(ctx: GraphqlContext, runId: string, since: number): Promise<RunProgressEvent[]> {
  const run = await requireRun(ctx.db, runId);
  const [points, episodes] = await Promise.all([
    getMetrics(ctx.db, runId, { sinceIteration: since }),
    listRunEpisodes(ctx.db, runId, { sinceIteration: since, limit: 100_000 }),
  ]);
  const idsByIteration = new Map<number, string[]>();
  for (const episode of episodes) {
    if (episode.iteration === null) continue;
    const ids = idsByIteration.get(episode.iteration) ?? [];
    ids.push(episode.id);
    idsByIteration.set(episode.iteration, ids);
  }
  const iterations: RunIterationEvent[] = points.map((point) => ({
    kind: 'iteration',
    seq: point.iteration,
    runId,
    iteration: point.iteration,
    metrics: point.values,
    episodeIds: idsByIteration.get(point.iteration) ?? [],
  }));
  const status: RunStatusEvent = { kind: 'status', runId, status: run.status, iteration: run.iteration, error: run.error };
  return TERMINAL_RUN_STATUSES.includes(run.status) ? [...iterations, status] : [status, ...iterations];
}

async function requireRun(db: AppDb, id: string): Promise<Run> {
  const run = await getRun(db, id);
  if (!run) throw new AppError('NOT_FOUND', `expected an existing training run, got id ${id}`);
  return run;
}

