/**
 * `@flowsteer/server`: the GraphQL server (HTTP + graphql-ws), its persistence (drizzle on PGlite or PostgreSQL),
 * the training jobs, and the `flowsteer` CLI.
 * @packageDocumentation
 */
export { main } from './cli/main.ts';
export { startServe, type ServeHandle } from './cli/serveCommand.ts';
export { createRuntime, formatUsageLine, loadDatasets, type LoadedDataset, type Runtime, type RuntimeOptions } from './cli/runtime.ts';
export { fixed, renderTable, type TextTable } from './cli/table.ts';
export { createProgressBar, type ProgressBar } from './cli/progressBar.ts';
export { renderEvalTable } from './cli/evalCommand.ts';

export { AppError, APP_ERROR_CODES, isAppError, toAppError, type AppErrorCode } from './errors.ts';
export { loadEnv, loadLlmEnv, ENV_DEFAULTS, type Env } from './env.ts';

export {
  openDatabase,
  DEFAULT_DATA_DIR,
  redactPassword,
  type AppDb,
  type Database,
  type DatabaseDialect,
  type OpenDatabaseOptions,
} from './db/client.ts';
export { migrateDatabase, MIGRATIONS_FOLDER } from './db/migrate.ts';
export * from './db/repositories/index.ts';
export {
  USER_ROLES,
  RUN_STATUSES,
  EPISODE_KINDS,
  EPISODE_STATUSES,
  AUTHOR_KINDS,
  REVIEW_VERDICTS,
  type UserRole,
  type RunStatus,
  type EpisodeKind,
  type EpisodeStatus,
  type AuthorKind,
  type ReviewVerdict,
} from './db/schema.ts';

export { createRunManager, type RunManager, type RunManagerOptions } from './jobs/runManager.ts';
export { createJobRuntime, JOB_BACKENDS, type JobRuntime, type JobRuntimeOptions } from './jobs/jobRuntime.ts';
export { parseExperimentConfig } from './jobs/trainerSetup.ts';
export { MAX_QUESTION_CHARS, type RunAgentInput } from './jobs/agentRunner.ts';
export { MAX_EVALUATION_LIMIT, MAX_EVALUATION_DATASETS, type EvaluationResult, type DatasetEvaluation } from './jobs/evaluator.ts';

export { createMemoryPubSub, type MemoryPubSubOptions } from './events/memoryPubSub.ts';
export {
  EXPERIMENTS_TOPIC,
  episodeTopic,
  runTopic,
  tokenTopic,
  type PubSub,
  type ExperimentUpdatedEvent,
  type TokenRevokedEvent,
} from './events/pubSub.ts';
export { replayStream, type ReplayOptions, type SequencedEvent } from './events/replay.ts';
export {
  episodeResultEvent,
  episodeStepEvent,
  type EpisodeEvent,
  type EpisodeStepEvent,
  type EpisodeResultEvent,
  type EpisodeStepFields,
  type EpisodeResultFields,
  type RunProgressEvent,
  type RunIterationEvent,
  type RunStatusEvent,
} from './events/streamEvents.ts';
export { ensureAdmin, BOOTSTRAP_ADMIN_NAME, type BootstrapAdmin } from './auth/bootstrap.ts';
export {
  authenticate,
  hasRole,
  requireRole,
  requireViewer,
  tokenFromAuthorizationHeader,
  tokenFromConnectionParams,
  type Authentication,
  type Viewer,
} from './auth/viewer.ts';
export { endOnRevocation } from './auth/revocation.ts';
export type { Jobs, GraphqlContext, ExperimentConfig, RunAgentJobInput, EvaluateJobInput, EvaluationReport, DatasetScore } from './graphql/context.ts';
export { createCatalog, type Catalog, type CatalogOptions, type DatasetEntry } from './graphql/taskCatalog.ts';
export { schema, printSchemaSdl, SCHEMA_FILE } from './graphql/schema.ts';
export { createFlowsteerServer, GRAPHQL_PATH, type FlowsteerServer, type FlowsteerServerOptions } from './http/server.ts';

export { createDbResponseCache } from './llm/dbResponseCache.ts';
export { runUsageTotals, experimentUsageTotals, type UsageTotals } from './llm/usageTotals.ts';
export { JOB_POLICIES, LLM_JOB_POLICY } from './jobs/jobPolicy.ts';
export { BASELINE_POLICIES, LLM_POLICY_PREFIX, loadCliPolicy, NETWORK_PRESETS, type CliPolicy, type CliPolicyOptions } from './cli/policyRuntime.ts';

export { runBench, type RunBenchOptions, type BenchRuntime, type BenchTarget } from './bench/runBench.ts';
export {
  selectBenchDatasets,
  loadBenchDatasets,
  BENCH_SUITES,
  type BenchSuite,
  type BenchDataset,
  type LoadBenchDatasetsOptions,
} from './bench/benchSuites.ts';
export { BENCH_REPORT_FORMAT, type BenchReport, type BenchRow, type BenchAverage, type BenchItem, type BenchSubject } from './bench/benchReport.ts';
export { renderBenchTable } from './bench/renderBenchTable.ts';
export {
  PAPER_MAIN_BACKBONE,
  PAPER_AVERAGES,
  PAPER_COST_PER_PROBLEM,
  RAW_BACKBONE_BY_KIND,
  iidMean,
  paperBackboneFor,
  paperScore,
  type PaperBackbone,
  type PaperScore,
} from './bench/paperResults.ts';
