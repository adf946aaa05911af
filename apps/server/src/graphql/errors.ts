/**
 * Error shaping for every GraphQL response (HTTP through Apollo's `formatError`, WebSocket through graphql-ws'
 * `onNext` / `onError`): an AppError (or a core error that describes bad input) keeps its message and gets
 * `extensions.code`; GraphQL's own request errors keep Apollo's codes; everything else becomes
 * "Internal server error" with code INTERNAL_SERVER_ERROR, and the original is logged, never sent.
 * @public
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { toAppError, type AppErrorCode } from '../errors.ts';

/** Codes of request errors (parse, validation, variables, HTTP) that reach clients unchanged. @public */
export const REQUEST_ERROR_CODES: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** `extensions.code` of each AppError code (INTERNAL is masked, so it never appears). @public */
export const EXTENSION_CODES: Readonly<Record<Exclude<AppErrorCode, 'INTERNAL'>, string>> = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
};

/** Message and code of every masked error. @public */
export const MASKED_MESSAGE = 'Internal server error';

/** Receives errors that were masked, with the original. @public */
export type ErrorLogger = (message: string, error: unknown) => void;

/** Logs masked errors to stderr. @public */
export const logToStderr: ErrorLogger = (message, error) => {
  console.error(`[server] ${message}`, error);
};

/**
 * Creates the formatter. `formatted` is what graphql-js / Apollo would send, `error` the thrown value (a
 * GraphQLError wrapping the resolver's error).
 * @public
 */
export function createErrorFormatter(log: ErrorLogger = logToStderr): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const where = { ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
    const original = unwrap(error);
    if (isClientError(original)) {
      const appError = toAppError(original);
      if (appError.code !== 'INTERNAL') {
        return { message: appError.message, ...where, extensions: { code: EXTENSION_CODES[appError.code] } };
      }
    }
    const code = formatted.extensions?.['code'];
    if (typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) {
      return { message: formatted.message, ...where, extensions: { code } };
    }
    log(`masked error${formatted.path ? ` at ${formatted.path.join('.')}` : ''}: ${formatted.message}`, original);
    return { message: MASKED_MESSAGE, ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/**
 * Formats a GraphQLError raised on the WebSocket path, where Apollo did not assign request-error codes.
 * graphql-js request errors (variable coercion, a bad subscription document) carry neither a path nor an
 * original error, unlike resolver errors; they are classified BAD_USER_INPUT before formatting.
 * @public
 */
export function formatSocketError(format: ReturnType<typeof createErrorFormatter>, error: GraphQLError): GraphQLFormattedError {
  const formatted = error.toJSON();
  const isRequestError = error.path === undefined && error.originalError === undefined && formatted.extensions?.['code'] === undefined;
  return format(isRequestError ? { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_USER_INPUT' } } : formatted, error);
}

function unwrap(error: unknown): unknown {
  let current = error;
  for (let depth = 0; current instanceof GraphQLError && current.originalError && depth < 5; depth += 1) {
    current = current.originalError;
  }
  return current;
}

// Only our own error classes are trusted to carry client-facing messages; anything else may leak internals.
function isClientError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AppError' || error.name === 'CoreError');
}
