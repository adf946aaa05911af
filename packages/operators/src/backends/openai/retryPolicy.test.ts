import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyFailure, MalformedReplyError, parseRetryAfter, TruncatedReplyError } from './retryPolicy.ts';

const headers = (entries: Record<string, string>): Headers => new Headers(entries);

describe('parseRetryAfter', () => {
  it('prefers retry-after-ms, then reads seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250);
    expect(parseRetryAfter(headers({ 'retry-after': '2' }), now)).toBe(2_000);
    expect(parseRetryAfter(headers({ 'retry-after': '0.5' }), now)).toBe(500);
    expect(parseRetryAfter(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(3_000);
    expect(parseRetryAfter(headers({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }), now)).toBe(0);
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(parseRetryAfter(headers({}), now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('draws in [0, min(max, base·2^retry)] (full jitter)', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(backoffDelay(0, { ...options, random: () => 0.999 })).toBe(99);
    expect(backoffDelay(2, { ...options, random: () => 0.5 })).toBe(200);
    expect(backoffDelay(10, { ...options, random: () => 0.999 })).toBe(999);
    expect(backoffDelay(3, { ...options, random: () => 0 })).toBe(0);
  });
});

describe('classifyFailure', () => {
  it('retries 408/409/429/5xx, timeouts, connection errors and malformed replies; not 4xx or truncation', () => {
    const http = (status: number, extra: Record<string, string> = {}) => classifyFailure(APIError.generate(status, { error: { message: 'x' } }, undefined, headers(extra)), false);
    expect([408, 409, 429, 500, 502, 503].map((s) => http(s).retryable)).toEqual([true, true, true, true, true, true]);
    expect([400, 401, 403, 404, 422].map((s) => http(s).retryable)).toEqual([false, false, false, false, false]);
    expect(http(400, { 'x-should-retry': 'true' }).retryable).toBe(true);
    expect(http(500, { 'x-should-retry': 'false' }).retryable).toBe(false);
    expect(http(429, { 'retry-after': '1' })).toMatchObject({ kind: 'http', status: 429, retryAfterMs: 1_000 });
    expect(classifyFailure(new APIConnectionTimeoutError(), false)).toMatchObject({ kind: 'timeout', retryable: true });
    expect(classifyFailure(new Error('aborted'), true)).toMatchObject({ kind: 'timeout', retryable: true });
    expect(classifyFailure(new APIConnectionError({ message: 'Connection error.', cause: new Error('ECONNREFUSED') }), false)).toMatchObject({ kind: 'connection', retryable: true });
    expect(classifyFailure(new SyntaxError('Unexpected token'), false)).toMatchObject({ kind: 'malformed', retryable: true });
    expect(classifyFailure(new MalformedReplyError('no choices'), false)).toMatchObject({ kind: 'malformed', retryable: true });
    expect(classifyFailure(new TruncatedReplyError('cut'), false)).toMatchObject({ kind: 'truncated', retryable: false });
    expect(classifyFailure(new TypeError('bug'), false)).toMatchObject({ kind: 'unexpected', retryable: false });
  });
});
