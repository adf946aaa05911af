/**
 * `@flowsteer/operators`: the paper's 12 operators, the registry/plugin API and the LLM backends
 * (`sim`, the seeded simulated executor; `openai`, any OpenAI-compatible endpoint). Everything not
 * exported here is internal.
 * @example
 * ```ts
 * import { createOperatorRegistry, createSimBackend } from '@flowsteer/operators';
 * import { createPythonSandbox, executeWorkflow, parseDsl, toTaskView } from '@flowsteer/core';
 * const registry = createOperatorRegistry();
 * const backend = createSimBackend({ seed: 7, oracle: (id) => tasks.get(id) });
 * const run = await executeWorkflow(parseDsl('Plan -> Programmer -> Format'), toTaskView(task), { registry, backend, sandbox: createPythonSandbox() });
 * ```
 * @packageDocumentation
 */
export { defineOperator, type OperatorDefinition } from './operator.ts';
export {
  builtinOperators,
  createOperatorRegistry,
  defaultOperatorRegistry,
  listOperatorSpecs,
  registerOperator,
  type MutableOperatorRegistry,
} from './registry.ts';
export {
  extractPython,
  parseBoolean,
  parseConfidence,
  parseField,
  parseFields,
  parseList,
  parsePlainNumber,
  stripFences,
  type Confidence,
} from './parsing.ts';
export { aggregate, numericMajority } from './operators/aggregate.ts';
export { answerGenerate } from './operators/answerGenerate.ts';
export { custom } from './operators/custom.ts';
export { decompose } from './operators/decompose.ts';
export { format } from './operators/format.ts';
export { plan } from './operators/plan.ts';
export { programmer } from './operators/programmer.ts';
export { review } from './operators/review.ts';
export { revise } from './operators/revise.ts';
export { scEnsemble } from './operators/scEnsemble.ts';
export { test } from './operators/test.ts';
export { verify, shouldOverwrite } from './operators/verify.ts';
export { createSimBackend, type SimBackend, type SimBackendOptions } from './backends/sim/simBackend.ts';
export { DEFAULT_SIM_PROFILE, SIM_PROFILE_NAMES, SIM_PROFILES, type SimProfile } from './backends/sim/profiles.ts';
export { createOpenAiBackend, type OpenAiBackend, type OpenAiBackendStats } from './backends/openai/openAiBackend.ts';
export {
  OPENAI_BACKEND_DEFAULTS,
  type OpenAiBackendConfig,
  type OpenAiBackendEvent,
  type ResolvedOpenAiConfig,
} from './backends/openai/openAiConfig.ts';
export {
  createBackendRegistry,
  OPENAI_DEFAULT_BASE_URL,
  OPENAI_DEFAULT_MODEL,
  parseBackendConfigs,
  type BackendRegistry,
} from './backends/openai/backendRegistry.ts';
export {
  canonicalJson,
  createMemoryResponseCache,
  responseCacheKey,
  toResponseCacheEntry,
  type CacheableParams,
  type MemoryResponseCache,
  type ResponseCache,
  type ResponseCacheEntry,
} from './backends/openai/responseCache.ts';
export { costOf, DEFAULT_MODEL_PRICES, parsePriceList, priceFor, type ModelPrice, type PriceTable, type ResolvedPrice } from './backends/openai/prices.ts';
export { createConcurrencyLimiter, type ConcurrencyLimiter } from './backends/openai/concurrencyLimiter.ts';
export { backoffDelay, parseRetryAfter, type AttemptFailure, type AttemptFailureKind } from './backends/openai/retryPolicy.ts';
export {
  chatCompletion,
  startFakeOpenAiServer,
  type FakeOpenAiServer,
  type FakeReply,
  type FakeRequest,
  type FakeScript,
} from './backends/openai/fakeOpenAiServer.ts';
export { makeTestContext, scriptedBackend, stubSandbox, type TestContext, type TestContextOptions } from './testing/testContext.ts';
