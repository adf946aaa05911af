/**
 * Baseline policies with the Policy interface: uniformly random over valid decisions, and fixed
 * workflows (CoT-style single AnswerGenerate, self-consistency, a hand-designed workflow per task kind)
 * built through the same actions and prompt turns as any policy.
 * @public
 */
import { SeededRng } from '../util/random.ts';
import { ACTION_NAMES, type Action } from '../actions/types.ts';
import { parseDsl } from '../canvas/dsl.ts';
import type { Canvas, Stage } from '../canvas/types.ts';
import type { Observation } from '../env/workflowEnv.ts';
import { CoreError } from '../errors.ts';
import type { TaskKind } from '../tasks/types.ts';
import type { ActionSpace, Decision } from './actionSpace.ts';
import type { ActOptions, Policy } from './types.ts';

/** A seeded uniform random number generator (mulberry32), as a function. */
export function seededRandom(seed: number): () => number {
  const rng = new SeededRng(seed);
  return () => rng.next();
}

/** Uniform over the valid options of every head (masked), so it never picks an invalid action. */
export function createRandomPolicy(space: ActionSpace, seed = 0): Policy {
  const random = seededRandom(seed);
  const zeros = new Float32Array(64);
  return {
    name: 'random',
    async act(observations) {
      return observations.map((observation) => space.sample(observation, () => zeros, random));
    },
  };
}

/** The fixed workflows of DESIGN.md §3 (baselines). */
export const FIXED_WORKFLOWS = {
  cot: { math: 'AnswerGenerate', qa: 'AnswerGenerate', code: 'Programmer' },
  selfConsistency: {
    math: '[AnswerGenerate, AnswerGenerate, AnswerGenerate] -> ScEnsemble',
    qa: '[AnswerGenerate, AnswerGenerate, AnswerGenerate] -> ScEnsemble',
    code: '[Programmer, Programmer, Programmer] -> ScEnsemble',
  },
  handDesigned: {
    math: 'Plan -> [Programmer, AnswerGenerate, AnswerGenerate] -> ScEnsemble -> Verify ? Revise : done -> Format',
    qa: '[AnswerGenerate, AnswerGenerate, AnswerGenerate] -> ScEnsemble -> Verify ? Revise : done -> Format',
    code: 'Plan -> [Programmer, Programmer] -> ScEnsemble -> Test ? Revise : done',
  },
} as const satisfies Record<string, Record<TaskKind, string>>;

function stageAction(stage: Stage): Action {
  switch (stage.kind) {
    case 'operator':
      return { type: 'add', operator: stage.operator };
    case 'parallel':
      return { type: 'add_parallel', operators: stage.branches.map((b) => b.operator) };
    case 'conditional':
      return { type: 'add_conditional', condition: stage.condition.operator, onFail: stage.onFail.operator, onPass: stage.onPass?.operator ?? null };
    case 'loop':
      return { type: 'add_loop', operators: stage.body.map((n) => n.operator), count: stage.count };
  }
}

/**
 * A policy that builds a fixed workflow per task kind: adds the stages in order, answers each prompt turn
 * with the operator's first template, then finishes. Decisions carry log-prob 0 (it is deterministic).
 */
export function createFixedWorkflowPolicy(space: ActionSpace, name: string, workflows: Readonly<Record<TaskKind, string>>, operators?: readonly string[]): Policy {
  const targets = Object.fromEntries(
    (Object.entries(workflows) as [TaskKind, string][]).map(([kind, dsl]) => [kind, parseDsl(dsl, operators ? { operators } : {})]),
  ) as Record<TaskKind, Canvas>;
  const next = (observation: Observation): Action => {
    // Prompt turns take the operator's first template (index 0 of the template head).
    if (observation.awaiting) return space.decode(observation, { ...space.unusedIndices(), type: ACTION_NAMES.indexOf('prompt'), template: 0 });
    const target = targets[observation.task.kind];
    const stage = target.stages[observation.canvas.stages.length];
    return stage ? stageAction(stage) : { type: 'finish' };
  };
  return {
    name,
    async act(observations: readonly Observation[], _options?: ActOptions): Promise<Decision[]> {
      return observations.map((observation) => {
        const encoded = space.encode(observation, next(observation));
        if (!encoded.ok) throw new CoreError('INTERNAL', `[core] fixed workflow ${name}: ${encoded.reason}`);
        return encoded.decision;
      });
    },
  };
}
