/**
 * Closed set of error codes raised by `@flowsteer/core`. Callers branch on `code`, never on message text.
 * @public
 */
export type CoreErrorCode =
  | 'DSL_PARSE'
  | 'CANVAS_INVALID'
  | 'ACTION_INVALID'
  | 'DATASET_INVALID'
  | 'TASK_NOT_FOUND'
  | 'SANDBOX_UNAVAILABLE'
  | 'OPERATOR_FAILED'
  | 'OPERATOR_UNKNOWN'
  | 'BACKEND_FAILED'
  | 'BUDGET_EXCEEDED'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'CONFIG_INVALID'
  | 'INTERNAL';

/**
 * The one error class of the core package: a stable `code`, a message that says what was expected and
 * what was received (prefixed `[core]`), an optional `cause`, and whether retrying may help.
 * @public
 */
export class CoreError extends Error {
  override readonly name = 'CoreError';
  readonly code: CoreErrorCode;
  readonly retryable: boolean;

  constructor(code: CoreErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message.startsWith('[') ? message : `[core] ${message}`, { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** Normalises any thrown value into a CoreError, keeping the original as `cause` (and its stack). @public */
export function toCoreError(error: unknown, code: CoreErrorCode = 'INTERNAL'): CoreError {
  if (error instanceof CoreError) return error;
  if (error instanceof Error) {
    const wrapped = new CoreError(code, error.message, { cause: error });
    if (error.stack) wrapped.stack = error.stack;
    return wrapped;
  }
  return new CoreError(code, String(error), { cause: error });
}

/** True when `error` is a CoreError, optionally with the given code. @public */
export function isCoreError(error: unknown, code?: CoreErrorCode): error is CoreError {
  return error instanceof CoreError && (code === undefined || error.code === code);
}
