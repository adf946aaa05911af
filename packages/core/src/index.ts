/**
 * `@flowsteer/core`: the canvas, actions, executor, environment, rewards, tasks and code sandbox.
 * Everything not exported here is internal.
 * @example
 * ```ts
 * import { parseDsl, printDsl } from '@flowsteer/core';
 * const canvas = parseDsl('Plan -> [Programmer, AnswerGenerate] -> ScEnsemble -> Verify ? Revise : done -> Format');
 * printDsl(canvas); // the same text
 * ```
 * @packageDocumentation
 */
export { CoreError, isCoreError, toCoreError, type CoreErrorCode } from './errors.ts';

export * from './canvas/types.ts';
export {
  allocateId,
  childId,
  countOperators,
  emptyCanvas,
  findOperatorNode,
  findStage,
  hasControlStructure,
  insertStage,
  operatorNameSet,
  operatorNode,
  operatorNodes,
  removeStage,
  topLevelId,
  updateOperatorNode,
  type NodeLocation,
} from './canvas/canvas.ts';
export { parseDsl, printDsl, printStage, suggestOperator, tryParseDsl, type ParseDslOptions } from './canvas/dsl.ts';
export { canvasSchema, parseCanvasJson, validateCanvas } from './canvas/schema.ts';

export * from './tasks/types.ts';
export * from './llm/types.ts';
export * from './operators/types.ts';
export * from './sandbox/types.ts';

export { executeWorkflow } from './executor/executeWorkflow.ts';
export { ExecutionCache, type CachedNodeResult } from './executor/executionCache.ts';
export { flattenOutputs } from './executor/flatten.ts';
export type { ExecuteOptions, ExecutionResult, NodeTrace, TokenCount } from './executor/types.ts';

export * from './actions/types.ts';
export { ACTIONS, actionMask, applicableActions, applyAction } from './actions/registry.ts';
export { FORBIDDEN_IN_PARALLEL, MIN_PROMPT_LENGTH } from './actions/validation.ts';
export { actionSchema, parseActionValue } from './actions/schema.ts';
export { parseActionText, printActionText, type ParseActionTextOptions, type ParsedActionText } from './actions/actionText.ts';

export { WorkflowEnv, type EnvOptions, type EpisodeOutcome, type Observation, type StepInfo, type StepRecord, type StepResult } from './env/workflowEnv.ts';
export { DEFAULT_ENV_CONFIG, resolveEnvConfig, type EnvConfig, type EnvConfigInput } from './env/envConfig.ts';
export { DEFAULT_FINISH_GATE, finishGateReasons, isVerboseAnswer, type FinishGateConfig } from './env/finishGate.ts';
export { executionSignals, generalFeedback, nextHint, promptRequestFeedback, type FeedbackSignals } from './env/feedback.ts';

export {
  computeReward,
  DEFAULT_DIVERSITY_REWARD_CONFIG,
  diversityScore,
  resolveDiversityRewardConfig,
  validateDiversityRewardConfig,
  type ComputeRewardOptions,
  type DiversityComponents,
  type DiversityRewardConfig,
  type RewardResult,
} from './rewards/diversityReward.ts';
export { scoreAnswer, scoreExecution, type QaRewardMetric, type TaskScore } from './rewards/taskScore.ts';

export { evaluateWorkflow, summarizeByDataset, type DatasetSummary, type EvalItem, type EvalReport, type EvaluateOptions } from './eval/evaluateWorkflow.ts';
export { mapConcurrent } from './eval/mapConcurrent.ts';

export { derivePublicTests, normalizeRecord, parseOptions, type NormalizeResult, type RecordLocation } from './tasks/normalizeRecord.ts';
export { loadTasksFromFile, type DatasetLineError, type LoadTasksOptions, type LoadTasksResult } from './tasks/loadTasks.ts';
export {
  BUNDLED_SAMPLES_DIR,
  DATASETS,
  DEFAULT_SHARED_DIR,
  findDataset,
  loadDataset,
  resolveDataset,
  type DatasetInfo,
  type DatasetMetric,
  type DatasetName,
  type ResolveDatasetOptions,
  type ResolvedDataset,
} from './tasks/datasets.ts';
export { hash01, splitTasks, type SplitOptions, type SplitResult } from './tasks/splits.ts';

export { extractAnswer, extractBoxed, extractChoice, type ExtractionResult } from './rewards/answerExtraction.ts';
export { mathEquivalent, normalizeMathAnswer, scoreMath, MATH_ABS_TOLERANCE, type MathScoreResult } from './rewards/mathScore.ts';
export { cleanQaPrediction, exactMatch, isNoAnswer, normalizeQaAnswer, scoreQa, tokenF1, type QaScoreResult } from './rewards/qaScore.ts';

export { createPythonSandbox, DEFAULT_SANDBOX_LIMITS, type PythonSandbox, type PythonSandboxOptions, type SandboxIsolation } from './sandbox/pythonSandbox.ts';
export { createCachedSandbox, type CachedSandbox, type CachedSandboxOptions, type CachedSandboxStats } from './sandbox/cachedSandbox.ts';
export { assembleTestProgram, CODE_SCORE_TIMEOUT_MS, extractCode, scoreCode, type CodeScoreOptions, type CodeScoreResult } from './rewards/codeScore.ts';

export { ActionSpace, HEADS, type ActionSpaceOptions, type Decision, type HeadIndices, type HeadLogits, type HeadName } from './policy/actionSpace.ts';
export { createTemplateLibrary, TemplateLibrary, type PromptTemplate } from './policy/templates.ts';
export { createFixedWorkflowPolicy, createRandomPolicy, FIXED_WORKFLOWS, seededRandom } from './policy/baselines.ts';
export { DECODINGS, isDecodingName, type ActOptions, type DecodingName, type Policy } from './policy/types.ts';
export {
  createLlmDirector,
  FALLBACK_ACTION,
  stripThinking,
  type DirectorMaxTokens,
  type LlmDecision,
  type LlmDirector,
  type LlmDirectorOptions,
  type LlmDirectorStats,
} from './policy/llmDirector.ts';
export {
  ACTION_REPAIR_INSTRUCTION,
  buildDirectorSystemPrompt,
  buildHistoryPrompt,
  buildTurnPrompt,
  DEFAULT_DIRECTOR_PROMPT_LIMITS,
  directorOperators,
  problemTypeHint,
  promptRepairInstruction,
  turnFeedback,
  type DirectorOperator,
  type DirectorPromptLimits,
} from './policy/llmDirectorPrompt.ts';

export {
  ALGORITHM_DEFAULTS,
  DEFAULT_CWRPO_CONFIG,
  validateConfig,
  type AdvantageGroupBy,
  type CwrpoConfig,
  type CwrpoConfigInput,
  type DemoLossKind,
  type GrpoConfig,
  type RewardAblations,
  type TrainerAlgorithm,
} from './trainer/grpoConfig.ts';
export { groupRelativeAdvantages, type GroupRelativeAdvantagesResult, type GroupStats } from './trainer/advantages.ts';
export {
  behaviourCloningLoss,
  clippedSurrogate,
  cwrpoLoss,
  globalGradNorm,
  entropyBonus,
  importanceWeightedDemoLoss,
  klToReference,
  reinforceLoss,
  type CwrpoLossConfig,
  type CwrpoLossResult,
  type DemoBatch,
  type PolicyBatch,
} from './trainer/loss.ts';
export { isMetricName, METRICS, summarize, type MetricName, type MetricRecord } from './trainer/metrics.ts';

export { tf } from './policy/tf/tf.ts';
export {
  disposeTfBackends,
  formatTfBackendInfo,
  isTfBackendPreference,
  readTfBackendPreference,
  selectTfBackend,
  TF_BACKEND_PREFERENCES,
  type SelectTfBackendOptions,
  type TfBackendInfo,
  type TfBackendName,
  type TfBackendPreference,
} from './policy/tf/tfBackend.ts';
export { denseLayer, embed, fastMatMul, transposeFreeMatMul, usesTransposeFreeMatMul, type DenseActivation } from './policy/tf/matmul.ts';
// The backend-parity workload, shared with the GPU check in tests/gpu (which can only import this barrel).
export { maxAbsDiff, PARITY_MLP_INITIAL, trainParityMlp, type ParityMlpResult } from './policy/tf/parityFixture.ts';

export { disposeFeatureBatch, featurize, GLOBAL_FEATURES, hashTokens, stackFeatures, type FeatureBatch, type FeaturizeOptions, type PolicyFeatures } from './policy/featurize.ts';
export { dimsOf, PolicyNetwork, resolveNetworkConfig, type NamedWeight, type NetworkDims, type PolicyNetworkConfig, type ScoringInput } from './policy/policyNetwork.ts';
export {
  createTfjsPolicy,
  readPolicySnapshot,
  TfjsPolicy,
  writePolicySnapshot,
  type PolicyDecision,
  type PolicySnapshot,
  type TfjsPolicyOptions,
} from './policy/tfjsPolicy.ts';
export { SeededRng } from './util/random.ts';

export { avalanche, hashString } from './util/hash.ts';

export { sampleTasksBalanced, shuffleInPlace, sourceOf } from './trainer/sampling.ts';
export {
  runRollouts,
  toTrajectoryStep,
  type BatchPolicy,
  type RolloutOptions,
  type RolloutResult,
  type Trajectory,
  type TrajectoryOutcome,
  type TrajectoryStep,
} from './trainer/rollout.ts';
export {
  buildDemonstrations,
  type BuildDemonstrationsOptions,
  type Demonstration,
  type DemonstrationNote,
  type DemoTrajectory,
} from './trainer/demonstrations.ts';
export {
  appendMetricsRow,
  captureOptimizerState,
  checkpointDirName,
  latestCheckpoint,
  metricsPath,
  parseTrainerState,
  readCheckpoint,
  readMetricsRows,
  readTrainerSnapshot,
  restoreOptimizerState,
  trainerStateToJson,
  writeCheckpoint,
  writeMetricsRows,
  writeTrainerSnapshot,
  type LoadedCheckpoint,
  type MetricsRow,
  type OptimizerState,
  type TrainerCheckpointState,
  type TrainerSnapshot,
} from './trainer/checkpoint.ts';
export {
  createCwrpoTrainer,
  restoreCwrpoTrainer,
  resumeCwrpoTrainer,
  type CwrpoTrainer,
  type CwrpoTrainerDeps,
  type CwrpoTrainerOptions,
  type IterateOptions,
  type TrainResult,
} from './trainer/cwrpoTrainer.ts';
