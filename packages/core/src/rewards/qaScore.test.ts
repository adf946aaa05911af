import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { BUNDLED_SAMPLES_DIR } from '../tasks/datasets.ts';
import { loadTasksFromFile } from '../tasks/loadTasks.ts';
import type { QaTask } from '../tasks/types.ts';
import { cleanQaPrediction, exactMatch, isNoAnswer, normalizeQaAnswer, scoreQa, tokenF1 } from './qaScore.ts';

const task = (answers: string[]): QaTask => ({
  id: 't/1',
  dataset: 't',
  kind: 'qa',
  problem: 'q',
  answer: answers[0] ?? '',
  answers,
  meta: {},
});

describe('normalizeQaAnswer', () => {
  it('lowercases, drops ASCII punctuation and articles, collapses whitespace', () => {
    expect(normalizeQaAnswer('  The  U.S. Army, an   Example! ')).toBe('us army example');
  });

  it('keeps non-ASCII punctuation as the official script does', () => {
    expect(normalizeQaAnswer('Rock – Paper')).toBe('rock – paper');
  });
});

describe('exactMatch and tokenF1', () => {
  it('matches after normalisation', () => {
    expect(exactMatch('the Eiffel Tower.', 'Eiffel tower')).toBe(1);
    expect(exactMatch('Eiffel', 'Eiffel Tower')).toBe(0);
  });

  it('computes token F1 with multiset overlap (hand-computed)', () => {
    // pred: [eiffel, tower, paris] gold: [eiffel, tower] → P = 2/3, R = 1, F1 = 0.8
    expect(tokenF1('Eiffel Tower Paris', 'the Eiffel Tower')).toBeCloseTo(0.8, 12);
    // repeated tokens count once per occurrence: pred [a1 a1] gold [a1] → P = 1/2, R = 1 → 2/3
    expect(tokenF1('x x', 'x')).toBeCloseTo(2 / 3, 12);
    expect(tokenF1('London', 'Paris')).toBe(0);
  });

  it('gives 1 only when both sides are empty after normalisation', () => {
    expect(tokenF1('the', '')).toBe(1);
    expect(tokenF1('Paris', '')).toBe(0);
  });
});

describe('scoreQa', () => {
  it('takes the maximum over all gold answers', () => {
    const result = scoreQa(task(['14 December 1972 UTC', 'December 1972']), 'December 1972');
    expect(result).toEqual({ em: 1, f1: 1, extracted: 'December 1972' });
  });

  it('strips answer prefixes and trailing punctuation before scoring', () => {
    expect(scoreQa(task(['Paris']), 'Answer: Paris.')).toMatchObject({ em: 1, f1: 1, extracted: 'Paris' });
    expect(scoreQa(task(['Paris']), 'After reading the passage, the answer is Paris. It is in France.').em).toBe(1);
    expect(cleanQaPrediction('**Final answer:** "Rollo"')).toBe('Rollo');
  });

  it('gives partial F1 for a partly right answer (hand-computed)', () => {
    // pred [rollo, norse, leader] vs gold [rollo] → P = 1/3, R = 1 → F1 = 0.5
    expect(scoreQa(task(['Rollo']), 'Rollo the Norse leader')).toMatchObject({ em: 0, f1: 0.5 });
  });

  it('applies the SQuAD 2.0 rule to unanswerable items', () => {
    expect(scoreQa(task([]), '')).toMatchObject({ em: 1, f1: 1 });
    expect(scoreQa(task([]), 'Answer: unanswerable')).toMatchObject({ em: 1, f1: 1 });
    expect(scoreQa(task([]), 'Not mentioned in the passage.')).toMatchObject({ em: 1, f1: 1 });
    expect(scoreQa(task([]), 'Rollo')).toMatchObject({ em: 0, f1: 0 });
  });

  it('scores a no-answer prediction 0 when a gold answer exists', () => {
    expect(isNoAnswer('unanswerable')).toBe(true);
    expect(scoreQa(task(['Rollo']), 'unanswerable')).toMatchObject({ em: 0, f1: 0 });
  });

  it('scores every bundled QA gold answer EM 1 against itself', async () => {
    let count = 0;
    for (const name of ['hotpotqa', 'squad_v2', 'triviaqa', 'nq']) {
      const { tasks } = await loadTasksFromFile(join(BUNDLED_SAMPLES_DIR, `${name}.jsonl`));
      for (const t of tasks) {
        if (t.kind !== 'qa') continue;
        count++;
        expect(scoreQa(t, t.answer), t.id).toMatchObject({ em: 1, f1: 1 });
      }
    }
    expect(count).toBe(150);
  });
});
