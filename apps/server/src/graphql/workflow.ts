/**
 * Workflow domain: workflows and their immutable versions. DSL input is parsed with core's `parseDsl` before
 * anything is written; a parse error becomes BAD_USER_INPUT carrying core's located message (line:column and a
 * caret). Versions store the canonical DSL (`printDsl`) and the canvas.
 * @public
 */
import { parseDsl, printDsl, type Canvas } from '@flowsteer/core';
import { requireRole, requireViewer } from '../auth/viewer.ts';
import {
  createWorkflow,
  getWorkflow,
  getWorkflowVersion,
  listWorkflowVersions,
  listWorkflows,
  saveWorkflowVersion,
} from '../db/repositories/index.ts';
import { AppError, toAppError } from '../errors.ts';
import { builder } from './builder.ts';
import type { GraphqlContext } from './context.ts';
import { AuthorKindEnum, TaskKindEnum } from './enums.ts';
import { connectionFromPage, pageArgs } from './pagination.ts';
import { WorkflowConnection, WorkflowRef, WorkflowVersionConnection, WorkflowVersionRef } from './refs.ts';

WorkflowRef.implement({
  description: 'A named workflow; its content lives in numbered, immutable versions.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    taskKind: t.field({ type: TaskKindEnum, nullable: true, resolve: (workflow) => (workflow.taskKind as 'math' | 'qa' | 'code' | null) ?? null }),
    latestVersion: t.exposeInt('latestVersion', { description: 'Pass it as `expectedVersion` when saving on top of it.' }),
    latest: t.field({
      type: WorkflowVersionRef,
      resolve: async (workflow, _args, ctx) => {
        const version = await getWorkflowVersion(ctx.db, workflow.id, workflow.latestVersion);
        if (!version) throw new AppError('INTERNAL', `workflow ${workflow.id} has no version ${workflow.latestVersion}`);
        return version;
      },
    }),
    version: t.field({
      type: WorkflowVersionRef,
      nullable: true,
      args: { version: t.arg.int({ required: true }) },
      resolve: async (workflow, args, ctx) => (await getWorkflowVersion(ctx.db, workflow.id, args.version)) ?? null,
    }),
    versions: t.field({
      type: WorkflowVersionConnection,
      description: 'Versions, newest first.',
      args: { first: t.arg.int(), after: t.arg.string() },
      resolve: async (workflow, args, ctx) => connectionFromPage(await listWorkflowVersions(ctx.db, workflow.id, pageArgs(args))),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

WorkflowVersionRef.implement({
  fields: (t) => ({
    workflowId: t.exposeID('workflowId'),
    version: t.exposeInt('version'),
    dsl: t.exposeString('dsl', { description: 'Canonical DSL (core’s printDsl).' }),
    canvas: t.field({ type: 'JSON', resolve: (version) => version.canvas }),
    authorKind: t.field({ type: AuthorKindEnum, resolve: (version) => version.authorKind }),
    authorUserId: t.exposeID('authorUserId', { nullable: true }),
    episodeId: t.exposeID('episodeId', { nullable: true }),
    checkpointId: t.exposeID('checkpointId', { nullable: true }),
    message: t.exposeString('message'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const CreateWorkflowInput = builder.inputType('CreateWorkflowInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    dsl: t.string({ required: true, description: 'Workflow DSL, e.g. `Plan -> [Programmer, AnswerGenerate] -> ScEnsemble -> Format`.' }),
    description: t.string(),
    taskKind: t.field({ type: TaskKindEnum }),
    message: t.string({ description: 'Note stored with version 1.' }),
  }),
});

const SaveWorkflowVersionInput = builder.inputType('SaveWorkflowVersionInput', {
  fields: (t) => ({
    workflowId: t.id({ required: true }),
    dsl: t.string({ required: true }),
    expectedVersion: t.int({ required: true, description: 'The version your edit started from; CONFLICT if someone saved since.' }),
    message: t.string(),
  }),
});

builder.queryFields((t) => ({
  workflow: t.field({
    type: WorkflowRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireViewer(ctx);
      return (await getWorkflow(ctx.db, args.id)) ?? null;
    },
  }),
  workflows: t.field({
    type: WorkflowConnection,
    description: 'Workflows, newest first.',
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: async (_root, args, ctx) => {
      requireViewer(ctx);
      return connectionFromPage(await listWorkflows(ctx.db, pageArgs(args)));
    },
  }),
}));

builder.mutationFields((t) => ({
  createWorkflow: t.field({
    type: WorkflowRef,
    args: { input: t.arg({ type: CreateWorkflowInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const viewer = requireRole(ctx, 'editor');
      const name = args.input.name.trim();
      if (name.length === 0 || name.length > 200) throw new AppError('BAD_USER_INPUT', `name: expected 1–200 characters, got ${name.length}`);
      const { dsl, canvas } = parseWorkflowDsl(ctx, args.input.dsl);
      const { workflow } = await createWorkflow(ctx.db, {
        name,
        description: args.input.description?.trim() ?? '',
        taskKind: args.input.taskKind ?? null,
        createdBy: viewer.id,
        version: { dsl, canvas, authorKind: 'human', authorUserId: viewer.id, message: args.input.message ?? '' },
      });
      return workflow;
    },
  }),
  saveWorkflowVersion: t.field({
    type: WorkflowVersionRef,
    args: { input: t.arg({ type: SaveWorkflowVersionInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const viewer = requireRole(ctx, 'editor');
      const { dsl, canvas } = parseWorkflowDsl(ctx, args.input.dsl);
      return saveWorkflowVersion(ctx.db, {
        workflowId: args.input.workflowId,
        expectedVersion: args.input.expectedVersion,
        dsl,
        canvas,
        authorKind: 'human',
        authorUserId: viewer.id,
        message: args.input.message ?? '',
      });
    },
  }),
}));

/**
 * Parses DSL against the server's operator registry; BAD_USER_INPUT with core's located message on failure.
 * @public
 */
export function parseWorkflowDsl(ctx: Pick<GraphqlContext, 'catalog'>, source: string): { dsl: string; canvas: Canvas } {
  if (source.length > 20_000) throw new AppError('BAD_USER_INPUT', `dsl: expected at most 20000 characters, got ${source.length}`);
  if (source.trim() === '') throw new AppError('BAD_USER_INPUT', 'dsl: expected a workflow, got an empty string');
  try {
    const canvas = parseDsl(source, { operators: ctx.catalog.operators().map((operator) => operator.name) });
    return { dsl: printDsl(canvas), canvas };
  } catch (error) {
    const appError = toAppError(error);
    if (appError.code === 'BAD_USER_INPUT') throw new AppError('BAD_USER_INPUT', `dsl: ${appError.message.replace(/^\[core\] /, '')}`, { cause: error });
    throw appError;
  }
}
