/**
 * Token, latency and cost accounting of sim replies: ~4 characters per token, a per-message overhead,
 * latency from the profile's speed (simulated, not slept) and cost from the imitated model's prices.
 * @internal
 */
import type { LlmMessage, LlmUsage } from '@flowsteer/core';
import type { SimProfile } from './profiles.ts';
import type { Rng } from './rng.ts';

const CHARS_PER_TOKEN = 4;
const MESSAGE_OVERHEAD_TOKENS = 4;

/** Token estimate of a text. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** Token usage of a request and its reply. */
export function usageOf(messages: readonly LlmMessage[], reply: string): LlmUsage {
  let prompt = 0;
  for (const message of messages) prompt += estimateTokens(message.content) + MESSAGE_OVERHEAD_TOKENS;
  return { promptTokens: prompt, completionTokens: estimateTokens(reply) + 1 };
}

/** Simulated latency in ms: overhead + prompt processing + generation, with ±20% jitter. */
export function latencyOf(profile: SimProfile, usage: LlmUsage, rng: Rng): number {
  const raw = profile.latencyBaseMs + usage.promptTokens * profile.msPerInputToken + usage.completionTokens * profile.msPerOutputToken;
  return Math.round(raw * (0.8 + 0.4 * rng.next()));
}

/** What the imitated model would have charged, in USD. */
export function costOf(profile: SimProfile, usage: LlmUsage): number {
  return (usage.promptTokens * profile.inputPricePerMTok + usage.completionTokens * profile.outputPricePerMTok) / 1_000_000;
}
