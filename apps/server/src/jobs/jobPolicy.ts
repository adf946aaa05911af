/**
 * The policy of an agent or evaluation job: a baseline by name, the LLM Flow-Director (`llm`, over the server's
 * configured director backend) or a trained checkpoint by id. Names are checked against a closed list before
 * anything else, so an API input can never reach the CLI's path-based loading.
 * @public
 */
import {
  createFixedWorkflowPolicy,
  createLlmDirector,
  createRandomPolicy,
  directorOperators,
  FIXED_WORKFLOWS,
  type BatchPolicy,
} from '@flowsteer/core';
import { BASELINE_POLICIES } from '../cli/policyRuntime.ts';
import type { AppDb } from '../db/client.ts';
import { getCheckpoint } from '../db/repositories/index.ts';
import { AppError } from '../errors.ts';
import type { JobRuntime } from './jobRuntime.ts';
import { policyFromCheckpoint } from './snapshotCodec.ts';

/** A resolved job policy; `dispose` frees a trained policy's weights. @public */
export interface JobPolicy {
  readonly policy: BatchPolicy;
  /** Stored as the episode's `policy`: the baseline's name, `llm:<model>` or `checkpoint`. */
  readonly name: string;
  /** Trained policies act greedily (evaluation); the random baseline samples. */
  readonly greedy: boolean;
  readonly checkpointId?: string;
  dispose(): void;
}

/** The LLM Flow-Director policy name. @public */
export const LLM_JOB_POLICY = 'llm';

/** Policy names a job accepts: the baselines and `llm`. @public */
export const JOB_POLICIES = [...BASELINE_POLICIES, LLM_JOB_POLICY] as const;

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
  if (spec.policy !== undefined && !isBaselinePolicy(spec.policy) && spec.policy !== LLM_JOB_POLICY) {
    throw new AppError('BAD_USER_INPUT', `expected policy in [${JOB_POLICIES.join(', ')}], got '${spec.policy}'`);
  }
}

/** The director policy over the runtime's director backend; BAD_USER_INPUT saying what to set when there is none. */
function llmJobPolicy(runtime: JobRuntime): JobPolicy {
  const backend = runtime.directorBackend();
  if (!backend) {
    throw new AppError(
      'BAD_USER_INPUT',
      'expected an LLM director backend for policy llm, got none configured: set FLOWSTEER_DIRECTOR_MODEL (and FLOWSTEER_DIRECTOR_BASE_URL or OPENAI_BASE_URL) on the server',
    );
  }
  if (backend.simulated) throw new AppError('BAD_USER_INPUT', `expected a real LLM for policy llm, got the simulated backend ${backend.model}`);
  const policy = createLlmDirector({ backend, operators: directorOperators(runtime.registry) });
  // Sampled at the paper's evaluation temperature (T 0.6, spec §4.4), like `flowsteer eval --policy llm:…`.
  return { policy, name: `llm:${backend.model}`, greedy: false, dispose: () => policy.forget() };
}

/**
 * Builds the policy; NOT_FOUND for an unknown checkpoint, BAD_USER_INPUT for a bad spec or for `llm` without a
 * director backend. `seed` seeds the random baseline. @public
 */
export async function resolveJobPolicy(db: AppDb, runtime: JobRuntime, spec: JobPolicySpec, seed: number): Promise<JobPolicy> {
  assertPolicySpec(spec);
  const { space } = runtime;
  if (spec.policy === LLM_JOB_POLICY) return llmJobPolicy(runtime);
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
