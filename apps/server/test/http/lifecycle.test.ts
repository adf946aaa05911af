import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ensureAdmin } from '../../src/auth/bootstrap.ts';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { createMemoryPubSub } from '../../src/events/memoryPubSub.ts';
import { createCatalog } from '../../src/graphql/taskCatalog.ts';
import { createFlowsteerServer } from '../../src/http/server.ts';
import { createFakeJobs } from '../graphql/testServer.ts';

let database: Database;
beforeAll(async () => {
  database = await openDatabase({ dataDir: 'memory://' });
});
afterAll(async () => database.close());

const options = () => ({ database, pubSub: createMemoryPubSub(), jobs: createFakeJobs(() => database), catalog: createCatalog({ sharedDir: null }) });

describe('server lifecycle', () => {
  it('closes a server that never listened, and closing twice is safe', async () => {
    const server = await createFlowsteerServer(options());
    await server.close();
    await server.close();
  });

  it('ends open subscriptions and stops listening on close', async () => {
    const admin = await ensureAdmin(database.db);
    const server = await createFlowsteerServer(options());
    await server.listen(0, '127.0.0.1');
    const client = createClient({ url: server.wsUrl!, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authToken: admin?.token } });
    const ended = new Promise<unknown>((resolve) => {
      client.subscribe({ query: 'subscription { experimentUpdated { change } }' }, { next: () => undefined, error: resolve, complete: () => resolve('complete') });
    });
    await new Promise<void>((resolve) => client.on('connected', () => resolve()));
    await server.close();
    const outcome = await ended;
    expect(outcome).toBeDefined();
    await expect(fetch(server.url!, { method: 'POST' })).rejects.toThrow();
    await client.dispose();
  });

  it('refuses WebSocket upgrades on other paths', async () => {
    const server = await createFlowsteerServer(options());
    await server.listen(0, '127.0.0.1');
    const socket = new WebSocket(server.wsUrl!.replace('/graphql', '/elsewhere'));
    const failure = await new Promise<string>((resolve) => {
      socket.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      socket.on('error', (error) => resolve(error.message));
    });
    expect(failure).toMatch(/404/);
    await server.close();
  });
});
