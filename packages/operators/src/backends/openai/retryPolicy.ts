/**
 * When a failed call to an OpenAI-compatible endpoint is worth repeating, and after how long: exponential
 * backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"), unless the server said
 * how long to wait (`retry-after-ms`, `retry-after` in seconds or as an HTTP date), which then wins.
 * @public
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';

/** Why one attempt failed. */
export type AttemptFailureKind =
  /** HTTP error status (`status` set). */
  | 'http'
  /** No response within the per-request timeout. */
  | 'timeout'
  /** Connection refused / reset / DNS: no HTTP response at all. */
  | 'connection'
  /** A 2xx response whose body is not a chat completion (bad JSON, no choices, no message). */
  | 'malformed'
  /** The reply was cut at max_tokens before any content. */
  | 'truncated'
  /** Anything else (a bug, an SDK change). */
  | 'unexpected';

/** A classified attempt failure. */
export interface AttemptFailure {
  readonly kind: AttemptFailureKind;
  readonly retryable: boolean;
  /** HTTP status, for `http`. */
  readonly status?: number;
  /** Server-requested wait before the next attempt, when it sent one. */
  readonly retryAfterMs?: number;
  /** One line saying what happened (never contains the API key). */
  readonly detail: string;
  readonly cause: unknown;
}

/** Backoff settings. */
export interface BackoffOptions {
  /** First backoff ceiling; doubles per retry. */
  readonly baseDelayMs: number;
  /** Largest backoff ceiling. */
  readonly maxDelayMs: number;
  /** Uniform [0, 1) source; injectable for tests. */
  readonly random: () => number;
}

/**
 * Milliseconds to wait before retry number `retry` (0 = the first retry): a uniform draw in
 * [0, min(maxDelayMs, baseDelayMs · 2^retry)] — "full jitter", which spreads clients that failed together.
 */
export function backoffDelay(retry: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  return Math.floor(options.random() * ceiling);
}

/**
 * Reads the server's requested wait from response headers: `retry-after-ms` (milliseconds, OpenAI's
 * extension) first, then `retry-after` as delay-seconds (fractions accepted) or an HTTP date. Returns
 * undefined when absent or unreadable; a date in the past means 0.
 */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms')?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.ceil(Number(ms));
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** HTTP statuses that a later attempt may fix: request timeout, lock conflict, rate limit, server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Classifies what an attempt threw. `timedOut` says our own per-attempt timer fired (the SDK then reports
 * a user abort, which must not be mistaken for the caller's abort; the caller's abort is handled before).
 */
export function classifyFailure(error: unknown, timedOut: boolean): AttemptFailure {
  if (timedOut || error instanceof APIConnectionTimeoutError) {
    return { kind: 'timeout', retryable: true, detail: 'no response before the timeout', cause: error };
  }
  if (error instanceof APIConnectionError) {
    const reason = error.cause instanceof Error ? `${error.message} (${causeChain(error.cause)})` : error.message;
    return { kind: 'connection', retryable: true, detail: `connection failed: ${reason}`, cause: error };
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const headers = error.headers as { get(name: string): string | null } | undefined;
    // OpenAI's explicit hint beats the status rule, as in the SDK's own policy.
    const hint = headers?.get('x-should-retry');
    const retryable = hint === 'true' ? true : hint === 'false' ? false : isRetryableStatus(error.status);
    const retryAfterMs = parseRetryAfter(headers);
    return {
      kind: 'http',
      retryable,
      status: error.status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      detail: `HTTP ${error.message}`,
      cause: error,
    };
  }
  if (error instanceof SyntaxError) {
    return { kind: 'malformed', retryable: true, detail: `the response body is not valid JSON (${error.message})`, cause: error };
  }
  if (error instanceof MalformedReplyError) {
    return { kind: 'malformed', retryable: true, detail: error.message, cause: error };
  }
  if (error instanceof TruncatedReplyError) {
    return { kind: 'truncated', retryable: false, detail: error.message, cause: error };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'unexpected', retryable: false, detail: `unexpected error: ${message}`, cause: error };
}

/** A 2xx reply that is not a usable chat completion; retried like a transport error. */
export class MalformedReplyError extends Error {
  override readonly name = 'MalformedReplyError';
}

/** A reply cut at max_tokens with no content at all; the same request would be cut again, so not retried. */
export class TruncatedReplyError extends Error {
  override readonly name = 'TruncatedReplyError';
}

function causeChain(error: Error): string {
  const parts = [error.message];
  let cause: unknown = error.cause;
  while (cause instanceof Error && parts.length < 4) {
    parts.push('code' in cause && typeof cause.code === 'string' ? `${cause.code}: ${cause.message}` : cause.message);
    cause = cause.cause;
  }
  return parts.join(' ← ');
}
