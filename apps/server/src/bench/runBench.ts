/**
 * Runs one policy or one fixed workflow over the loaded benchmarks and builds the {@link BenchReport}. A workflow
 * goes through core's `evaluateWorkflow`; a policy builds its workflow per task in a `WorkflowEnv` episode through
 * core's `runRollouts`. Either way the final answer is scored by core's `scoreExecution`: code on the dataset's
 * hidden tests in the sandbox, never by the workflow's own Test verdict (spec §9 point 10: the Test operator only
 * sees public tests, and trusting its verdict would let a workflow grade itself).
 * @public
 */
import {
  evaluateWorkflow,
  printDsl,
  runRollouts,
  WorkflowEnv,
  type ActOptions,
  type BatchPolicy,
  type Canvas,
  type CodeSandbox,
  type Decision,
  type EvalItem,
  type LlmBackend,
  type OperatorRegistry,
  type Task,
} from '@flowsteer/core';
import { benchItem, BENCH_REPORT_FORMAT, measuredRow, suiteAverages, unavailableRow, type BenchItem, type BenchReport, type BenchRow, type BenchSubject } from './benchReport.ts';
import type { BenchDataset } from './benchSuites.ts';
import { paperBackboneFor, type PaperBackbone } from './paperResults.ts';
import { toEvalItem } from '../cli/policyRuntime.ts';

/** What the bench executes on (a CLI `Runtime` fits; tests inject scripted backends and registries). @public */
export interface BenchRuntime {
  readonly registry: OperatorRegistry;
  readonly backend: LlmBackend;
  readonly sandbox: CodeSandbox;
  /** Label that must accompany every result (`SIMULATED executor (…) — not LLM results` for sim). */
  readonly label: string;
}

/** A fixed workflow, or a policy that builds one per task. @public */
export type BenchTarget =
  | { readonly kind: 'workflow'; readonly canvas: Canvas; readonly spec: string }
  | { readonly kind: 'policy'; readonly policy: BatchPolicy; readonly name: string; readonly decoding: ActOptions; readonly spec: string };

/** Options of {@link runBench}. @public */
export interface RunBenchOptions {
  readonly target: BenchTarget;
  readonly datasets: readonly BenchDataset[];
  readonly runtime: BenchRuntime;
  /** Recorded in the report (the caller seeded the backend and policy with it). */
  readonly seed: number;
  readonly limit?: number;
  /** Tasks (workflow) or live episodes (policy) at once. @default 4 for a workflow, every episode for a policy */
  readonly concurrency?: number;
  /** Backbone of the paper column. @default the one matching the backend's model name */
  readonly paperBackbone?: PaperBackbone;
  /** Called as each task finishes (progress bars). */
  readonly onProgress?: (done: number, total: number, item: EvalItem) => void;
}

interface Evaluated {
  readonly items: readonly EvalItem[];
  /** Per item, the episode's rounds (policies only). */
  readonly turns?: readonly number[];
  readonly simulated: boolean;
}

/** Evaluates the target on every loaded dataset and reports each beside the paper's number. @public */
export async function runBench(options: RunBenchOptions): Promise<BenchReport> {
  const started = performance.now();
  const { target, runtime } = options;
  const ran = options.datasets.filter((dataset) => dataset.status === 'loaded');
  const tasks = ran.flatMap((dataset) => dataset.tasks);
  const evaluated = target.kind === 'workflow' ? await evaluateCanvas(target.canvas, tasks, options) : await evaluatePolicyEpisodes(target, tasks, options);
  const simulated = runtime.backend.simulated || evaluated.simulated;
  const backbone = options.paperBackbone ?? paperBackboneFor(runtime.backend.model);

  // Items come back in task order, so each dataset's items are the next `tasks.length` of them.
  const rows: BenchRow[] = [];
  const items: BenchItem[] = [];
  let offset = 0;
  for (const dataset of options.datasets) {
    if (dataset.status !== 'loaded') {
      rows.push(unavailableRow(dataset, backbone, simulated));
      continue;
    }
    const group = evaluated.items.slice(offset, offset + dataset.tasks.length);
    const turns = evaluated.turns?.slice(offset, offset + dataset.tasks.length);
    offset += dataset.tasks.length;
    rows.push(measuredRow(dataset, group, turns, backbone, simulated));
    group.forEach((item, index) => items.push(benchItem(item, dataset.info.name, turns?.[index])));
  }
  const subject: BenchSubject =
    target.kind === 'workflow' ? { kind: 'workflow', name: printDsl(target.canvas), spec: target.spec } : { kind: 'policy', name: target.name, spec: target.spec };
  return {
    format: BENCH_REPORT_FORMAT,
    label: runtime.label,
    simulated,
    backend: runtime.backend.name,
    model: runtime.backend.model,
    paperBackbone: backbone,
    subject,
    seed: options.seed,
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    rows,
    averages: suiteAverages(rows),
    items,
    wallMs: performance.now() - started,
  };
}

async function evaluateCanvas(canvas: Canvas, tasks: readonly Task[], options: RunBenchOptions): Promise<Evaluated> {
  const { registry, backend, sandbox } = options.runtime;
  const report = await evaluateWorkflow(canvas, tasks, {
    registry,
    backend,
    sandbox,
    concurrency: options.concurrency ?? 4,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { items: report.items, simulated: report.simulated };
}

async function evaluatePolicyEpisodes(target: Extract<BenchTarget, { kind: 'policy' }>, tasks: readonly Task[], options: RunBenchOptions): Promise<Evaluated> {
  const { registry, backend, sandbox } = options.runtime;
  const { onProgress } = options;
  const { trajectories } = await runRollouts<Decision>({
    policy: target.policy,
    tasks,
    decoding: target.decoding,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    makeEnv: () => new WorkflowEnv({ registry, backend, sandbox }),
    ...(onProgress ? { onEpisode: (trajectory, done, total) => onProgress(done, total, toEvalItem(trajectory, tasks[trajectory.episode] as Task)) } : {}),
  });
  const ordered = [...trajectories].sort((a, b) => a.episode - b.episode);
  return {
    items: ordered.map((trajectory) => toEvalItem(trajectory, tasks[trajectory.episode] as Task)),
    turns: ordered.map((trajectory) => trajectory.outcome.rounds),
    simulated: backend.simulated,
  };
}
