/**
 * The policy of an agent or evaluation job: a baseline by name or a trained checkpoint by id. Names are checked
 * against a closed list before anything else, so an API input can never reach the CLI's path-based loading.
 * @public
 */
import { createFixedWorkflowPolicy, createRandomPolicy, FIXED_WORKFLOWS, type BatchPolicy } from '@flowsteer/core';
import { BASELINE_POLICIES } from '../cli/policyRuntime.ts';
import type { AppDb } from '../db/client.ts';
import { getCheckpoint } from '../db/repositories/index.ts';
import { AppError } from '../errors.ts';
import type { JobRuntime } from './jobRuntime.ts';
import { policyFromCheckpoint } from './snapshotCodec.ts';

/** A resolved job policy; `dispose` frees a trained policy's weights. @public */
export interface JobPolicy {
  readonly policy: BatchPolicy;
  /** Stored as the episode's `policy`: the baseline's name or `checkpoint`. */
  readonly name: string;
  /** Trained policies act greedily (evaluation); the random baseline samples. */
  readonly greedy: boolean;
  readonly checkpointId?: string;
  dispose(): void;
}

/** Exactly one of a baseline name and a checkpoint id. @public */
export interface JobPolicySpec {
  readonly policy?: string | undefined;
  readonly checkpointId?: string | undefined;
}

/** True for the baseline names a job accepts. @public */
export function isBaselinePolicy(name: string): name is (typeof BASELINE_POLICIES)[number] {
  return (BASELINE_POLICIES as readonly string[]).includes(name);
}

/** Checks a spec without loading anything; BAD_USER_INPUT unless exactly one known source is given. @public */
export function assertPolicySpec(spec: JobPolicySpec): void {
  if ((spec.policy === undefined) === (spec.checkpointId === undefined)) {
    throw new AppError('BAD_USER_INPUT', `expected exactly one of policy and checkpointId, got ${spec.policy === undefined ? 'neither' : 'both'}`);
  }
  if (spec.policy !== undefined && !isBaselinePolicy(spec.policy)) {
    throw new AppError('BAD_USER_INPUT', `expected policy in [${BASELINE_POLICIES.join(', ')}], got '${spec.policy}'`);
  }
}

/** Builds the policy; NOT_FOUND for an unknown checkpoint, BAD_USER_INPUT for a bad spec. `seed` seeds the random baseline. @public */
export async function resolveJobPolicy(db: AppDb, runtime: JobRuntime, spec: JobPolicySpec, seed: number): Promise<JobPolicy> {
  assertPolicySpec(spec);
  const { space } = runtime;
  if (spec.policy === 'random') return { policy: createRandomPolicy(space, seed), name: 'random', greedy: false, dispose() {} };
  if (spec.policy !== undefined && spec.policy in FIXED_WORKFLOWS) {
    const name = spec.policy as keyof typeof FIXED_WORKFLOWS;
    return { policy: createFixedWorkflowPolicy(space, name, FIXED_WORKFLOWS[name]), name, greedy: false, dispose() {} };
  }
  const checkpointId = spec.checkpointId as string;
  const row = await getCheckpoint(db, checkpointId);
  if (!row) throw new AppError('NOT_FOUND', `expected an existing checkpoint, got id ${checkpointId}`);
  await runtime.ready();
  const policy = policyFromCheckpoint(row, space);
  return { policy, name: 'checkpoint', greedy: true, checkpointId, dispose: () => policy.dispose() };
}
