/**
 * Turns request-body failures of `express.json()` (malformed JSON, body over the size limit) into GraphQL-shaped
 * error responses with the right status, instead of express' default HTML page. Anything else that reaches it
 * is an internal error: logged, answered with a masked 500.
 * @public
 */
import type { ErrorRequestHandler } from 'express';
import type { ErrorLogger } from '../graphql/errors.ts';
import { MASKED_MESSAGE } from '../graphql/errors.ts';

interface BodyParserError {
  readonly type?: string;
  readonly status?: number;
  readonly length?: number;
  readonly message?: string;
}

/** Options of {@link bodyErrorHandler}. @public */
export interface BodyErrorOptions {
  readonly maxBodyBytes: number;
  readonly logError: ErrorLogger;
}

/** The express error middleware mounted after the GraphQL route. @public */
export function bodyErrorHandler(options: BodyErrorOptions): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const failure = (error ?? {}) as BodyParserError;
    let status = 500;
    let code = 'INTERNAL_SERVER_ERROR';
    let message = MASKED_MESSAGE;
    if (failure.type === 'entity.parse.failed') {
      status = 400;
      code = 'BAD_REQUEST';
      message = `malformed JSON body: expected a JSON object such as {"query": "{ viewer { name } }"}, got invalid JSON (${failure.message ?? 'parse error'})`;
    } else if (failure.type === 'entity.too.large') {
      status = 413;
      code = 'BAD_REQUEST';
      message = `request body too large: expected at most ${options.maxBodyBytes} bytes, got ${failure.length ?? 'more'}`;
    } else if (typeof failure.status === 'number' && failure.status >= 400 && failure.status < 500) {
      status = failure.status;
      code = 'BAD_REQUEST';
      message = `bad request: ${failure.message ?? 'unreadable body'}`;
    } else {
      options.logError(`unhandled HTTP error on ${req.method} ${req.path}`, error);
    }
    // GraphQL over HTTP: clients that accept the GraphQL media type get it; everyone else gets plain JSON.
    const mediaType = req.accepts(['application/graphql-response+json', 'application/json']) || 'application/json';
    res.status(status).type(mediaType).send(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
  };
}
