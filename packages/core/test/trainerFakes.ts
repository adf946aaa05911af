/**
 * Fixtures of the trainer tests: the paper's operators as scripted doubles (every solver answers what the backend
 * replied, checkers pass), a tiny policy network, and math/QA tasks. With a backend that always replies "42" the
 * answer score is fixed per task and the reward varies only with the workflow's structure.
 */
import { PAPER_OPERATORS } from '../src/canvas/types.ts';
import { ActionSpace } from '../src/policy/actionSpace.ts';
import { createTemplateLibrary } from '../src/policy/templates.ts';
import type { PolicyNetworkConfig } from '../src/policy/policyNetwork.ts';
import type { MathTask, QaTask } from '../src/tasks/types.ts';
import { registryOf, scriptedOperator } from './fakes.ts';

export const trainerRegistry = registryOf(
  PAPER_OPERATORS.map((name) =>
    scriptedOperator(name, (ctx, llmText) =>
      ['Verify', 'Review', 'Test'].includes(name) ? { output: ctx.input.solution, role: 'verdict', passed: true } : { output: llmText },
    ),
  ),
);

export const trainerSpace = new ActionSpace({ operators: trainerRegistry.names(), templates: createTemplateLibrary() });

/** A network small enough for the pure-JS cpu backend to train in a few seconds. */
export const TINY_NETWORK: Partial<PolicyNetworkConfig> = { dModel: 16, heads: 2, layers: 1, ffn: 32, vocab: 128, maxTokens: 16 };

export const trainerTasks: (MathTask | QaTask)[] = [
  { id: 'gsm8k/1', dataset: 'gsm8k', kind: 'math', problem: 'What is 6 * 7?', answer: '42', meta: {} },
  { id: 'gsm8k/2', dataset: 'gsm8k', kind: 'math', problem: 'What is 40 + 2?', answer: '42', meta: {} },
  { id: 'hotpotqa/1', dataset: 'hotpotqa', kind: 'qa', problem: 'Which city is the capital of France?', answer: 'Paris', answers: ['Paris'], meta: {} },
  { id: 'hotpotqa/2', dataset: 'hotpotqa', kind: 'qa', problem: 'How many legs does a spider have?', answer: '42', answers: ['42'], meta: {} },
];
