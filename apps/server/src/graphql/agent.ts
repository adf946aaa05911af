/**
 * Agent domain: `runAgent` (a baseline policy or a checkpoint builds a workflow for a catalogue task or a typed
 * question; returns the episode at once, which then streams on `episodeEvents`) and `evaluate` (a checkpoint, a
 * saved workflow version or DSL on datasets). Inputs are validated here; the work is the jobs layer's.
 * @public
 */
import { requireRole } from '../auth/viewer.ts';
import { getCheckpoint, getEpisode, getWorkflowVersion } from '../db/repositories/index.ts';
import { AppError, toAppError } from '../errors.ts';
import { builder } from './builder.ts';
import type { DatasetScore, EvaluationReport, GraphqlContext } from './context.ts';
import { TaskKindEnum } from './enums.ts';
import { EpisodeRef } from './refs.ts';
import { parseWorkflowDsl } from './workflow.ts';
import { JOB_POLICIES } from '../jobs/jobPolicy.ts';
// The jobs layer's bound (evaluate runs inside the request): one constant, so the schema's description tells the truth.
import { MAX_EVALUATION_LIMIT } from '../jobs/evaluator.ts';


const RunAgentInput = builder.inputType('RunAgentInput', {
  description: 'Exactly one of `policy` / `checkpointId`, and exactly one of `taskId` / `question`.',
  fields: (t) => ({
    policy: t.string({ description: `A baseline or the LLM director (needs a configured director backend): ${JOB_POLICIES.join(', ')}.` }),
    checkpointId: t.id(),
    taskId: t.string({ description: 'A catalogue task id (`gsm8k/…`), as listed by `tasks`.' }),
    question: t.string({ description: 'A typed question; it has no gold answer, so the episode is not scored.' }),
    taskKind: t.field({ type: TaskKindEnum, description: 'Kind of a typed question. Default MATH.' }),
    backend: t.string({ description: 'Executor backend. Default `sim` (the simulator).' }),
  }),
});

const EvaluateInput = builder.inputType('EvaluateInput', {
  description: 'Exactly one of `checkpointId`, `workflowId` (optionally with `workflowVersion`) or `dsl`.',
  fields: (t) => ({
    checkpointId: t.id(),
    workflowId: t.id(),
    workflowVersion: t.int(),
    dsl: t.string(),
    datasets: t.stringList({ required: true }),
    limit: t.int({ description: `Tasks per dataset, 1–${MAX_EVALUATION_LIMIT}. Default 20.` }),
    backend: t.string({ description: 'Executor backend. Default `sim`.' }),
  }),
});

const DatasetScoreRef = builder.objectRef<DatasetScore>('DatasetScore').implement({
  fields: (t) => ({
    dataset: t.exposeString('dataset'),
    metric: t.exposeString('metric'),
    count: t.exposeInt('count'),
    score: t.exposeFloat('score', { description: 'Mean task score in [0, 1].' }),
  }),
});

const EvaluationReportRef = builder.objectRef<EvaluationReport>('EvaluationReport').implement({
  fields: (t) => ({
    backend: t.exposeString('backend'),
    simulated: t.exposeBoolean('simulated', { description: 'True for the simulated executor: not LLM results.' }),
    label: t.exposeString('label'),
    datasets: t.field({ type: [DatasetScoreRef], resolve: (report) => [...report.datasets] }),
    episodeIds: t.exposeIDList('episodeIds'),
  }),
});

builder.mutationFields((t) => ({
  runAgent: t.field({
    type: EpisodeRef,
    description: 'Starts an agent episode and returns it at once (status RUNNING); follow it with `episodeEvents`.',
    args: { input: t.arg({ type: RunAgentInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const viewer = requireRole(ctx, 'editor');
      const input = args.input;
      exactlyOne({ policy: input.policy, checkpointId: input.checkpointId });
      exactlyOne({ taskId: input.taskId, question: input.question });
      if (input.policy && !(JOB_POLICIES as readonly string[]).includes(input.policy)) {
        throw new AppError('BAD_USER_INPUT', `policy: expected one of ${JOB_POLICIES.join(', ')}, got ${JSON.stringify(input.policy)}`);
      }
      if (input.checkpointId) await requireCheckpoint(ctx, input.checkpointId);
      if (input.taskId && !(await ctx.catalog.findTask(input.taskId))) {
        throw new AppError('NOT_FOUND', `taskId: expected a task listed by \`tasks\` (e.g. gsm8k/…), got ${JSON.stringify(input.taskId)}`);
      }
      if (input.question !== null && input.question !== undefined && (input.question.trim() === '' || input.question.length > 10_000)) {
        throw new AppError('BAD_USER_INPUT', `question: expected 1–10000 characters, got ${input.question.trim().length}`);
      }
      const backend = requireBackend(ctx, input.backend);
      const { episodeId } = await ctx.jobs.runAgent({
        ...(input.policy ? { policy: input.policy } : {}),
        ...(input.checkpointId ? { checkpointId: input.checkpointId } : {}),
        ...(input.taskId ? { taskId: input.taskId } : {}),
        ...(input.question ? { question: input.question.trim(), taskKind: input.taskKind ?? 'math' } : {}),
        backend,
        userId: viewer.id,
      });
      const episode = await getEpisode(ctx.db, episodeId);
      if (!episode) throw new AppError('INTERNAL', `jobs.runAgent returned episode ${episodeId}, which does not exist`);
      return episode;
    },
  }),
  evaluate: t.field({
    type: EvaluationReportRef,
    description: 'Evaluates and returns the scores (blocks until done; bounded by `limit`).',
    args: { input: t.arg({ type: EvaluateInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const viewer = requireRole(ctx, 'editor');
      const input = args.input;
      exactlyOne({ checkpointId: input.checkpointId, workflowId: input.workflowId, dsl: input.dsl });
      if (input.workflowVersion !== null && input.workflowVersion !== undefined && !input.workflowId) {
        throw new AppError('BAD_USER_INPUT', 'workflowVersion: expected it only together with workflowId, got it alone');
      }
      const limit = input.limit ?? 20;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVALUATION_LIMIT) {
        throw new AppError('BAD_USER_INPUT', `limit: expected an integer from 1 to ${MAX_EVALUATION_LIMIT}, got ${limit}`);
      }
      if (input.checkpointId) await requireCheckpoint(ctx, input.checkpointId);
      if (input.workflowId && !(await getWorkflowVersion(ctx.db, input.workflowId, input.workflowVersion ?? undefined))) {
        throw new AppError('NOT_FOUND', `expected an existing workflow (and version), got ${input.workflowId}${input.workflowVersion ? ` v${input.workflowVersion}` : ''}`);
      }
      const dsl = input.dsl ? parseWorkflowDsl(ctx, input.dsl).dsl : undefined;
      const datasets = await requireDatasets(ctx, input.datasets);
      return ctx.jobs.evaluate({
        ...(input.checkpointId ? { checkpointId: input.checkpointId } : {}),
        ...(input.workflowId ? { workflowId: input.workflowId } : {}),
        ...(input.workflowVersion ? { workflowVersion: input.workflowVersion } : {}),
        ...(dsl ? { dsl } : {}),
        datasets,
        limit,
        backend: requireBackend(ctx, input.backend),
        userId: viewer.id,
      });
    },
  }),
}));

function exactlyOne(fields: Record<string, unknown>): void {
  const given = Object.entries(fields).filter(([, value]) => value !== null && value !== undefined && value !== '');
  if (given.length !== 1) {
    const names = Object.keys(fields).join(', ');
    throw new AppError('BAD_USER_INPUT', `expected exactly one of ${names}, got ${given.length === 0 ? 'none' : given.map(([name]) => name).join(' and ')}`);
  }
}

async function requireCheckpoint(ctx: GraphqlContext, id: string): Promise<void> {
  const checkpoint = await getCheckpoint(ctx.db, id);
  if (!checkpoint || checkpoint.kind !== 'kept') throw new AppError('NOT_FOUND', `checkpointId: expected a kept checkpoint, got ${id}`);
}

function requireBackend(ctx: GraphqlContext, backend: string | null | undefined): string {
  const name = backend ?? 'sim';
  if (!ctx.catalog.backends.includes(name)) {
    throw new AppError('BAD_USER_INPUT', `backend: expected one of ${ctx.catalog.backends.join(', ')}, got ${JSON.stringify(name)}`);
  }
  return name;
}

async function requireDatasets(ctx: GraphqlContext, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) throw new AppError('BAD_USER_INPUT', 'datasets: expected at least one dataset, got none');
  const datasets: string[] = [];
  for (const name of names) {
    const canonical = ctx.catalog.canonicalDataset(name);
    if (!canonical) throw new AppError('BAD_USER_INPUT', `datasets: expected catalogue names, got unknown ${JSON.stringify(name)}`);
    try {
      await ctx.catalog.tasks(canonical);
    } catch (error) {
      throw new AppError('BAD_USER_INPUT', `datasets: ${canonical} cannot be loaded here (${toAppError(error).message})`);
    }
    if (!datasets.includes(canonical)) datasets.push(canonical);
  }
  return datasets;
}
