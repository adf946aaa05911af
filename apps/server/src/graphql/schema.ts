/**
 * The GraphQL schema: imports every domain module (each registers its types and fields on the shared builder)
 * and builds it once. `printSchemaSdl()` is what `apps/server/schema.graphql` must contain; a test fails when the
 * committed file drifts (`pnpm -C apps/server schema:print` rewrites it).
 * @public
 */
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.ts';
import './enums.ts';
import './user.ts';
import './catalog.ts';
import './experiment.ts';
import './run.ts';
import './episode.ts';
import './workflow.ts';
import './agent.ts';

/** The executable schema (Pothos' output: a plain graphql-js schema Apollo and graphql-ws take as-is). @public */
export const schema: GraphQLSchema = builder.toSchema();

/** The schema as SDL, sorted so the printed contract does not change with module import order. @public */
export function printSchemaSdl(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

/** Where the printed contract is committed: `apps/server/schema.graphql`. @public */
export const SCHEMA_FILE = fileURLToPath(new URL('../../schema.graphql', import.meta.url));
