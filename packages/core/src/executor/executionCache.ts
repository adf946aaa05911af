/**
 * Prefix cache for one episode (spec §3.1.4): after an edit, nodes whose operator, prompt and inputs are
 * unchanged reuse their previous result instead of calling the LLM again. Keyed by node id + a hash of
 * (operator, prompt, template, iteration, inputs), so any upstream change re-runs everything downstream.
 * @public
 */
import { createHash } from 'node:crypto';
import type { OperatorInput, OperatorResult } from '../operators/types.ts';

/** A cached node result with the accounting of the call that produced it. */
export interface CachedNodeResult {
  readonly result: OperatorResult;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly latencyMs: number;
  readonly costUsd: number;
  readonly llmCalls: number;
}

/** Bounded map of node results for one episode. */
export class ExecutionCache {
  private readonly entries = new Map<string, CachedNodeResult>();
  hits = 0;
  misses = 0;

  constructor(private readonly maxEntries = 2048) {}

  /** Cache key of one operator call. */
  static key(parts: {
    nodeId: string;
    operator: string;
    prompt: string;
    templateId?: string;
    iteration: number;
    input: OperatorInput;
  }): string {
    const digest = createHash('sha1').update(JSON.stringify([parts.operator, parts.prompt, parts.templateId ?? '', parts.iteration, parts.input])).digest('base64');
    return `${parts.nodeId}#${digest}`;
  }

  get(key: string): CachedNodeResult | undefined {
    const entry = this.entries.get(key);
    if (entry) this.hits += 1;
    else this.misses += 1;
    return entry;
  }

  set(key: string, value: CachedNodeResult): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, value);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
