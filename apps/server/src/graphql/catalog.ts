/**
 * Catalogue domain: operators, datasets and their tasks. Public (no token needed): it is the same for everyone
 * and holds no user data. Tasks are exposed only through core's `TaskView`: problem text, choices and public
 * tests, never answers, hidden tests or `meta` (a test asserts that no reference solution leaks).
 * @public
 */
import type { DatasetInfo, OperatorSpec, TaskView } from '@flowsteer/core';
import { AppError } from '../errors.ts';
import { builder } from './builder.ts';
import { TaskKindEnum } from './enums.ts';
import { connectionFromArray } from './pagination.ts';
import type { DatasetEntry } from './taskCatalog.ts';

/** @public */
export const OperatorRef = builder.objectRef<OperatorSpec>('Operator').implement({
  description: 'A workflow building block (the paper’s 12 operators plus registered plugins).',
  fields: (t) => ({
    name: t.exposeString('name'),
    category: t.exposeString('category'),
    description: t.exposeString('description'),
    inputs: t.exposeStringList('inputs'),
    outputs: t.exposeStringList('outputs'),
    consumesCandidates: t.boolean({ resolve: (spec) => spec.consumesCandidates ?? false }),
    forbiddenInParallel: t.boolean({ resolve: (spec) => spec.forbiddenInParallel ?? false }),
  }),
});

/** @public */
export const DatasetRef = builder.objectRef<DatasetEntry>('Dataset').implement({
  description: 'A benchmark of the catalogue and whether this server can load it.',
  fields: (t) => ({
    name: t.string({ resolve: (entry) => entry.info.name }),
    displayName: t.string({ resolve: (entry) => entry.info.displayName }),
    kind: t.field({ type: TaskKindEnum, resolve: (entry) => entry.info.kind }),
    metric: t.string({ resolve: (entry) => entry.info.metric }),
    split: t.string({ description: '`iid` (train + test) or `ood` (test only).', resolve: (entry) => entry.info.split }),
    available: t.boolean({ resolve: (entry) => entry.count !== null }),
    count: t.int({ nullable: true, description: 'Tasks loaded; null when unavailable.', resolve: (entry) => entry.count }),
    origin: t.string({ nullable: true, description: '`shared`, `bundled` or `custom`.', resolve: (entry) => entry.origin }),
    licence: t.string({ nullable: true, resolve: (entry) => entry.licence }),
    source: t.string({ nullable: true, resolve: (entry) => entry.source }),
    unavailableReason: t.string({ nullable: true, resolve: (entry) => entry.unavailableReason }),
  }),
});

/** @public */
export const TaskRef = builder.objectRef<TaskView>('Task').implement({
  description: 'What a model may see of a task. Gold answers, hidden tests and reference solutions are never exposed.',
  fields: (t) => ({
    id: t.exposeID('id'),
    dataset: t.exposeString('dataset'),
    kind: t.field({ type: TaskKindEnum, resolve: (task) => task.kind }),
    problem: t.exposeString('problem'),
    choices: t.field({ type: 'JSON', nullable: true, resolve: (task) => task.choices ?? null }),
    entryPoint: t.string({ nullable: true, resolve: (task) => task.entryPoint ?? null }),
    publicTests: t.string({ nullable: true, resolve: (task) => task.publicTests ?? null }),
  }),
});

const TaskConnection = builder.connectionObject({ type: TaskRef, name: 'TaskConnection' }, { name: 'TaskEdge' });

builder.queryFields((t) => ({
  operators: t.field({
    type: [OperatorRef],
    resolve: (_root, _args, ctx) => [...ctx.catalog.operators()],
  }),
  datasets: t.field({
    type: [DatasetRef],
    description: 'The catalogue in the paper’s order; unavailable datasets say why.',
    resolve: async (_root, _args, ctx) => [...(await ctx.catalog.datasets())],
  }),
  tasks: t.field({
    type: TaskConnection,
    args: {
      dataset: t.arg.string({ required: true }),
      first: t.arg.int(),
      after: t.arg.string(),
    },
    resolve: async (_root, args, ctx) => {
      const name = ctx.catalog.canonicalDataset(args.dataset);
      if (!name) {
        const known = (await ctx.catalog.datasets()).map((entry: { info: DatasetInfo }) => entry.info.name);
        throw new AppError('BAD_USER_INPUT', `dataset: expected one of ${known.join(', ')}, got ${JSON.stringify(args.dataset)}`);
      }
      const tasks = await ctx.catalog.tasks(name);
      return connectionFromArray(tasks, args, `tasks:${name}`);
    },
  }),
}));
