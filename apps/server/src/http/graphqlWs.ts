/**
 * graphql-ws on the HTTP server's GraphQL path. The same schema, validation rules (depth, complexity) and error
 * shaping as the HTTP side; the token comes from `connectionParams.authToken` and is re-checked for every
 * operation, so a token revoked between operations stops working on an already open socket.
 * @public
 */
import type { Server } from 'node:http';
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { authenticate, tokenFromConnectionParams } from '../auth/viewer.ts';
import type { GraphqlContext, GraphqlServices } from '../graphql/context.ts';
import { formatSocketError, type createErrorFormatter } from '../graphql/errors.ts';

/** Options of {@link attachGraphqlWs}. @internal */
export interface GraphqlWsOptions {
  readonly httpServer: Server;
  readonly path: string;
  readonly schema: GraphQLSchema;
  readonly services: GraphqlServices;
  readonly validationRules: readonly ValidationRule[];
  readonly format: ReturnType<typeof createErrorFormatter>;
  /** Ping interval (ms); 0 disables keep-alive. */
  readonly keepAliveMs: number;
}

/**
 * Routes WebSocket upgrades for `path` to graphql-ws. `noServer` + our own routing, because several `ws` servers
 * attached to one HTTP server with different paths abort each other's handshakes (collaboration comes next).
 * `dispose()` closes every socket (open subscriptions end) and is idempotent.
 * @internal
 */
export function attachGraphqlWs(options: GraphqlWsOptions): { dispose(): Promise<void> } {
  const { schema, services, format } = options;
  const wss = new WebSocketServer({ noServer: true });
  options.httpServer.on('upgrade', (request, socket, head) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (pathname === options.path) {
      wss.handleUpgrade(request, socket, head, (client) => wss.emit('connection', client, request));
    } else if (options.httpServer.listenerCount('upgrade') === 1) {
      // Nobody else handles this path: refuse instead of leaving the socket hanging.
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    }
  });
  const rules = [...specifiedRules, ...options.validationRules];

  const cleanup = useServer(
    {
      schema,
      // A generic message on internal socket errors; details go to the server log only.
      isProd: true,
      context: async (ctx): Promise<GraphqlContext> => ({
        ...services,
        auth: await authenticate(services.db, tokenFromConnectionParams(ctx.connectionParams)),
      }),
      onSubscribe: (_ctx, _id, payload) => {
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          return [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const errors = validate(schema, document, rules);
        if (errors.length > 0) {
          return errors.map((error) => new GraphQLError(error.message, { nodes: error.nodes ?? null, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
        }
        return {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
        };
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((error) => formatSocketError(format, error)) } : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => formatSocketError(format, error)),
    },
    wss,
    options.keepAliveMs,
  );

  let disposing: Promise<void> | undefined;
  return {
    dispose: () => (disposing ??= cleanup.dispose() as Promise<void>),
  };
}
