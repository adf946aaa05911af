/**
 * The one error class of the server. Resolvers, repositories, auth and jobs throw `AppError` with a code from a
 * closed union; the GraphQL layer (`graphql/errors.ts`) maps the code to `extensions.code` and masks every other
 * error. Messages say what was expected and what was received, prefixed `[server]`.
 * @public
 */
// Type-only: repositories import this file, and a value import of core would load TensorFlow.js into them.
import type { CoreError, CoreErrorCode } from '@flowsteer/core';

/** Closed set of server error codes; clients branch on these, never on message text. @public */
export type AppErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'INTERNAL';

/** Every {@link AppErrorCode}, for exhaustive checks and tests. @public */
export const APP_ERROR_CODES: readonly AppErrorCode[] = Object.freeze([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'INTERNAL',
]);

/**
 * A server error with a stable `code` and an optional `cause`. Throw it for anything a client should be told
 * about; anything else thrown inside a resolver reaches the client only as "Internal server error".
 * @public
 */
export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly code: AppErrorCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message.startsWith('[') ? message : `[server] ${message}`, { cause: options.cause });
  }
}

/** True when `error` is an AppError, optionally with the given code. @public */
export function isAppError(error: unknown, code?: AppErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}

// Core errors caused by what the client sent become BAD_USER_INPUT; the rest (sandbox, backend, internal) stay
// internal so their details are masked.
const CORE_INPUT_CODES: ReadonlySet<CoreErrorCode> = new Set<CoreErrorCode>([
  'DSL_PARSE',
  'CANVAS_INVALID',
  'ACTION_INVALID',
  'DATASET_INVALID',
  'CONFIG_INVALID',
  'OPERATOR_UNKNOWN',
]);

/**
 * Normalises any thrown value into an AppError, keeping the original as `cause` and its stack. Core errors that
 * describe bad input become BAD_USER_INPUT (their message is meant for users), TASK_NOT_FOUND becomes NOT_FOUND,
 * everything else INTERNAL.
 * @public
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isCoreErrorLike(error)) {
    const code: AppErrorCode = CORE_INPUT_CODES.has(error.code)
      ? 'BAD_USER_INPUT'
      : error.code === 'TASK_NOT_FOUND'
        ? 'NOT_FOUND'
        : 'INTERNAL';
    const wrapped = new AppError(code, error.message, { cause: error });
    if (error.stack) wrapped.stack = error.stack;
    return wrapped;
  }
  if (error instanceof Error) {
    const wrapped = new AppError('INTERNAL', error.message, { cause: error });
    if (error.stack) wrapped.stack = error.stack;
    return wrapped;
  }
  return new AppError('INTERNAL', String(error), { cause: error });
}

function isCoreErrorLike(error: unknown): error is CoreError {
  return error instanceof Error && error.name === 'CoreError' && typeof (error as { code?: unknown }).code === 'string';
}
