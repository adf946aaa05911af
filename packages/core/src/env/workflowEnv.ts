/**
 * The canvas environment (spec §1): `reset(task)` then `step(action)` until done. Implements the
 * two-step prompt protocol, the finish gate, the round limit, execution after each completed edit, and
 * the diversity-constrained reward with conditional release at the end of the episode. An invalid action
 * is a no-op that consumes the round and records its reason; `step` never throws for bad input.
 * @public
 */
import { ACTIONS, applicableActions, applyAction } from '../actions/registry.ts';
import { parseActionText } from '../actions/actionText.ts';
import { parseActionValue } from '../actions/schema.ts';
import type { Action, ActionState, PendingPrompt } from '../actions/types.ts';
import { promptProblem } from '../actions/validation.ts';
import { emptyCanvas, findOperatorNode, topLevelId } from '../canvas/canvas.ts';
import { printDsl } from '../canvas/dsl.ts';
import type { Canvas, NodeId, Stage } from '../canvas/types.ts';
import { CoreError } from '../errors.ts';
import { ExecutionCache } from '../executor/executionCache.ts';
import { executeWorkflow } from '../executor/executeWorkflow.ts';
import type { ExecutionResult } from '../executor/types.ts';
import type { LlmBackend } from '../llm/types.ts';
import type { OperatorRegistry } from '../operators/types.ts';
import { computeReward, type RewardResult } from '../rewards/diversityReward.ts';
import { scoreExecution, type TaskScore } from '../rewards/taskScore.ts';
import type { CodeSandbox } from '../sandbox/types.ts';
import { toTaskView, type Task, type TaskView } from '../tasks/types.ts';
import { resolveEnvConfig, type EnvConfig, type EnvConfigInput } from './envConfig.ts';
import { executionSignals, generalFeedback, promptRequestFeedback, type FeedbackSignals } from './feedback.ts';
import { finishGateReasons } from './finishGate.ts';

/** Dependencies and settings of an environment. */
export interface EnvOptions {
  readonly registry: OperatorRegistry;
  readonly backend: LlmBackend;
  readonly sandbox: CodeSandbox;
  readonly config?: EnvConfigInput;
  readonly signal?: AbortSignal;
}

/** What a policy sees after each step. */
export interface Observation {
  readonly task: TaskView;
  readonly canvas: Canvas;
  readonly dsl: string;
  readonly round: number;
  readonly maxRounds: number;
  readonly awaiting: PendingPrompt | null;
  /** Action types applicable now: the policy's type mask. */
  readonly applicable: readonly Action['type'][];
  readonly signals: FeedbackSignals;
  readonly feedback: string;
  readonly done: boolean;
}

/** How an episode ended and what it earned. */
export interface EpisodeOutcome {
  readonly reason: 'finish' | 'max_rounds';
  readonly reward: RewardResult;
  /**
   * Why the finish gate would reject the final workflow of an episode that ran out of rounds (empty when it
   * would accept it, or when the episode finished). With `gateOnTimeout` these withhold the answer reward.
   */
  readonly gateReasons: readonly string[];
  readonly taskScore: TaskScore;
  readonly canvas: Canvas;
  readonly dsl: string;
  readonly rounds: number;
  readonly execution?: ExecutionResult;
}

export interface StepInfo {
  readonly valid: boolean;
  readonly reason?: string;
  readonly action?: Action;
  readonly executed: boolean;
  readonly execution?: ExecutionResult;
  readonly finishRejected?: readonly string[];
  readonly outcome?: EpisodeOutcome;
}

export interface StepResult {
  readonly observation: Observation;
  /** 0 until the episode ends, then the trajectory reward R. */
  readonly reward: number;
  readonly done: boolean;
  readonly info: StepInfo;
}

/** One row of the episode log (what replay and training read). */
export interface StepRecord {
  readonly round: number;
  readonly action: Action | null;
  readonly actionText?: string;
  readonly valid: boolean;
  readonly reason?: string;
  readonly feedback: string;
  readonly dsl: string;
  readonly canvas: Canvas;
  readonly executed: boolean;
  readonly reward: number;
  readonly done: boolean;
}

interface Pending {
  /** Prompts still to collect, in order. */
  readonly queue: readonly PendingPrompt[];
  /** An add/modify that is applied only once its prompt arrives (spec §1.4). */
  readonly deferred?: Action;
}

/** The canvas environment. Not safe for concurrent `step` calls on one instance; use one per episode. */
export class WorkflowEnv {
  readonly config: EnvConfig;
  private task: Task | undefined;
  private view: TaskView | undefined;
  private canvas: Canvas = emptyCanvas();
  private round = 0;
  private pending: Pending | null = null;
  private finished = false;
  private lastExecution: ExecutionResult | undefined;
  private executedCanvas: Canvas | undefined;
  private cache = new ExecutionCache();
  private records: StepRecord[] = [];
  private outcome: EpisodeOutcome | undefined;

  constructor(private readonly options: EnvOptions) {
    this.config = resolveEnvConfig(options.config);
  }

  /** Starts an episode on `task` with an empty canvas. */
  reset(task: Task): Observation {
    this.task = task;
    this.view = toTaskView(task);
    this.canvas = emptyCanvas();
    this.round = 0;
    this.pending = null;
    this.finished = false;
    this.lastExecution = undefined;
    this.executedCanvas = undefined;
    this.cache = new ExecutionCache();
    this.records = [];
    this.outcome = undefined;
    const feedback = generalFeedback({
      status: 'Success',
      message: 'Empty canvas: build a workflow for the problem.',
      canvas: this.canvas,
      task: this.view,
      round: 0,
      maxRounds: this.config.maxRounds,
      executedNow: false,
      resultChars: this.config.feedbackResultChars,
    });
    return this.observe(feedback, { executed: false, lastActionValid: true, finishRejected: false });
  }

  /** Episode log so far. */
  get history(): readonly StepRecord[] {
    return this.records;
  }

  /** Final outcome once done. */
  get result(): EpisodeOutcome | undefined {
    return this.outcome;
  }

  /** Current action state (for masks and UIs). */
  actionState(): ActionState {
    return { canvas: this.canvas, awaiting: this.pending?.queue[0] ?? null, finished: this.finished, operators: this.options.registry.names() };
  }

  /** Applies one action (structured, or model text in the paper's XML syntax). */
  async step(input: Action | string): Promise<StepResult> {
    if (!this.task || !this.view) throw new CoreError('INTERNAL', '[core] step() called before reset()');
    if (this.finished) {
      return this.invalid(null, 'the episode is over; call reset() to start a new one', typeof input === 'string' ? input : undefined, false);
    }
    this.round += 1;
    const actionText = typeof input === 'string' ? input : undefined;
    let action: Action;
    if (typeof input === 'string') {
      const parsed = parseActionText(input, { operators: this.options.registry.names(), awaitingPrompt: this.pending !== null });
      if (!parsed.ok) return this.invalid(null, parsed.reason, actionText);
      action = parsed.action;
    } else {
      const checked = parseActionValue(input);
      if (!checked.ok) return this.invalid(null, checked.reason, actionText);
      action = checked.action;
    }

    if (this.pending) return this.receivePrompt(action, actionText);
    switch (action.type) {
      case 'add':
      case 'modify':
        return this.deferOrApply(action, actionText);
      case 'add_parallel':
      case 'add_conditional':
      case 'add_loop':
        return this.addStructure(action, actionText);
      case 'delete':
      case 'set_prompt':
        return this.applyAndExecute(action, actionText, `${ACTIONS[action.type].describe(action as never)} applied`);
      case 'finish':
        return this.tryFinish(action, actionText);
      case 'prompt':
        return this.invalid(action, 'no prompt is awaited; use set_prompt with a target to change a prompt', actionText);
      default:
        return this.invalid(null, `unknown action type '${String((action as { type?: unknown }).type)}'`, actionText);
    }
  }

  private async deferOrApply(action: Extract<Action, { type: 'add' | 'modify' }>, actionText?: string): Promise<StepResult> {
    // Validate now so an impossible edit is refused before a prompt turn is spent on it.
    const check = applyAction(this.actionState(), action);
    if (!check.ok) return this.invalid(action, check.reason, actionText);
    if (!this.config.twoStepPrompts) {
      return this.commit(action, check.canvas, actionText, `${ACTIONS[action.type].describe(action as never)} applied`, true);
    }
    const target: NodeId = action.type === 'add' ? topLevelId(this.canvas.nextId) : (action.target as NodeId);
    this.pending = { queue: [{ target, operator: action.operator, label: action.type === 'add' ? 'new operator' : 'modified operator' }], deferred: action };
    return this.requestPrompt(action, actionText, `${action.type} ${action.operator}: pending, awaiting its prompt`);
  }

  private async addStructure(action: Extract<Action, { type: 'add_parallel' | 'add_conditional' | 'add_loop' }>, actionText?: string): Promise<StepResult> {
    const applied = applyAction(this.actionState(), action);
    if (!applied.ok) return this.invalid(action, applied.reason, actionText);
    if (!this.config.twoStepPrompts) return this.commit(action, applied.canvas, actionText, `${ACTIONS[action.type].describe(action as never)} applied`, true);
    this.canvas = applied.canvas;
    const firstChild = applied.nodeIds[0] ?? '';
    const stage = this.canvas.stages.find((s) => firstChild.startsWith(`${s.id}_`)) as Stage;
    const queue = applied.nodeIds.map((id, i): PendingPrompt => {
      const node = findOperatorNode(this.canvas, id)?.node;
      return { target: id, operator: node?.operator ?? '?', label: `${stage.kind} prompt ${i + 1}/${applied.nodeIds.length}` };
    });
    this.pending = { queue };
    return this.requestPrompt(action, actionText, `${ACTIONS[action.type].describe(action as never)} inserted; awaiting ${queue.length} prompts`);
  }

  private async receivePrompt(action: Action, actionText?: string): Promise<StepResult> {
    const pending = this.pending as Pending;
    const current = pending.queue[0] as PendingPrompt;
    if (action.type !== 'prompt') {
      return this.invalid(action, `awaiting the prompt for ${current.operator} (${current.target}); reply with the prompt text`, actionText, true, true);
    }
    const problem = promptProblem(action.prompt);
    if (problem) return this.invalid(action, problem, actionText, true, true);
    let canvas: Canvas;
    if (pending.deferred && (pending.deferred.type === 'add' || pending.deferred.type === 'modify')) {
      const withPrompt = { ...pending.deferred, prompt: action.prompt.trim(), ...(action.templateId === undefined ? {} : { templateId: action.templateId }) };
      const applied = applyAction({ ...this.actionState(), awaiting: null }, withPrompt);
      if (!applied.ok) {
        this.pending = null;
        return this.invalid(action, applied.reason, actionText);
      }
      canvas = applied.canvas;
    } else {
      const applied = applyAction(this.actionState(), action);
      if (!applied.ok) return this.invalid(action, applied.reason, actionText, true, true);
      canvas = applied.canvas;
    }
    const rest = pending.queue.slice(1);
    if (rest.length > 0) {
      this.canvas = canvas;
      this.pending = { queue: rest };
      return this.requestPrompt(action, actionText, `prompt set for ${current.target}`);
    }
    this.pending = null;
    return this.commit(action, canvas, actionText, `Prompt set for ${current.target}`, true);
  }

  private async applyAndExecute(action: Action, actionText: string | undefined, message: string): Promise<StepResult> {
    const applied = applyAction(this.actionState(), action);
    if (!applied.ok) return this.invalid(action, applied.reason, actionText);
    return this.commit(action, applied.canvas, actionText, message, true);
  }

  private async tryFinish(action: Action, actionText?: string): Promise<StepResult> {
    const applied = applyAction(this.actionState(), action);
    if (!applied.ok) return this.invalid(action, applied.reason, actionText);
    const reasons = finishGateReasons(this.canvas, this.view as TaskView, this.lastExecution?.answer, this.config.finishGate);
    if (reasons.length > 0) {
      const feedback = this.feedbackText('Failed', `Finish rejected: ${reasons.join('; ')}`, false);
      return this.record(action, actionText, false, `finish rejected: ${reasons.join('; ')}`, feedback, false, { finishRejected: reasons });
    }
    this.finished = true;
    const outcome = await this.conclude('finish');
    const feedback = this.feedbackText('Success', `Workflow finished. Reward ${outcome.reward.total.toFixed(3)}`, false, true);
    return this.record(action, actionText, true, undefined, feedback, false, { outcome }, outcome.reward.total);
  }

  private async commit(action: Action, canvas: Canvas, actionText: string | undefined, message: string, execute: boolean): Promise<StepResult> {
    this.canvas = canvas;
    let executed = false;
    if (execute && this.config.executeEachEdit) {
      await this.execute();
      executed = true;
    }
    const feedback = this.feedbackText('Success', message, executed);
    return this.record(action, actionText, true, undefined, feedback, executed, executed && this.lastExecution ? { execution: this.lastExecution } : {});
  }

  private async requestPrompt(action: Action, actionText: string | undefined, message: string): Promise<StepResult> {
    const pending = (this.pending as Pending).queue[0] as PendingPrompt;
    const feedback = promptRequestFeedback({
      pending,
      spec: this.options.registry.get(pending.operator),
      canvas: this.canvas,
      task: this.view as TaskView,
      round: this.round,
      maxRounds: this.config.maxRounds,
      message,
    });
    return this.record(action, actionText, true, undefined, feedback, false, {});
  }

  private async invalid(action: Action | null, reason: string, actionText?: string, countsRound = true, stillAwaiting = false): Promise<StepResult> {
    if (!countsRound) {
      const feedback = this.feedbackText('Failed', reason, false);
      return { observation: this.observe(feedback, { executed: false, lastActionValid: false, finishRejected: false }), reward: 0, done: true, info: { valid: false, reason, executed: false } };
    }
    const feedback = stillAwaiting && this.pending
      ? promptRequestFeedback({
          pending: this.pending.queue[0] as PendingPrompt,
          spec: this.options.registry.get((this.pending.queue[0] as PendingPrompt).operator),
          canvas: this.canvas,
          task: this.view as TaskView,
          round: this.round,
          maxRounds: this.config.maxRounds,
          message: `Invalid: ${reason}`,
        })
      : this.feedbackText('Failed', `Invalid action: ${reason}`, false);
    return this.record(action, actionText, false, reason, feedback, false, {});
  }

  private async record(
    action: Action | null,
    actionText: string | undefined,
    valid: boolean,
    reason: string | undefined,
    feedback: string,
    executed: boolean,
    extra: Partial<StepInfo>,
    finalReward?: number,
  ): Promise<StepResult> {
    let reward = finalReward ?? 0;
    let outcome = extra.outcome;
    if (!this.finished && this.round >= this.config.maxRounds) {
      // No forced finish (spec §1.7): the last execution is scored, but with `gateOnTimeout` only a workflow the
      // finish gate would accept has its answer released.
      this.finished = true;
      this.pending = null;
      outcome = await this.conclude('max_rounds');
      reward = outcome.reward.total;
    }
    const done = this.finished;
    this.records.push({
      round: this.round,
      action,
      ...(actionText === undefined ? {} : { actionText }),
      valid,
      ...(reason === undefined ? {} : { reason }),
      feedback,
      dsl: printDsl(this.canvas),
      canvas: this.canvas,
      executed,
      reward,
      done,
    });
    const observation = this.observe(feedback, { executed, lastActionValid: valid, finishRejected: extra.finishRejected !== undefined });
    const info: StepInfo = {
      valid,
      ...(reason === undefined ? {} : { reason }),
      ...(action ? { action } : {}),
      executed,
      ...(extra.execution ? { execution: extra.execution } : {}),
      ...(extra.finishRejected ? { finishRejected: extra.finishRejected } : {}),
      ...(outcome ? { outcome } : {}),
    };
    return { observation, reward, done, info };
  }

  private async execute(): Promise<void> {
    this.lastExecution = await executeWorkflow(this.canvas, this.view as TaskView, {
      registry: this.options.registry,
      backend: this.options.backend,
      sandbox: this.options.sandbox,
      cache: this.cache,
      timeoutMs: this.config.executionTimeoutMs,
      tokenBudget: this.config.tokenBudget,
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
    this.executedCanvas = this.canvas;
  }

  private async conclude(reason: EpisodeOutcome['reason']): Promise<EpisodeOutcome> {
    if (this.canvas.stages.length > 0 && this.executedCanvas !== this.canvas) await this.execute();
    const execution = this.canvas.stages.length > 0 ? this.lastExecution : undefined;
    const taskScore = await scoreExecution(this.task as Task, execution ?? { answer: '' }, this.options.sandbox, { qaMetric: this.config.qaRewardMetric });
    const gateReasons = reason === 'max_rounds' ? finishGateReasons(this.canvas, this.view as TaskView, execution?.answer, this.config.finishGate) : [];
    const reward = computeReward(this.canvas, taskScore.score, this.config.reward, {
      tokens: execution?.tokens.total ?? 0,
      withheld: this.config.gateOnTimeout && gateReasons.length > 0,
    });
    this.outcome = { reason, reward, gateReasons, taskScore, canvas: this.canvas, dsl: printDsl(this.canvas), rounds: this.round, ...(execution ? { execution } : {}) };
    return this.outcome;
  }

  private feedbackText(status: 'Success' | 'Failed', message: string, executedNow: boolean, final = false): string {
    return generalFeedback({
      status,
      message,
      canvas: this.canvas,
      task: this.view as TaskView,
      round: this.round,
      maxRounds: this.config.maxRounds,
      ...(this.lastExecution ? { execution: this.lastExecution } : {}),
      executedNow,
      resultChars: this.config.feedbackResultChars,
      final,
    });
  }

  private observe(feedback: string, step: { executed: boolean; lastActionValid: boolean; finishRejected: boolean }): Observation {
    const state = this.actionState();
    return {
      task: this.view as TaskView,
      canvas: this.canvas,
      dsl: printDsl(this.canvas),
      round: this.round,
      maxRounds: this.config.maxRounds,
      awaiting: state.awaiting,
      applicable: this.finished ? [] : applicableActions(state),
      signals: {
        ...executionSignals(this.lastExecution),
        ...step,
        awaitingPrompt: state.awaiting !== null,
        finishAllowed:
          !this.finished && state.awaiting === null && finishGateReasons(this.canvas, this.view as TaskView, this.lastExecution?.answer, this.config.finishGate).length === 0,
      },
      feedback,
      done: this.finished,
    };
  }
}
