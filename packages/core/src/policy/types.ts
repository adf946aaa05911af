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
}

/** Anything that picks actions for the canvas environment. */
export interface Policy {
  readonly name: string;
  /** One decision per observation; observations come from different concurrent episodes. */
  act(observations: readonly Observation[], options?: ActOptions): Promise<Decision[]>;
}
