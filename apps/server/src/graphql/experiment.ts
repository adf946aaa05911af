/**
 * Experiment domain: list / read experiments, create one (validated against core and the catalogue before
 * anything is written), start a run, and the `experimentUpdated` stream.
 * @public
 */
import { requireRole, requireViewer } from '../auth/viewer.ts';
import {
  createExperiment,
  createRun,
  getExperiment,
  getRun,
  listExperiments,
  listRuns,
  type Experiment,
  type ExperimentSort,
  type ExperimentStatus,
} from '../db/repositories/index.ts';
import type { RunStatus } from '../db/schema.ts';
import { EXPERIMENTS_TOPIC, type ExperimentUpdatedEvent } from '../events/pubSub.ts';
import { experimentUsageTotals, memoizedTotals } from '../llm/usageTotals.ts';
import { AppError } from '../errors.ts';
import { builder } from './builder.ts';
import type { ExperimentConfig, GraphqlContext } from './context.ts';
import { ExperimentSortEnum, ExperimentStatusEnum } from './enums.ts';
import { validateExperimentInput } from './experimentInput.ts';
import { connectionFromPage, pageArgs } from './pagination.ts';
import { ExperimentConnection, ExperimentRef, RunConnection, RunRef } from './refs.ts';
import { authorizeSubscription, filterIterator } from './subscriptions.ts';

const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'paused'];

ExperimentRef.implement({
  description: 'What to train: backend, datasets and trainer settings. Runs are its executions.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    backend: t.exposeString('backend'),
    simulated: t.boolean({
      description: 'True when results come from the simulated executor (sim backend), not from an LLM.',
      resolve: (experiment, _args, ctx) => ctx.catalog.isSimulated(experiment.backend),
    }),
    datasets: t.exposeStringList('datasets'),
    config: t.expose('config', { type: 'JSON', description: 'Validated settings: trainer (core’s full config), network, split.' }),
    status: t.field({ type: ExperimentStatusEnum, resolve: (experiment) => experiment.status as ExperimentStatus }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    tokens: t.float({
      description: 'LLM tokens used by the episodes of all its runs (sum; cached replies count their original tokens). Float: totals outgrow Int.',
      resolve: async (experiment, _args, ctx) =>
        (await memoizedTotals(ctx, `experiment:${experiment.id}`, () => experimentUsageTotals(ctx.db, experiment.id))).tokens,
    }),
    costUsd: t.float({
      description: 'USD the episodes of all its runs cost (sum; cached replies cost 0; for the sim backend, what the profiled model would have charged).',
      resolve: async (experiment, _args, ctx) =>
        (await memoizedTotals(ctx, `experiment:${experiment.id}`, () => experimentUsageTotals(ctx.db, experiment.id))).costUsd,
    }),
    runs: t.field({
      type: RunConnection,
      description: 'Runs, newest first.',
      args: { first: t.arg.int(), after: t.arg.string() },
      resolve: async (experiment, args, ctx) => connectionFromPage(await listRuns(ctx.db, experiment.id, pageArgs(args))),
    }),
    latestRun: t.field({
      type: RunRef,
      nullable: true,
      resolve: async (experiment, _args, ctx) => (await listRuns(ctx.db, experiment.id, { first: 1 })).items[0] ?? null,
    }),
  }),
});

const ExperimentFilter = builder.inputType('ExperimentFilter', {
  fields: (t) => ({
    status: t.field({ type: ExperimentStatusEnum }),
    nameContains: t.string({ description: 'Case-insensitive substring of the name.' }),
    backend: t.string(),
  }),
});

const CreateExperimentInput = builder.inputType('CreateExperimentInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string(),
    backend: t.string({ description: 'Executor backend. Default `sim` (the simulator).' }),
    datasets: t.stringList({ required: true, description: 'Catalogue names (`gsm8k`, `squad` …); each must be loadable here.' }),
    trainer: t.field({ type: 'JSON', description: 'Trainer settings (core’s CwrpoConfigInput); unknown keys are rejected.' }),
    network: t.string({ description: 'Policy size: `tiny`, `small` (default) or `default`.' }),
    limit: t.int({ description: 'Tasks loaded per dataset; all when omitted.' }),
    testFraction: t.float({ description: 'Held-out fraction for evaluation. Default 0.2.' }),
    splitSeed: t.string(),
    profile: t.string({ description: 'Sim profile (sim backend only).' }),
  }),
});

const ExperimentUpdate = builder.objectRef<ExperimentUpdatedEvent>('ExperimentUpdate').implement({
  fields: (t) => ({
    change: t.exposeString('change', { description: '`created`, `status` or `updated`.' }),
    experimentId: t.exposeID('experimentId'),
    experiment: t.field({
      type: ExperimentRef,
      nullable: true,
      description: 'The experiment as it is now (null if it was deleted meanwhile).',
      resolve: async (event, _args, ctx) => (await getExperiment(ctx.db, event.experimentId)) ?? null,
    }),
  }),
});

builder.queryFields((t) => ({
  experiments: t.field({
    type: ExperimentConnection,
    args: {
      filter: t.arg({ type: ExperimentFilter }),
      sort: t.arg({ type: ExperimentSortEnum, description: 'Default CREATED_DESC.' }),
      first: t.arg.int(),
      after: t.arg.string(),
    },
    resolve: async (_root, args, ctx) => {
      requireViewer(ctx);
      const page = await listExperiments(ctx.db, {
        ...pageArgs(args),
        status: (args.filter?.status ?? null) as ExperimentStatus | null,
        nameContains: args.filter?.nameContains ?? null,
        backend: args.filter?.backend ?? null,
        sort: (args.sort ?? null) as ExperimentSort | null,
      });
      return connectionFromPage(page);
    },
  }),
  experiment: t.field({
    type: ExperimentRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireViewer(ctx);
      return (await getExperiment(ctx.db, args.id)) ?? null;
    },
  }),
}));

builder.mutationFields((t) => ({
  createExperiment: t.field({
    type: ExperimentRef,
    args: { input: t.arg({ type: CreateExperimentInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const viewer = requireRole(ctx, 'editor');
      const valid = await validateExperimentInput(args.input, ctx.catalog);
      const experiment = await createExperiment(ctx.db, {
        ...valid,
        config: valid.config as unknown as Record<string, unknown>,
        createdBy: viewer.id,
      });
      await publishExperimentChange(ctx, experiment.id, 'created');
      return experiment;
    },
  }),
  startRun: t.field({
    type: RunRef,
    description: 'Creates a run of the experiment and hands it to the jobs layer. CONFLICT while another run is active.',
    args: { experimentId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireRole(ctx, 'editor');
      const experiment = await getExperiment(ctx.db, args.experimentId);
      if (!experiment) throw new AppError('NOT_FOUND', `expected an existing experiment, got id ${args.experimentId}`);
      const latest = (await listRuns(ctx.db, experiment.id, { first: 1 })).items[0];
      if (latest && ACTIVE_RUN_STATUSES.includes(latest.status)) {
        throw new AppError('CONFLICT', `expected no active run of experiment ${experiment.id}, got run ${latest.id} ${latest.status}`);
      }
      const run = await createRun(ctx.db, { experimentId: experiment.id, totalIterations: totalIterations(experiment) });
      await ctx.jobs.startRun(run.id);
      await publishExperimentChange(ctx, experiment.id, 'status');
      return (await getRun(ctx.db, run.id)) ?? run;
    },
  }),
}));

builder.subscriptionField('experimentUpdated', (t) =>
  t.field({
    type: ExperimentUpdate,
    description: 'Experiments created or changing status (live only). Pass `experimentId` to follow one.',
    args: { experimentId: t.arg.id() },
    subscribe: (_root, args, ctx) => {
      const guard = authorizeSubscription(ctx);
      const live = ctx.pubSub.subscribe<ExperimentUpdatedEvent>(EXPERIMENTS_TOPIC);
      const wanted = args.experimentId;
      return guard(wanted ? filterIterator(live, (event) => event.experimentId === wanted) : live);
    },
    resolve: (event) => event,
  }),
);

/** Announces an experiment change on the `experiments` topic (the jobs layer does the same on status changes). @public */
export async function publishExperimentChange(ctx: Pick<GraphqlContext, 'pubSub'>, experimentId: string, change: ExperimentUpdatedEvent['change']): Promise<void> {
  const event: ExperimentUpdatedEvent = { experimentId, change };
  await ctx.pubSub.publish(EXPERIMENTS_TOPIC, event);
}

function totalIterations(experiment: Experiment): number {
  const config = experiment.config as Partial<ExperimentConfig>;
  const iterations = config.trainer?.iterations;
  if (typeof iterations !== 'number' || !Number.isInteger(iterations) || iterations < 1) {
    throw new AppError('INTERNAL', `experiment ${experiment.id} config has no valid trainer.iterations (got ${String(iterations)})`);
  }
  return iterations;
}
