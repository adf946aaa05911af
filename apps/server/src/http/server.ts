/**
 * The HTTP server: one `node:http` server carrying express 5 + Apollo Server 5 at `/graphql` (GraphQL over
 * HTTP: POST, GET for queries, `application/graphql-response+json` when accepted) and graphql-ws on the same
 * path. It owns neither the database nor the pub/sub nor the jobs: the caller opens and closes those.
 * @public
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import { authenticate, tokenFromAuthorizationHeader } from '../auth/viewer.ts';
import type { Database } from '../db/client.ts';
import { ENV_DEFAULTS } from '../env.ts';
import type { PubSub } from '../events/pubSub.ts';
import type { GraphqlContext, GraphqlServices, Jobs } from '../graphql/context.ts';
import { createErrorFormatter, logToStderr, type ErrorLogger } from '../graphql/errors.ts';
import { complexityLimitRule, depthLimitRule } from '../graphql/limits.ts';
import { schema as defaultSchema } from '../graphql/schema.ts';
import { createCatalog, type Catalog } from '../graphql/taskCatalog.ts';
import { bodyErrorHandler } from './bodyErrors.ts';
import { attachGraphqlWs } from './graphqlWs.ts';

/** Path of the GraphQL endpoint, for HTTP and WebSocket. @public */
export const GRAPHQL_PATH = '/graphql';

/** Options of {@link createFlowsteerServer}. @public */
export interface FlowsteerServerOptions {
  /** The open database (only `db` is used; closing it is the caller's job). */
  readonly database: Pick<Database, 'db'>;
  readonly pubSub: PubSub;
  readonly jobs: Jobs;
  /** Operators, datasets and tasks. @default createCatalog({ datasetsDir }) */
  readonly catalog?: Catalog;
  /** Folder searched first for datasets when no `catalog` is given (`Env.datasetsDir`). */
  readonly datasetsDir?: string;
  /** @default ENV_DEFAULTS.maxQueryDepth */
  readonly maxQueryDepth?: number;
  /** @default ENV_DEFAULTS.maxComplexity */
  readonly maxComplexity?: number;
  /** @default ENV_DEFAULTS.maxBodyBytes */
  readonly maxBodyBytes?: number;
  /** Browser origins allowed to call the API cross-origin (the dashboard in dev). @default none */
  readonly corsOrigins?: readonly string[];
  /** Interval of WebSocket keep-alive pings; a socket that misses a pong for as long is dropped. 0 disables. @default 12000 */
  readonly webSocketKeepAliveMs?: number;
  /** Receives masked internal errors with their original. @default stderr */
  readonly logError?: ErrorLogger;
  /** @default the FlowSteer schema */
  readonly schema?: GraphQLSchema;
}

/** A started server. @public */
export interface FlowsteerServer {
  /** Listens (port 0 picks a free one) and resolves with the HTTP URL of the GraphQL endpoint. */
  listen(port?: number, host?: string): Promise<string>;
  /** `http://host:port/graphql` once listening. */
  readonly url: string | undefined;
  /** `ws://host:port/graphql` once listening. */
  readonly wsUrl: string | undefined;
  /** The underlying node:http server (to attach more upgrade handlers, e.g. collaboration). */
  readonly httpServer: Server;
  /** Stops accepting, closes sockets (open subscriptions end), drains HTTP; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Builds and starts the server (Apollo needs `start()` before the middleware is mounted); call `listen` next.
 * @public
 */
export async function createFlowsteerServer(options: FlowsteerServerOptions): Promise<FlowsteerServer> {
  const schema = options.schema ?? defaultSchema;
  const logError = options.logError ?? logToStderr;
  const format = createErrorFormatter(logError);
  const validationRules = [
    depthLimitRule(options.maxQueryDepth ?? ENV_DEFAULTS.maxQueryDepth),
    complexityLimitRule(options.maxComplexity ?? ENV_DEFAULTS.maxComplexity),
  ];
  const services: GraphqlServices = {
    db: options.database.db,
    pubSub: options.pubSub,
    jobs: options.jobs,
    catalog: options.catalog ?? createCatalog(options.datasetsDir === undefined ? {} : { datasetsDir: options.datasetsDir }),
  };

  const app = express();
  const httpServer = createServer(app);
  const ws = attachGraphqlWs({
    httpServer,
    path: GRAPHQL_PATH,
    schema,
    services,
    validationRules,
    format,
    keepAliveMs: options.webSocketKeepAliveMs ?? 12_000,
  });

  const apollo = new ApolloServer<GraphqlContext>({
    schema,
    validationRules,
    introspection: true,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    formatError: format,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // The WebSocket side is disposed here and only here: disposing it again after apollo.stop() closes the
      // ws server twice and crashes ("The server is not running", STACK.md §2).
      { serverWillStart: async () => ({ drainServer: () => ws.dispose() }) },
    ],
  });
  await apollo.start();

  const maxBodyBytes = options.maxBodyBytes ?? ENV_DEFAULTS.maxBodyBytes;
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(
    GRAPHQL_PATH,
    cors({ origin: [...(options.corsOrigins ?? [])] }),
    express.json({ limit: maxBodyBytes }),
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<GraphqlContext> => ({
        ...services,
        auth: await authenticate(services.db, tokenFromAuthorizationHeader(req.headers.authorization)),
      }),
    }),
  );
  app.use(bodyErrorHandler({ maxBodyBytes, logError }));

  let address: { url: string; wsUrl: string } | undefined;
  let closing: Promise<void> | undefined;
  return {
    get url() {
      return address?.url;
    },
    get wsUrl() {
      return address?.wsUrl;
    },
    httpServer,
    async listen(port = ENV_DEFAULTS.port, host = ENV_DEFAULTS.host) {
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      const bound = httpServer.address() as AddressInfo;
      const hostPart = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
      address = { url: `http://${hostPart}:${bound.port}${GRAPHQL_PATH}`, wsUrl: `ws://${hostPart}:${bound.port}${GRAPHQL_PATH}` };
      return address.url;
    },
    close() {
      // apollo.stop() runs the drain plugins: HTTP connections drain, then the WebSocket side is disposed.
      closing ??= apollo.stop();
      return closing;
    },
  };
}
