/**
 * Reads what an OpenAI-compatible server returned for a chat completion, trusting nothing: servers behind
 * proxies send HTML error pages with status 200, local servers omit `usage`, reasoning models spend the
 * whole token limit before writing any content.
 *
 * Decisions (what is never lost):
 * - a body that is not a chat completion (not JSON, no `choices`, no message) → {@link MalformedReplyError},
 *   retried like a transport error, with an excerpt of what came back;
 * - `finish_reason: "length"` WITH content → the partial text is returned as is (operators read partial
 *   answers tolerantly) and the reply is flagged `truncated` (counted in the backend's stats, reported to
 *   `onEvent`);
 * - `finish_reason: "length"` with NO content → {@link TruncatedReplyError}, not retried (the same request
 *   is cut again); its tokens were billed and are still counted;
 * - no `usage` → estimated as ⌈characters / 4⌉ (+4 per message), flagged `estimatedUsage`.
 * @public
 */
import type { LlmMessage, LlmUsage } from '@flowsteer/core';
import { MalformedReplyError, TruncatedReplyError } from './retryPolicy.ts';

/** A usable reply. */
export interface CompletionReply {
  readonly text: string;
  readonly finishReason: string;
  readonly usage: LlmUsage;
  /** The model the server says answered (may differ from the requested alias). */
  readonly servedModel: string | undefined;
  readonly truncated: boolean;
  readonly estimatedUsage: boolean;
}

/** Usage of a reply that could not be used but was billed (attached to the thrown error). */
export interface BilledFailure {
  readonly usage: LlmUsage | undefined;
}

/** Turns the SDK's parsed body into a reply, or throws MalformedReplyError / TruncatedReplyError. */
export function readCompletion(body: unknown, messages: readonly LlmMessage[]): CompletionReply {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new MalformedReplyError(`expected a chat.completion JSON object, got ${excerpt(body)}`);
  }
  const record = body as Record<string, unknown>;
  const usage = readUsage(record['usage']);
  const choices = record['choices'];
  if (!Array.isArray(choices) || choices.length === 0) {
    throw withUsage(new MalformedReplyError(`expected a non-empty "choices" array, got ${excerpt(choices ?? body)}`), usage);
  }
  const choice = choices[0] as Record<string, unknown> | null;
  const message = choice && typeof choice === 'object' ? (choice['message'] as Record<string, unknown> | null | undefined) : undefined;
  if (!message || typeof message !== 'object') {
    throw withUsage(new MalformedReplyError(`expected choices[0].message to be an object, got ${excerpt(choice)}`), usage);
  }
  const content = message['content'];
  if (content !== null && content !== undefined && typeof content !== 'string') {
    throw withUsage(new MalformedReplyError(`expected choices[0].message.content to be a string, got ${excerpt(content)}`), usage);
  }
  const text = content ?? '';
  const finishReason = typeof choice?.['finish_reason'] === 'string' ? (choice['finish_reason'] as string) : 'unknown';
  const truncated = finishReason === 'length';
  if (truncated && text.trim() === '') {
    const spent = usage ? ` after ${usage.completionTokens} completion tokens` : '';
    throw withUsage(
      new TruncatedReplyError(`the reply was cut at the token limit${spent} before any content (finish_reason "length"); raise maxTokens`),
      usage,
    );
  }
  return {
    text,
    finishReason,
    usage: usage ?? estimateUsage(messages, text),
    servedModel: typeof record['model'] === 'string' ? record['model'] : undefined,
    truncated,
    estimatedUsage: usage === undefined,
  };
}

/** Billed usage carried by a reply error, if any. */
export function billedUsageOf(error: unknown): LlmUsage | undefined {
  return error instanceof Error ? (error as Error & Partial<BilledFailure>).usage : undefined;
}

function withUsage<E extends Error>(error: E, usage: LlmUsage | undefined): E {
  return Object.assign(error, { usage });
}

function readUsage(value: unknown): LlmUsage | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const usage = value as Record<string, unknown>;
  const prompt = usage['prompt_tokens'];
  const completion = usage['completion_tokens'];
  if (typeof prompt !== 'number' || typeof completion !== 'number' || prompt < 0 || completion < 0) return undefined;
  return { promptTokens: prompt, completionTokens: completion };
}

/** The sim's accounting rule, used when a server reports no usage. */
function estimateUsage(messages: readonly LlmMessage[], text: string): LlmUsage {
  const promptTokens = messages.reduce((sum, m) => sum + Math.ceil(m.content.length / 4) + 4, 0);
  return { promptTokens, completionTokens: Math.ceil(text.length / 4) };
}

function excerpt(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${JSON.stringify(flat.slice(0, 200))}… (${flat.length} chars)` : JSON.stringify(flat);
}
