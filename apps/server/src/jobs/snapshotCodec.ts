/**
 * Trainer snapshots ↔ checkpoint rows. The binary columns hold UTF-8 JSON: `policy` and `reference` are core's
 * `PolicySnapshot` (weights as base64 float32 inside), `optimizer` is Adam's state; the `state` jsonb column
 * holds the rest of the trainer state with NaN/Infinity spelled out (jsonb has neither) and WITHOUT the metrics
 * history: `run_metrics` already holds it, the trainer does not read it to continue, and it would make the
 * row that is rewritten every iteration grow with the run. JSON inside bytea costs
 * a third more space than raw floats, and buys one format shared with the checkpoint files and validated on
 * the way back by the same schemas.
 * @public
 */
import { parseTrainerState, trainerStateToJson, TfjsPolicy, type ActionSpace, type PolicySnapshot, type TrainerSnapshot } from '@flowsteer/core';
import type { Checkpoint, CheckpointWrite } from '../db/repositories/index.ts';
import { AppError } from '../errors.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const toBytes = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));

function fromBytes(bytes: Uint8Array | null, what: string, checkpointId: string): unknown {
  if (!bytes) throw new AppError('INTERNAL', `expected checkpoint ${checkpointId} to hold ${what}, got none`);
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (error) {
    throw new AppError('INTERNAL', `expected checkpoint ${checkpointId} to hold ${what} as JSON, got unreadable bytes`, { cause: error });
  }
}

/** The checkpoint columns of a trainer snapshot. @public */
export function encodeTrainerSnapshot(snapshot: TrainerSnapshot): CheckpointWrite {
  const { optimizer, ...state } = trainerStateToJson({ ...snapshot.state, history: [] });
  return {
    iteration: snapshot.state.iteration,
    policy: toBytes(snapshot.policy),
    reference: toBytes(snapshot.reference),
    optimizer: toBytes(optimizer),
    state,
  };
}

/** A trainer snapshot back from a checkpoint row (validated by core). @public */
export function decodeTrainerSnapshot(row: Pick<Checkpoint, 'id' | 'policy' | 'reference' | 'optimizer' | 'state'>): TrainerSnapshot {
  const state = parseTrainerState({ ...row.state, optimizer: fromBytes(row.optimizer, 'optimizer state', row.id) }, `checkpoint ${row.id}`);
  return {
    policy: fromBytes(row.policy, 'a policy', row.id) as PolicySnapshot,
    reference: fromBytes(row.reference, 'a reference policy', row.id) as PolicySnapshot,
    state,
  };
}

/** The trained policy of a checkpoint row, ready to act (the caller disposes it). @public */
export function policyFromCheckpoint(row: Pick<Checkpoint, 'id' | 'policy'>, space: ActionSpace): TfjsPolicy {
  // fromSnapshot validates the shape, so the cast only names what it checks.
  return TfjsPolicy.fromSnapshot(fromBytes(row.policy, 'a policy', row.id), space);
}
