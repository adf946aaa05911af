/**
 * The data-access functions of the server, one file per domain. Every function takes the drizzle handle
 * (`AppDb`, or a transaction) first; writes that belong together run in one transaction inside the function.
 * @public
 */
export {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type Page,
  type PageArgs,
} from './pagination.ts';
export {
  TOKEN_PREFIX,
  countUsers,
  createApiToken,
  createUser,
  findUserByName,
  findUserByToken,
  getUser,
  hashToken,
  isTokenActive,
  listTokens,
  revokeApiToken,
  updateUserRole,
  type ApiTokenRecord,
  type TokenUser,
  type User,
} from './users.ts';
export {
  EXPERIMENT_SORTS,
  createExperiment,
  getExperiment,
  listExperiments,
  updateExperimentStatus,
  type Experiment,
  type ExperimentSort,
  type ExperimentStatus,
  type ListExperimentsArgs,
  type NewExperiment,
} from './experiments.ts';
export {
  TERMINAL_RUN_STATUSES,
  createRun,
  getRun,
  listRuns,
  listRunsByStatus,
  updateRunStatus,
  type NewRun,
  type Run,
  type UpdateRunStatusOptions,
} from './runs.ts';
export {
  commitIteration,
  type CommitIterationInput,
  type CommitIterationResult,
  type EpisodeWrite,
} from './commitIteration.ts';
export { downsampleMetrics, getMetrics, type MetricPoint, type MetricsQuery } from './metrics.ts';
export {
  getCheckpoint,
  getResumeCheckpoint,
  insertKeptCheckpoint,
  listCheckpoints,
  saveResumeCheckpoint,
  type Checkpoint,
  type CheckpointSummary,
  type CheckpointWrite,
} from './checkpoints.ts';
export {
  appendEpisodeStep,
  createEpisode,
  finishEpisode,
  getEpisode,
  getEpisodeSteps,
  listEpisodes,
  listRunEpisodes,
  type Episode,
  type EpisodeResult,
  type EpisodeStep,
  type ListEpisodesArgs,
  type NewEpisode,
  type StepWrite,
} from './episodes.ts';
export {
  createWorkflow,
  getWorkflow,
  getWorkflowVersion,
  listWorkflowVersions,
  listWorkflows,
  saveWorkflowVersion,
  type NewWorkflow,
  type VersionWrite,
  type Workflow,
  type WorkflowVersion,
} from './workflows.ts';
export {
  createCorrection,
  createReview,
  listCorrections,
  listReviews,
  type Correction,
  type ListCorrectionsArgs,
  type NewCorrection,
  type NewReview,
  type Review,
} from './reviews.ts';
export { getCached, putCached, type LlmCacheEntry } from './llmCache.ts';
