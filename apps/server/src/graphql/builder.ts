/**
 * The one Pothos SchemaBuilder. Domain modules (`experiment.ts`, `episode.ts`, …) register their types and
 * fields on it; `schema.ts` imports them all and builds the schema.
 *
 * Plugins: only Relay, for cursor connections. Auth is plain `requireRole(ctx, …)` calls in resolvers rather
 * than scope-auth: every rule here is "role at least X", which reads fine inline, and each extra plugin adds
 * type-level weight to `tsc` (STYLE.md guard-rail). Relay's global `node` / `nodes` fields are off: ids are
 * plain uuids, and a `node` field would bypass per-field auth.
 * @public
 */
import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import { GraphQLError, Kind, type ValueNode } from 'graphql';
import type { GraphqlContext } from './context.ts';

/** Pothos type configuration of the schema. @internal */
export interface BuilderTypes {
  Context: GraphqlContext;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}

/** The shared builder. @public */
export const builder = new SchemaBuilder<BuilderTypes>({
  // Non-null unless a field says `nullable: true`: the contract states which values can be absent.
  defaultFieldNullability: false,
  plugins: [RelayPlugin],
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    nodesOnConnection: true,
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
});

builder.queryType({ description: 'Reads. Everything but the catalogue (operators, datasets) needs an API token.' });
builder.mutationType({ description: 'Writes. Editors and admins only; viewers get FORBIDDEN.' });
builder.subscriptionType({
  description: 'Live streams over graphql-ws. Pass `since*` to replay stored events first: no gap, no duplicate.',
});

builder.scalarType('DateTime', {
  description: 'An instant as an ISO-8601 string in UTC (e.g. 2026-01-31T12:00:00.000Z).',
  serialize: (value) => {
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) throw new GraphQLError(`DateTime: expected a valid date, got ${String(value)}`);
    return date.toISOString();
  },
  parseValue: (value) => parseDateTime(value),
});

builder.scalarType('JSON', {
  description: 'Any JSON value (configs, canvases, actions, metric records).',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (node, variables) => literalToJson(node, variables),
});

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new GraphQLError(`DateTime: expected an ISO-8601 string, got ${JSON.stringify(value)}`);
  }
  return date;
}

function literalToJson(node: ValueNode, variables?: Readonly<Record<string, unknown>> | null): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.ENUM:
      return node.value;
    case Kind.LIST:
      return node.values.map((item) => literalToJson(item, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((field) => [field.name.value, literalToJson(field.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[node.name.value];
  }
}
