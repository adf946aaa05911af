import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { complexityLimitRule, depthLimitRule } from './limits.ts';

const schema = buildSchema(`
  type Query { items(first: Int, after: String): ItemConnection! tags: [String!]! item: Item }
  type ItemConnection { nodes: [Item!]! edges: [ItemEdge!]! }
  type ItemEdge { node: Item! }
  type Item { id: ID! children(first: Int): ItemConnection! parent: Item }
`);

const errors = (query: string, rules = [complexityLimitRule(1_000), depthLimitRule(4)]) =>
  validate(schema, parse(query), [...specifiedRules, ...rules]).map((e) => e.message);

describe('complexityLimitRule', () => {
  it('multiplies children by first, with connection fields not multiplying again', () => {
    // items: 1 + 10 × nodes(1 + id 1 + children(1 + 5 × nodes(1 + id 1))) = 1 + 10 × (1 + 1 + 11) = 131
    expect(errors('{ items(first: 10) { nodes { id children(first: 5) { nodes { id } } } } }', [complexityLimitRule(131)])).toEqual([]);
    expect(errors('{ items(first: 10) { nodes { id children(first: 5) { nodes { id } } } } }', [complexityLimitRule(130)])[0]).toMatch(
      /query too complex: expected an estimated cost of at most 130, got 131/,
    );
  });

  it('assumes the largest page for a variable first and counts fragments', () => {
    const query = 'query ($n: Int) { items(first: $n) { ...F } } fragment F on ItemConnection { nodes { id } }';
    expect(errors(query, [complexityLimitRule(201)])).toEqual([]);
    expect(errors(query, [complexityLimitRule(200)])).toHaveLength(1);
  });

  it('ignores introspection and survives fragment cycles', () => {
    expect(errors('{ __schema { types { fields { name } } } }', [complexityLimitRule(1)])).toEqual([]);
    const cyclic = errors('{ item { ...A } } fragment A on Item { parent { ...A } }');
    expect(cyclic.some((m) => /Cannot spread fragment "A" within itself/.test(m))).toBe(true);
  });
});

describe('depthLimitRule', () => {
  it('rejects deeper operations with expected vs got and tolerates unknown fragments', () => {
    expect(errors('{ item { parent { parent { id } } } }')).toEqual([]);
    expect(errors('{ item { parent { parent { parent { parent { id } } } } } }')[0]).toMatch(/query too deep: expected a nesting depth of at most 4/);
    expect(errors('{ item { ...Missing } }')).toEqual(['Unknown fragment "Missing".']);
  });
});
