/**
 * The per-request (HTTP) / per-operation (WebSocket) GraphQL context, and the interface of the jobs layer that
 * mutations drive. Resolvers see the database, the pub/sub, the jobs, the read-only catalogue and who is calling;
 * nothing else (no `process.env`, no globals).
 * @public
 */
import type { CwrpoConfig, TaskKind } from '@flowsteer/core';
import type { Authentication, HasAuthentication } from '../auth/viewer.ts';
import type { AppDb } from '../db/client.ts';
import type { PubSub } from '../events/pubSub.ts';
import type { Catalog } from './taskCatalog.ts';

/**
 * What an experiment's `config` column holds, written by `createExperiment` after validation and read by the
 * jobs layer to train. `trainer` is core's complete, validated config (defaults filled in).
 * @public
 */
export interface ExperimentConfig {
  readonly trainer: CwrpoConfig;
  /** Policy network size (the CLI's presets): `tiny`, `small` or `default`. */
  readonly network: 'tiny' | 'small' | 'default';
  /** Tasks loaded per dataset; undefined = all. */
  readonly limit?: number;
  /** Fraction of tasks held out for evaluation. */
  readonly testFraction: number;
  readonly splitSeed: string;
  /** Sim backend profile; undefined = the default profile. */
  readonly profile?: string;
}

/** Input of {@link Jobs.runAgent}: exactly one policy source and exactly one task source (validated by the mutation). @public */
export interface RunAgentJobInput {
  /** A baseline policy name (`random`, `cot`, `selfConsistency`, `handDesigned`), or undefined with `checkpointId`. */
  readonly policy?: string;
  readonly checkpointId?: string;
  /** A catalogue task (`<dataset>/<id>`), or undefined with `question`. */
  readonly taskId?: string;
  /** A typed question (cannot be scored: there is no gold answer). */
  readonly question?: string;
  /** Task kind of a typed question. @default 'math' */
  readonly taskKind?: TaskKind;
  readonly backend: string;
  /** User who asked, recorded as the episode's creator. */
  readonly userId: string;
}

/** Input of {@link Jobs.evaluate}: exactly one of checkpoint / workflow version / DSL. @public */
export interface EvaluateJobInput {
  readonly checkpointId?: string;
  readonly workflowId?: string;
  /** Version of `workflowId`; undefined = latest. */
  readonly workflowVersion?: number;
  readonly dsl?: string;
  readonly datasets: readonly string[];
  /** Tasks per dataset. */
  readonly limit: number;
  readonly backend: string;
  readonly userId: string;
}

/** Score of one dataset in an {@link EvaluationReport}. @public */
export interface DatasetScore {
  readonly dataset: string;
  readonly metric: string;
  readonly count: number;
  /** Mean task score in [0, 1]. */
  readonly score: number;
}

/** Result of {@link Jobs.evaluate}; `simulated` is true for the sim backend. @public */
export interface EvaluationReport {
  readonly backend: string;
  readonly simulated: boolean;
  /** Human-readable label (e.g. "SIMULATED executor (…) — not LLM results"). */
  readonly label: string;
  readonly datasets: readonly DatasetScore[];
  /** Episodes (kind `evaluation`) written for this evaluation. */
  readonly episodeIds: readonly string[];
}

/**
 * The jobs layer as mutations see it (implemented in `jobs/`; tests use a fake). Run mutations first check
 * that the run exists and its status allows the transition, then call these; the jobs layer owns the status
 * transitions themselves and publishes the events.
 * @public
 */
export interface Jobs {
  /** Schedules a `queued` run (row already created by the mutation). */
  startRun(runId: string): Promise<void>;
  /** Pauses a running run at the next safe point (mid-iteration work is not committed twice). */
  pauseRun(runId: string): Promise<void>;
  resumeRun(runId: string): Promise<void>;
  stopRun(runId: string): Promise<void>;
  /** Creates the episode row and starts building; resolves with its id at once (events stream on `episode:<id>`). */
  runAgent(input: RunAgentJobInput): Promise<{ episodeId: string }>;
  /** Evaluates and resolves with the report (bounded by `limit`). */
  evaluate(input: EvaluateJobInput): Promise<EvaluationReport>;
}

/** The GraphQL context. @public */
export interface GraphqlContext extends HasAuthentication {
  readonly db: AppDb;
  readonly pubSub: PubSub;
  readonly jobs: Jobs;
  readonly catalog: Catalog;
  readonly auth: Authentication;
}

/** What the server shares between contexts; each request adds its own `auth`. @public */
export type GraphqlServices = Omit<GraphqlContext, 'auth'>;
