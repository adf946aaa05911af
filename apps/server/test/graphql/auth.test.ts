import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdmin } from '../../src/auth/bootstrap.ts';
import { countUsers } from '../../src/db/repositories/index.ts';
import { createTestServer, errorCode, subscribe, type TestServer } from './testServer.ts';

let t: TestServer;
let viewerToken: string;
let editorToken: string;
beforeAll(async () => {
  t = await createTestServer();
  viewerToken = await t.tokenFor('viewer');
  editorToken = await t.tokenFor('editor');
});
afterAll(async () => t.close());

const CREATE_WORKFLOW = 'mutation { createWorkflow(input: { name: "w", dsl: "Plan -> Format" }) { id } }';

describe('identity and access', () => {
  it('bootstraps one admin with a one-time token on an empty database only', async () => {
    expect(await countUsers(t.database.db)).toBeGreaterThanOrEqual(1);
    expect(await ensureAdmin(t.database.db)).toBeNull();
    const viewer = await t.gql('{ viewer { name role } }', undefined, t.adminToken);
    expect(viewer.body.data).toEqual({ viewer: { name: 'admin', role: 'ADMIN' } });
  });

  it('answers protected fields without a token with UNAUTHENTICATED and says what to send', async () => {
    const response = await t.gql('{ experiments { nodes { id } } }');
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
    expect(response.body.errors?.[0]?.message).toMatch(/expected 'Authorization: Bearer <token>'/);
  });

  it('serves the public catalogue and a null viewer without a token', async () => {
    const response = await t.gql('{ viewer { id } datasets { name } }');
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.['viewer']).toBeNull();
  });

  it('explains a token in the wrong scheme or an unknown token', async () => {
    const basic = await t.request({
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic abc' },
      body: JSON.stringify({ query: '{ experiments { nodes { id } } }' }),
    });
    expect(basic.body.errors?.[0]?.message).toMatch(/got scheme 'Basic'/);
    const unknown = await t.gql('{ experiments { nodes { id } } }', undefined, 'fs_not-a-real-token');
    expect(errorCode(unknown)).toBe('UNAUTHENTICATED');
    expect(unknown.body.errors?.[0]?.message).toMatch(/unknown or has been revoked/);
  });

  it('lets viewers read but answers their mutations with FORBIDDEN, writing nothing', async () => {
    const read = await t.gql('{ experiments { nodes { id } } }', undefined, viewerToken);
    expect(read.body.errors).toBeUndefined();
    const write = await t.gql(CREATE_WORKFLOW, undefined, viewerToken);
    expect(errorCode(write)).toBe('FORBIDDEN');
    const list = await t.gql('{ workflows { nodes { id } } }', undefined, viewerToken);
    expect(list.body.data).toEqual({ workflows: { nodes: [] } });
  });

  it('lets editors mutate', async () => {
    const response = await t.gql(CREATE_WORKFLOW, undefined, editorToken);
    expect(response.body.errors).toBeUndefined();
  });

  it('lets only admins create users; the new user can authenticate with the returned token', async () => {
    const denied = await t.gql('mutation { createUser(name: "eve", role: ADMIN) { token } }', undefined, editorToken);
    expect(errorCode(denied)).toBe('FORBIDDEN');
    const created = await t.gql('mutation { createUser(name: "dana", role: VIEWER) { token user { name role } } }', undefined, t.adminToken);
    const token = (created.body.data?.['createUser'] as { token: string }).token;
    const viewer = await t.gql('{ viewer { name role } }', undefined, token);
    expect(viewer.body.data).toEqual({ viewer: { name: 'dana', role: 'VIEWER' } });
  });

  it('lets any user manage their own tokens but not see or revoke others', async () => {
    const created = await t.gql('mutation { createApiToken(name: "laptop") { token apiToken { id prefix } } }', undefined, viewerToken);
    const { token, apiToken } = created.body.data?.['createApiToken'] as { token: string; apiToken: { id: string; prefix: string } };
    expect(token.startsWith(apiToken.prefix)).toBe(true);
    const foreign = await t.gql(`mutation { revokeApiToken(id: "${apiToken.id}") { id } }`, undefined, editorToken);
    expect(errorCode(foreign)).toBe('NOT_FOUND');
    const own = await t.gql(`mutation { revokeApiToken(id: "${apiToken.id}") { revokedAt } }`, undefined, token);
    expect(own.body.errors).toBeUndefined();
    const after = await t.gql('{ viewer { id } experiments { nodes { id } } }', undefined, token);
    expect(errorCode(after)).toBe('UNAUTHENTICATED');
  });

  it('ends an open subscription with UNAUTHENTICATED when its token is revoked', async () => {
    const created = await t.gql('mutation { createApiToken(name: "socket") { token apiToken { id } } }', undefined, editorToken);
    const { token, apiToken } = created.body.data?.['createApiToken'] as { token: string; apiToken: { id: string } };
    const client = t.wsClient(token);
    const subscription = subscribe(client, 'subscription { experimentUpdated { change experimentId } }');
    // The subscription is live once an event published after subscribing arrives.
    await expect.poll(async () => {
      await t.pubSub.publish('experiments', { experimentId: '00000000-0000-4000-8000-000000000000', change: 'updated' });
      return subscription.results.length;
    }).toBeGreaterThan(0);
    const revoke = await t.gql(`mutation { revokeApiToken(id: "${apiToken.id}") { id } }`, undefined, token);
    expect(revoke.body.errors).toBeUndefined();
    const error = await subscription.done.then(() => 'completed', (e: unknown) => e);
    expect(JSON.stringify(error)).toMatch(/UNAUTHENTICATED/);
    expect(JSON.stringify(error)).toMatch(/revoked/);
  });

  it('refuses a subscription without a token', async () => {
    const subscription = subscribe(t.wsClient(), 'subscription { experimentUpdated { change } }');
    // A failing subscribe resolver is answered by graphql-ws as one result carrying the error, then complete.
    await subscription.done;
    expect(subscription.results[0]?.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });
});
