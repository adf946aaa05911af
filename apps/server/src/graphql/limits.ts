/**
 * Query depth and complexity limits, as graphql-js validation rules (so they run before any resolver, for HTTP
 * and WebSocket alike, and fail as GRAPHQL_VALIDATION_FAILED with a message that says expected vs got).
 *
 * Complexity model: every field costs 1 plus its children's cost times a multiplier. The multiplier is the
 * field's `first` argument (a literal, or the largest page size when it is a variable, since validation runs
 * before variables are known), else the default page size for a connection, else `extensions.listSize` or
 * {@link DEFAULT_LIST_SIZE} for a plain list, else 1. Fields of a connection (`edges`, `nodes`) do not multiply
 * again. Introspection fields cost nothing: clients and tools must always be able to read the schema.
 * @public
 */
import depthLimit from 'graphql-depth-limit';
import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  Kind,
  type DefinitionNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../db/repositories/index.ts';

/** Multiplier of a plain list field without `first` or `extensions.listSize`. @public */
export const DEFAULT_LIST_SIZE = 10;

/**
 * Rejects operations nested deeper than `maxDepth` (graphql-depth-limit, introspection ignored). Documents with
 * unknown or cyclic fragments are left to graphql-js' own rules: graphql-depth-limit crashes on them.
 * @public
 */
export function depthLimitRule(maxDepth: number): ValidationRule {
  const rule = depthLimit(maxDepth);
  return (context) => {
    const fragments = fragmentMap(context);
    if (!hasBrokenFragments(context.getDocument().definitions, fragments)) {
      // Reword the library's "'name' exceeds maximum operation depth of N" into expected-vs-got form.
      const reworded = Object.create(context, {
        reportError: {
          value: (error: GraphQLError) =>
            context.reportError(
              new GraphQLError(
                `query too deep: expected a nesting depth of at most ${maxDepth}, got more (${error.message}); ` +
                  'select fewer nested levels or split the query',
                { nodes: error.nodes ?? [] },
              ),
            ),
        },
      }) as ValidationContext;
      rule(reworded);
    }
    return {};
  };
}

/** Rejects operations whose estimated cost exceeds `maxComplexity` (see the module comment). @public */
export function complexityLimitRule(maxComplexity: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const cost = operationComplexity(context, operation);
      if (cost > maxComplexity) {
        context.reportError(
          new GraphQLError(
            `query too complex: expected an estimated cost of at most ${maxComplexity}, got ${cost} ` +
              `(each field costs 1; lists multiply their fields by \`first\`, or ${DEFAULT_PAGE_SIZE} per page / ` +
              `${DEFAULT_LIST_SIZE} per list when absent); ask for fewer items or fields`,
            { nodes: [operation] },
          ),
        );
      }
    },
  });
}

/** The estimated cost of one operation of the context's document. @public */
export function operationComplexity(context: ValidationContext, operation: OperationDefinitionNode): number {
  const schema = context.getSchema();
  const root =
    operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) return 0;
  return selectionSetCost(operation.selectionSet, root, fragmentMap(context), context, new Set());
}

function selectionSetCost(
  selectionSet: SelectionSetNode,
  parentType: GraphQLCompositeType,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  context: ValidationContext,
  visiting: Set<string>,
): number {
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (name.startsWith('__')) continue;
      const field = fieldOf(parentType, name);
      if (!field) {
        total += 1;
        continue;
      }
      const childType = getNamedType(field.type);
      const children =
        selection.selectionSet && isCompositeType(childType)
          ? selectionSetCost(selection.selectionSet, childType, fragments, context, visiting)
          : 0;
      total += 1 + multiplier(field, selection.arguments ?? [], parentType) * children;
    } else {
      const typeName = selection.kind === Kind.INLINE_FRAGMENT ? selection.typeCondition?.name.value : fragments.get(selection.name.value)?.typeCondition.name.value;
      const fragmentType = typeName ? context.getSchema().getType(typeName) : parentType;
      if (!isCompositeType(fragmentType)) continue;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        total += selectionSetCost(selection.selectionSet, fragmentType, fragments, context, visiting);
      } else {
        const fragment = fragments.get(selection.name.value);
        // Cycles are reported by NoFragmentCyclesRule; here they only must not recurse forever.
        if (!fragment || visiting.has(fragment.name.value)) continue;
        visiting.add(fragment.name.value);
        total += selectionSetCost(fragment.selectionSet, fragmentType, fragments, context, visiting);
        visiting.delete(fragment.name.value);
      }
    }
  }
  return total;
}

function fieldOf(type: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  return 'getFields' in type ? (type.getFields() as Record<string, GraphQLField<unknown, unknown>>)[name] : undefined;
}

function multiplier(
  field: GraphQLField<unknown, unknown>,
  args: readonly { name: { value: string }; value: { kind: Kind; value?: unknown } }[],
  parentType: GraphQLCompositeType,
): number {
  if (parentType.name.endsWith('Connection')) return 1;
  const first = args.find((arg) => arg.name.value === 'first');
  if (first) {
    if (first.value.kind === Kind.INT) return Math.max(0, Number(first.value.value));
    if (first.value.kind === Kind.VARIABLE) return MAX_PAGE_SIZE;
  }
  if (getNamedType(field.type).name.endsWith('Connection')) return DEFAULT_PAGE_SIZE;
  if (isListType(getNullableType(field.type))) {
    const listSize = (field.extensions as { listSize?: unknown } | undefined)?.listSize;
    return typeof listSize === 'number' ? listSize : DEFAULT_LIST_SIZE;
  }
  return 1;
}

function fragmentMap(context: ValidationContext): Map<string, FragmentDefinitionNode> {
  const map = new Map<string, FragmentDefinitionNode>();
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) map.set(definition.name.value, definition);
  }
  return map;
}

/** True when a spread names a missing fragment or fragments spread each other in a cycle. */
function hasBrokenFragments(definitions: readonly DefinitionNode[], fragments: ReadonlyMap<string, FragmentDefinitionNode>): boolean {
  const spreadsOf = (selectionSet: SelectionSetNode): string[] =>
    selectionSet.selections.flatMap((selection) => {
      if (selection.kind === Kind.FRAGMENT_SPREAD) return [selection.name.value];
      return selection.selectionSet ? spreadsOf(selection.selectionSet) : [];
    });
  const state = new Map<string, 'visiting' | 'done'>();
  const broken = (name: string): boolean => {
    const fragment = fragments.get(name);
    if (!fragment || state.get(name) === 'visiting') return true;
    if (state.get(name) === 'done') return false;
    state.set(name, 'visiting');
    const result = spreadsOf(fragment.selectionSet).some(broken);
    state.set(name, 'done');
    return result;
  };
  return definitions.some((definition) => 'selectionSet' in definition && definition.selectionSet !== undefined && spreadsOf(definition.selectionSet).some(broken));
}
