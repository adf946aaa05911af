/**
 * `createTestServer()`: the real server on port 0 over an in-memory PGlite database with the real repositories,
 * a fake jobs layer, and the bundled dataset samples; plus HTTP (`fetch`) and graphql-ws clients. Call
 * `close()` in `afterAll`.
 */
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { ensureAdmin } from '../../src/auth/bootstrap.ts';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { createApiToken, createEpisode, createUser, updateRunStatus } from '../../src/db/repositories/index.ts';
import type { UserRole } from '../../src/db/schema.ts';
import { createMemoryPubSub } from '../../src/events/memoryPubSub.ts';
import type { PubSub } from '../../src/events/pubSub.ts';
import type { EvaluateJobInput, EvaluationReport, Jobs, RunAgentJobInput } from '../../src/graphql/context.ts';
import { createCatalog } from '../../src/graphql/taskCatalog.ts';
import { createFlowsteerServer, type FlowsteerServer, type FlowsteerServerOptions } from '../../src/http/server.ts';

/** A jobs layer that records calls and does the minimum the API contract needs. */
export interface FakeJobs extends Jobs {
  readonly calls: { method: string; arg: unknown }[];
  /** Replace to make evaluate fail or return something else. */
  evaluateImpl: (input: EvaluateJobInput) => Promise<EvaluationReport>;
}

export function createFakeJobs(database: () => Database): FakeJobs {
  const calls: { method: string; arg: unknown }[] = [];
  const setStatus = async (method: string, runId: string, status: 'running' | 'paused' | 'stopped') => {
    calls.push({ method, arg: runId });
    await updateRunStatus(database().db, runId, status);
  };
  const jobs: FakeJobs = {
    calls,
    startRun: (runId) => setStatus('startRun', runId, 'running'),
    pauseRun: (runId) => setStatus('pauseRun', runId, 'paused'),
    resumeRun: (runId) => setStatus('resumeRun', runId, 'running'),
    stopRun: (runId) => setStatus('stopRun', runId, 'stopped'),
    async runAgent(input: RunAgentJobInput) {
      calls.push({ method: 'runAgent', arg: input });
      const episode = await createEpisode(database().db, {
        kind: 'agent',
        policy: input.policy ?? 'checkpoint',
        checkpointId: input.checkpointId ?? null,
        taskId: input.taskId ?? 'question',
        dataset: input.taskId?.split('/')[0] ?? 'question',
        question: input.question ?? 'a catalogue task',
        backend: input.backend,
        createdBy: input.userId,
      });
      return { episodeId: episode.id };
    },
    evaluateImpl: async (input) => ({
      backend: input.backend,
      simulated: input.backend === 'sim',
      label: 'SIMULATED executor (fake) — not LLM results',
      datasets: input.datasets.map((dataset) => ({ dataset, metric: 'accuracy', count: input.limit, score: 0.5 })),
      episodeIds: [],
    }),
    evaluate: (input) => {
      calls.push({ method: 'evaluate', arg: input });
      return jobs.evaluateImpl(input);
    },
  };
  return jobs;
}

export interface GraphqlResponse {
  status: number;
  contentType: string | null;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
  text: string;
}

export interface TestServer {
  readonly url: string;
  readonly wsUrl: string;
  readonly database: Database;
  readonly pubSub: PubSub;
  readonly jobs: FakeJobs;
  readonly server: FlowsteerServer;
  /** Masked errors the server logged. */
  readonly logged: unknown[];
  /** Token of the bootstrap admin. */
  readonly adminToken: string;
  /** Creates a user with `role` and returns its token. */
  tokenFor(role: UserRole, name?: string): Promise<string>;
  /** POSTs a GraphQL request and parses the JSON answer. */
  gql(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphqlResponse>;
  /** Any HTTP request to the GraphQL endpoint. */
  request(init: RequestInit & { search?: string }): Promise<GraphqlResponse>;
  /** A graphql-ws client (closed by `close()`). */
  wsClient(token?: string): Client;
  close(): Promise<void>;
}

let userCounter = 0;

export async function createTestServer(
  options: Partial<Pick<FlowsteerServerOptions, 'maxQueryDepth' | 'maxComplexity' | 'maxBodyBytes' | 'webSocketKeepAliveMs'>> = {},
): Promise<TestServer> {
  const database = await openDatabase({ dataDir: 'memory://' });
  const pubSub = createMemoryPubSub();
  const jobs = createFakeJobs(() => database);
  const logged: unknown[] = [];
  const server = await createFlowsteerServer({
    database,
    pubSub,
    jobs,
    catalog: createCatalog({ sharedDir: null }),
    logError: (_message, error) => logged.push(error),
    ...options,
  });
  const url = await server.listen(0, '127.0.0.1');
  const admin = await ensureAdmin(database.db);
  if (!admin) throw new Error('expected a fresh database to bootstrap an admin');
  const clients: Client[] = [];

  const request = async (init: RequestInit & { search?: string }): Promise<GraphqlResponse> => {
    const response = await fetch(`${url}${init.search ?? ''}`, init);
    const text = await response.text();
    let body: GraphqlResponse['body'] = {};
    try {
      body = JSON.parse(text) as GraphqlResponse['body'];
    } catch {
      body = {};
    }
    return { status: response.status, contentType: response.headers.get('content-type'), body, text };
  };

  return {
    url,
    wsUrl: server.wsUrl!,
    database,
    pubSub,
    jobs,
    server,
    logged,
    adminToken: admin.token,
    async tokenFor(role, name) {
      userCounter += 1;
      const user = await createUser(database.db, { name: name ?? `${role}-${userCounter}`, role });
      return (await createApiToken(database.db, user.id, 'test')).token;
    },
    gql: (query, variables, token) =>
      request({
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
      }),
    request,
    wsClient(token) {
      const client = createClient({
        url: server.wsUrl!,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
        ...(token ? { connectionParams: { authToken: token } } : {}),
      });
      clients.push(client);
      return client;
    },
    async close() {
      // dispose() rejects for a client whose connection failed; that failure was reported to its sinks already.
      await Promise.all(clients.map((client) => Promise.resolve(client.dispose()).catch(() => undefined)));
      await server.close();
      await pubSub.close();
      await database.close();
    },
  };
}

/** A subscription's received results, its end, and a way to wait for the n-th result. */
export interface Subscription {
  readonly results: FormattedExecutionResult<Record<string, unknown>, unknown>[];
  /** Resolves when the server completes the subscription; rejects with the error it sent. */
  readonly done: Promise<void>;
  /** Resolves once at least `count` results arrived. */
  waitFor(count: number): Promise<void>;
  unsubscribe(): void;
}

export function subscribe(client: Client, query: string, variables?: Record<string, unknown>): Subscription {
  const results: FormattedExecutionResult<Record<string, unknown>, unknown>[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let unsubscribe = () => {};
  const done = new Promise<void>((resolve, reject) => {
    unsubscribe = client.subscribe<Record<string, unknown>>(
      { query, ...(variables ? { variables } : {}) },
      {
        next: (value) => {
          results.push(value);
          for (const waiter of waiters.filter((w) => results.length >= w.count)) waiter.resolve();
        },
        error: reject,
        complete: resolve,
      },
    );
  });
  done.catch(() => undefined);
  return {
    results,
    done,
    waitFor: (count) => (results.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    unsubscribe: () => unsubscribe(),
  };
}

/** First error code of a response. */
export function errorCode(response: GraphqlResponse): string | undefined {
  return response.body.errors?.[0]?.extensions?.code;
}
