/**
 * GraphQL enums for the database's closed string sets. GraphQL spells values in UPPER_CASE; the database and
 * core use lower case, so each value maps to the stored string and resolvers never convert by hand.
 * @public
 */
import { AUTHOR_KINDS, EPISODE_KINDS, EPISODE_STATUSES, RUN_STATUSES, USER_ROLES } from '../db/schema.ts';
import { EXPERIMENT_SORTS } from '../db/repositories/index.ts';
import { builder } from './builder.ts';

function upperValues<const V extends string>(values: readonly V[]): Record<string, { value: V }> {
  return Object.fromEntries(values.map((value) => [value.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase(), { value }]));
}

/** @public */
export const RoleEnum = builder.enumType('Role', {
  description: 'Roles, in increasing power: viewers read, editors also write, admins also manage users and tokens.',
  values: upperValues(USER_ROLES),
});

/** @public */
export const RunStatusEnum = builder.enumType('RunStatus', { values: upperValues(RUN_STATUSES) });

/** @public */
export const ExperimentStatusEnum = builder.enumType('ExperimentStatus', {
  description: 'IDLE before the first run, then the status of the latest run.',
  values: upperValues(['idle', ...RUN_STATUSES] as const),
});

/** @public */
export const ExperimentSortEnum = builder.enumType('ExperimentSort', {
  values: Object.fromEntries(EXPERIMENT_SORTS.map((sort) => [sort, { value: sort }])),
});

/** @public */
export const EpisodeKindEnum = builder.enumType('EpisodeKind', { values: upperValues(EPISODE_KINDS) });

/** @public */
export const EpisodeStatusEnum = builder.enumType('EpisodeStatus', { values: upperValues(EPISODE_STATUSES) });

/** @public */
export const AuthorKindEnum = builder.enumType('AuthorKind', { values: upperValues(AUTHOR_KINDS) });

/** @public */
export const TaskKindEnum = builder.enumType('TaskKind', { values: upperValues(['math', 'qa', 'code'] as const) });
