/**
 * `runAgent`: a policy (baseline or checkpoint) builds a workflow for one task or typed question, streamed.
 * The episode row exists (status `running`) before `runAgent` resolves; the episode then runs in the
 * background, and every step is stored (`appendEpisodeStep`) BEFORE its `episode:<id>` event is published, so a
 * subscriber that reads the database on joining and then follows the live events misses nothing. The result
 * (or the failure) is stored by `finishEpisode` and announced as the final event (seq = last step + 1).
 * @public
 */
import { setMaxListeners } from 'node:events';
import { randomUUID } from 'node:crypto';
import { CoreError, hashString, toTrajectoryStep, WorkflowEnv, type Observation, type Task, type TaskKind } from '@flowsteer/core';
import type { AppDb } from '../db/client.ts';
import { appendEpisodeStep, createEpisode, finishEpisode, type EpisodeResult } from '../db/repositories/index.ts';
import { AppError, toAppError } from '../errors.ts';
import { episodeTopic, type PubSub } from '../events/pubSub.ts';
import type { RunAgentJobInput } from '../graphql/context.ts';
import { outcomeResult, resultEvent, stepEvent, stepWrite } from './episodeRecords.ts';
import { assertPolicySpec, resolveJobPolicy, type JobPolicy } from './jobPolicy.ts';
import type { JobRuntime } from './jobRuntime.ts';

/** Longest typed question accepted, in characters. @public */
export const MAX_QUESTION_CHARS = 20_000;

/** {@link RunAgentJobInput} plus an optional gold answer for a typed question (then the result is scored). @public */
export type RunAgentInput = RunAgentJobInput & { readonly gold?: string };

/** What the agent runner needs. @public */
export interface AgentRunnerDeps {
  readonly db: AppDb;
  readonly pubSub: PubSub;
  readonly runtime: JobRuntime;
  readonly onError?: (message: string, error: unknown) => void;
}

/** Streamed agent episodes. @public */
export interface AgentRunner {
  /** Validates, creates the episode row and resolves with its id; the episode runs in the background. */
  runAgent(input: RunAgentInput): Promise<{ episodeId: string }>;
  /** Resolves when no episode is running (tests, shutdown). */
  whenIdle(): Promise<void>;
  /** Aborts running episodes (each is stored as failed) and waits for them. */
  close(): Promise<void>;
}

/** A task for a typed question: the problem text and, when given, the gold answer the scorer compares with. @internal */
function typedTask(question: string, kind: TaskKind, gold: string | undefined): Task {
  const base = { id: `question/${randomUUID()}`, dataset: 'question', problem: question, meta: {} };
  switch (kind) {
    case 'math':
      return { ...base, kind, answer: gold ?? '' };
    case 'qa':
      return { ...base, kind, answer: gold ?? '', answers: gold === undefined ? [] : [gold] };
    case 'code':
      return { ...base, kind, entryPoint: '', tests: '', testStyle: 'append', publicTests: '' };
  }
}

/** Creates the agent runner. @public */
export function createAgentRunner(deps: AgentRunnerDeps): AgentRunner {
  const { db, pubSub, runtime } = deps;
  const running = new Set<Promise<void>>();
  const controller = new AbortController();
  // Every concurrent episode (and its executor) listens on this one signal: far more than Node's default of 10.
  setMaxListeners(0, controller.signal);

  async function findTask(input: RunAgentInput): Promise<{ task: Task; scored: boolean }> {
    if ((input.taskId === undefined) === (input.question === undefined)) {
      throw new AppError('BAD_USER_INPUT', `expected exactly one of taskId and question, got ${input.taskId === undefined ? 'neither' : 'both'}`);
    }
    if (input.question !== undefined) {
      const question = input.question.trim();
      if (question === '' || question.length > MAX_QUESTION_CHARS) {
        throw new AppError('BAD_USER_INPUT', `expected a question of 1 to ${MAX_QUESTION_CHARS} characters, got ${question.length}`);
      }
      const kind = input.taskKind ?? 'math';
      if (kind === 'code' && input.gold !== undefined) throw new AppError('BAD_USER_INPUT', 'expected no gold answer for a code question (code is scored by tests), got one');
      return { task: typedTask(question, kind, input.gold), scored: input.gold !== undefined };
    }
    const taskId = input.taskId as string;
    const slash = taskId.indexOf('/');
    if (slash <= 0) throw new AppError('BAD_USER_INPUT', `expected a task id '<dataset>/<id>', got '${taskId}'`);
    let tasks: Task[];
    try {
      tasks = await runtime.loadTasks(taskId.slice(0, slash));
    } catch (error) {
      throw new AppError('NOT_FOUND', `expected a task of a loadable dataset, got '${taskId}'`, { cause: error });
    }
    const task = tasks.find((candidate) => candidate.id === taskId);
    if (!task) throw new AppError('NOT_FOUND', `expected an existing task, got '${taskId}'`);
    return { task, scored: true };
  }

  async function play(episodeId: string, task: Task, scored: boolean, resolved: JobPolicy, backend: string): Promise<void> {
    const topic = episodeTopic(episodeId);
    const seed = hashString(episodeId);
    let lastStep = 0;
    let result: EpisodeResult;
    try {
      const env = new WorkflowEnv({
        registry: runtime.registry,
        backend: runtime.backendFor({ backend, seed, tasks: new Map([[task.id, task]]) }),
        sandbox: runtime.sandbox,
        signal: controller.signal,
      });
      let observation: Observation = env.reset(task);
      while (!observation.done) {
        if (controller.signal.aborted) throw new CoreError('ABORTED', '[server] the server is shutting down');
        const [decision] = await resolved.policy.act([observation], resolved.greedy ? { greedy: true } : {});
        if (!decision) throw new CoreError('INTERNAL', '[server] expected one decision from the policy, got none');
        const stepped = await env.step(decision.action);
        const step = stepWrite(toTrajectoryStep(decision.action, stepped));
        await appendEpisodeStep(db, episodeId, step);
        await pubSub.publish(topic, stepEvent(episodeId, step));
        lastStep = step.step;
        observation = stepped.observation;
      }
      if (!env.result) throw new CoreError('INTERNAL', '[server] expected an outcome of the finished episode, got none');
      result = outcomeResult(env.result, scored);
    } catch (error) {
      deps.onError?.(`[server] agent episode ${episodeId} failed`, error);
      result = { status: 'failed', error: error instanceof Error ? error.message : String(error) };
    } finally {
      resolved.dispose();
    }
    try {
      await finishEpisode(db, episodeId, result);
      await pubSub.publish(topic, resultEvent(episodeId, lastStep, result));
    } catch (error) {
      deps.onError?.(`[server] could not store the end of agent episode ${episodeId}`, error);
    }
  }

  return {
    async runAgent(input) {
      if (controller.signal.aborted) throw new AppError('INTERNAL', 'expected a running server, got one shutting down');
      runtime.assertBackend(input.backend);
      assertPolicySpec(input);
      const { task, scored } = await findTask(input);
      // Resolved before the row exists: bad input creates nothing.
      const resolved = await resolveJobPolicy(db, runtime, input, hashString(task.id));
      let episodeId: string;
      try {
        const episode = await createEpisode(db, {
          kind: 'agent',
          policy: resolved.name,
          checkpointId: resolved.checkpointId ?? null,
          taskId: task.id,
          dataset: task.dataset,
          question: task.problem,
          backend: input.backend,
          createdBy: input.userId === '' ? null : input.userId,
        });
        episodeId = episode.id;
      } catch (error) {
        resolved.dispose();
        throw toAppError(error);
      }
      // Started on the next macrotask, so a caller that subscribes right after this resolves sees step 1 live.
      const done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => play(episodeId, task, scored, resolved, input.backend));
      running.add(done);
      void done.finally(() => running.delete(done));
      return { episodeId };
    },
    async whenIdle() {
      while (running.size > 0) await Promise.all(running);
    },
    async close() {
      controller.abort();
      while (running.size > 0) await Promise.all(running);
    },
  };
}
