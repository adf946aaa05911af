/**
 * Demonstrations: a sequence of actions that builds a given workflow on a given task (a later issue turns human
 * corrections into these). `buildDemonstrations` replays each one through a `WorkflowEnv`, so every action is
 * encoded against the observation it was taken in (`ActionSpace.encode`) and carries the policy features the
 * trainer scores it with. The trainer mixes the decisions into its loss (behaviour cloning or clipped importance
 * weights, `demoLoss`).
 * @public
 */
import { ACTION_NAMES, type Action } from '../actions/types.ts';
import { parseDsl } from '../canvas/dsl.ts';
import type { Canvas, Stage } from '../canvas/types.ts';
import type { Observation, WorkflowEnv } from '../env/workflowEnv.ts';
import { CoreError } from '../errors.ts';
import type { ActionSpace } from '../policy/actionSpace.ts';
import type { PolicyFeatures } from '../policy/featurize.ts';
import type { PolicyDecision } from '../policy/tfjsPolicy.ts';
import type { Task } from '../tasks/types.ts';
import { sourceOf } from './sampling.ts';

/** A demonstration: a task plus the workflow to build (DSL) or the exact actions, prompt turns included. @public */
export interface Demonstration {
  readonly task: Task;
  /**
   * Workflow DSL. Replayed as: each stage's structure action in order, every prompt turn answered with the
   * operator's first template (the DSL carries no prompts), then `finish`.
   */
  readonly workflow?: string;
  /** Or the actions themselves, in order (used when `workflow` is absent). */
  readonly actions?: readonly Action[];
}

/** One note about a replayed step that is not part of the demonstration's decisions. @public */
export interface DemonstrationNote {
  /** 1-based environment round. */
  readonly round: number;
  readonly action: Action;
  readonly reason: string;
}

/** A replayed demonstration: decisions with features and masks, ready for the trainer's loss. @public */
export interface DemoTrajectory {
  readonly taskId: string;
  readonly source: string;
  /** Encoded decisions; `logProb` is the demonstrator's log-probability, 0 (deterministic) for these replays. */
  readonly decisions: PolicyDecision[];
  /**
   * Steps left out: an action the action space cannot express (e.g. a prompt that is not in the template
   * library) is still applied to the environment, so later steps see the right canvas, but it is not learned;
   * a step the environment rejects ends the replay.
   */
  readonly notes: DemonstrationNote[];
  /** The workflow the replay built (DSL). */
  readonly dsl: string;
}

/** What {@link buildDemonstrations} needs. @public */
export interface BuildDemonstrationsOptions {
  readonly space: ActionSpace;
  /** Observation → policy features (`policy.featurize`). */
  readonly featurize: (observation: Observation) => PolicyFeatures;
  /** A fresh environment per demonstration. */
  readonly makeEnv: (task: Task, index: number) => WorkflowEnv;
  /** Operator names the DSL may use. @default the paper's 12 */
  readonly operators?: readonly string[];
}

/** The structure action that adds `stage` (its prompts follow as prompt turns). @internal */
function stageAction(stage: Stage): Action {
  switch (stage.kind) {
    case 'operator':
      return { type: 'add', operator: stage.operator };
    case 'parallel':
      return { type: 'add_parallel', operators: stage.branches.map((branch) => branch.operator) };
    case 'conditional':
      return { type: 'add_conditional', condition: stage.condition.operator, onFail: stage.onFail.operator, onPass: stage.onPass?.operator ?? null };
    case 'loop':
      return { type: 'add_loop', operators: stage.body.map((node) => node.operator), count: stage.count };
  }
}

/** Next action of a DSL replay: prompt turns take the first template, then the next stage, then finish. @internal */
function dslPlanner(space: ActionSpace, target: Canvas): (observation: Observation) => Action {
  return (observation) => {
    if (observation.awaiting) return space.decode(observation, { ...space.unusedIndices(), type: ACTION_NAMES.indexOf('prompt'), template: 0 });
    const stage = target.stages[observation.canvas.stages.length];
    return stage ? stageAction(stage) : { type: 'finish' };
  };
}

/**
 * Replays demonstrations through fresh environments and encodes their actions. Never throws for an action the
 * space cannot express or the environment rejects (see {@link DemoTrajectory.notes}); throws CONFIG_INVALID for a
 * demonstration with neither `workflow` nor `actions`, and DSL_PARSE for bad DSL.
 * @example const demos = await buildDemonstrations([{ task, workflow: 'Plan -> [AnswerGenerate, AnswerGenerate] -> ScEnsemble -> Verify ? Revise : done -> Format' }], { space, featurize: (o) => policy.featurize(o), makeEnv })
 * @public
 */
export async function buildDemonstrations(demonstrations: readonly Demonstration[], options: BuildDemonstrationsOptions): Promise<DemoTrajectory[]> {
  const out: DemoTrajectory[] = [];
  for (const [index, demo] of demonstrations.entries()) {
    let next: (observation: Observation, step: number) => Action | undefined;
    if (demo.workflow !== undefined) {
      const planner = dslPlanner(options.space, parseDsl(demo.workflow, options.operators ? { operators: options.operators } : {}));
      next = (observation) => planner(observation);
    } else if (demo.actions) {
      const actions = demo.actions;
      next = (_observation, step) => actions[step];
    } else {
      throw new CoreError('CONFIG_INVALID', `[core] demonstration ${index} (task ${demo.task.id}): expected a workflow or actions, got neither`);
    }
    const env = options.makeEnv(demo.task, index);
    let observation = env.reset(demo.task);
    const decisions: PolicyDecision[] = [];
    const notes: DemonstrationNote[] = [];
    for (let step = 0; !observation.done; step += 1) {
      const action = next(observation, step);
      if (!action) break;
      const encoded = options.space.encode(observation, action);
      const features = encoded.ok ? options.featurize(observation) : undefined;
      const result = await env.step(action);
      if (!result.info.valid) {
        // A refused action (e.g. a finish the gate rejects) is not learned, and a planner would only repeat it.
        notes.push({ round: observation.round + 1, action, reason: `replay stopped: the environment rejected it (${result.info.reason ?? 'invalid'})` });
        break;
      }
      if (encoded.ok && features) decisions.push({ ...encoded.decision, features });
      else if (!encoded.ok) notes.push({ round: observation.round + 1, action, reason: `applied but not learned: ${encoded.reason}` });
      observation = result.observation;
    }
    out.push({ taskId: demo.task.id, source: sourceOf(demo.task), decisions, notes, dsl: observation.dsl });
  }
  return out;
}
