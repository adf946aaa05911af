/**
 * The policy contract: batched `act` over observations of concurrent episodes. Trainable policies also
 * re-score stored decisions (see `TrainablePolicy` in the trainer).
 * @public
 */
import type { Observation } from '../env/workflowEnv.ts';
import type { Decision } from './actionSpace.ts';

export interface ActOptions {
  /** Arg-max instead of sampling (evaluation). @default false */
  readonly greedy?: boolean;
  /**
   * Sampling temperature of each head. Training samples the policy's own distribution (1); the paper evaluates
   * at 0.6 (spec §4.4). Recorded log-probabilities stay those of the untempered policy. @default 1
   */
  readonly temperature?: number;
  /** Nucleus sampling: each head samples from its smallest set of options holding this much probability (paper: 0.95). @default 1 */
  readonly topP?: number;
}

/** Named decodings of a trained policy for evaluation. */
export const DECODINGS = {
  /** Arg-max of every head: deterministic. */
  greedy: { greedy: true },
  /** The paper's evaluation decoding (spec §4.4): temperature 0.6, top-p 0.95. */
  paper: { temperature: 0.6, topP: 0.95 },
  /** The policy's own distribution, as in training. */
  sample: {},
} as const satisfies Record<string, ActOptions>;

export type DecodingName = keyof typeof DECODINGS;

/** Whether `name` is one of {@link DECODINGS}. */
export function isDecodingName(name: string): name is DecodingName {
  return Object.hasOwn(DECODINGS, name);
}

/** Anything that picks actions for the canvas environment. */
export interface Policy {
  readonly name: string;
  /** One decision per observation; observations come from different concurrent episodes. */
  act(observations: readonly Observation[], options?: ActOptions): Promise<Decision[]>;
}
