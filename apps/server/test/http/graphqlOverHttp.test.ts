import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, errorCode, subscribe, type TestServer } from '../graphql/testServer.ts';

let t: TestServer;
beforeAll(async () => {
  t = await createTestServer({ maxQueryDepth: 6, maxComplexity: 2_000, maxBodyBytes: 4_096 });
});
afterAll(async () => t.close());

describe('GraphQL over HTTP', () => {
  it('answers a POST query with application/json by default', async () => {
    const response = await t.gql('{ operators { name } }');
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^application\/json/);
    expect((response.body.data?.['operators'] as unknown[]).length).toBe(12);
  });

  it('answers with application/graphql-response+json when the client accepts it', async () => {
    const response = await t.request({
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ operators { name } }' }),
    });
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^application\/graphql-response\+json/);
  });

  it('serves queries over GET', async () => {
    const response = await t.request({
      method: 'GET',
      search: `?query=${encodeURIComponent('{ operators { name } }')}`,
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(200);
    expect((response.body.data?.['operators'] as unknown[]).length).toBe(12);
  });

  it('rejects a mutation over GET with 405', async () => {
    const response = await t.request({
      method: 'GET',
      search: `?query=${encodeURIComponent('mutation { revokeApiToken(id: "x") { id } }')}`,
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(405);
  });

  it('blocks a GET without a preflight-forcing header as possible CSRF', async () => {
    const response = await t.request({ method: 'GET', search: `?query=${encodeURIComponent('{ operators { name } }')}` });
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/Cross-Site Request Forgery/i);
  });

  it('answers a malformed JSON body with 400 and a clear error, in GraphQL shape', async () => {
    const response = await t.request({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "{ operators { name } }"' });
    expect(response.status).toBe(400);
    expect(errorCode(response)).toBe('BAD_REQUEST');
    expect(response.body.errors?.[0]?.message).toMatch(/malformed JSON body: expected a JSON object/);
  });

  it('answers a body over the size limit with 413', async () => {
    const response = await t.request({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ operators { name } } # ${'x'.repeat(8_000)}` }),
    });
    expect(response.status).toBe(413);
    expect(response.body.errors?.[0]?.message).toMatch(/expected at most 4096 bytes/);
  });

  it('rejects unknown fields as a validation error with 400', async () => {
    const response = await t.gql('{ operators { name nonsense } }');
    expect(response.status).toBe(400);
    expect(errorCode(response)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.body.errors?.[0]?.message).toMatch(/nonsense/);
  });

  it('rejects unparsable queries with 400 GRAPHQL_PARSE_FAILED', async () => {
    const response = await t.gql('{ operators { name }');
    expect(response.status).toBe(400);
    expect(errorCode(response)).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('rejects bad variables with BAD_USER_INPUT', async () => {
    const response = await t.gql('query ($first: Int) { tasks(dataset: "gsm8k", first: $first) { nodes { id } } }', { first: 'ten' });
    expect(response.status).toBe(400);
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
  });

  it('rejects a query deeper than the limit with a message saying expected vs got', async () => {
    const deep = '{ experiments { edges { node { runs { edges { node { experiment { runs { nodes { id } } } } } } } } } }';
    const response = await t.gql(deep);
    expect(response.status).toBe(400);
    expect(errorCode(response)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.body.errors?.[0]?.message).toMatch(/query too deep: expected a nesting depth of at most 6/);
  });

  it('rejects a query whose estimated cost exceeds the limit', async () => {
    const response = await t.gql('{ experiments(first: 100) { nodes { id name latestRun { id } runs(first: 100) { nodes { id } } } } }');
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.message).toMatch(/query too complex: expected an estimated cost of at most 2000, got \d+/);
  });

  it('allows introspection', async () => {
    const response = await t.gql('{ __schema { queryType { name } types { name fields { name type { name ofType { name ofType { name } } } } } } }');
    expect(response.status).toBe(200);
    expect(response.body.data?.['__schema']).toMatchObject({ queryType: { name: 'Query' } });
  });

  it('reports health on /healthz', async () => {
    const response = await fetch(t.url.replace('/graphql', '/healthz'));
    expect(await response.json()).toEqual({ ok: true });
  });

  it('applies the same depth limit to operations over graphql-ws', async () => {
    const subscription = subscribe(
      t.wsClient(t.adminToken),
      'subscription { experimentUpdated { experiment { runs { edges { node { experiment { runs { nodes { id } } } } } } } } }',
    );
    const error = await subscription.done.then(() => undefined, (e: unknown) => e);
    expect(JSON.stringify(error)).toMatch(/query too deep/);
    expect(JSON.stringify(error)).toMatch(/GRAPHQL_VALIDATION_FAILED/);
  });
});
