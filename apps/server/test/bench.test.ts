import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BUNDLED_SAMPLES_DIR, loadDataset, splitTasks } from '@flowsteer/core';
import { chatCompletion, startFakeOpenAiServer, type FakeOpenAiServer } from '@flowsteer/operators';
import type { BenchReport } from '../src/bench/benchReport.ts';
import { main } from '../src/cli/main.ts';
import { captureOutput } from './captureOutput.ts';

const output = captureOutput();

const data = ['--data-dir', BUNDLED_SAMPLES_DIR];
const WORKFLOW = 'AnswerGenerate -> Format';

function parseReport(): BenchReport {
  return JSON.parse(output.stdout()) as BenchReport;
}

describe('flowsteer bench (sim, bundled samples)', () => {
  it('runs a baseline policy and prints the metric beside the paper number, labelled SIMULATED', async () => {
    const code = await main(['bench', '--policy', 'handDesigned', '--suite', 'gsm8k,squad_v2,humaneval', '--limit', '2', ...data]);
    expect(code).toBe(0);
    const table = output.stdout();
    expect(table).toContain('SIMULATED executor (sim-4o-mini) — not LLM results');
    expect(table).toMatch(/^SIMULATED: every measured number/m);
    expect(table).toContain('policy: fixed workflow: handDesigned');
    expect(table).toMatch(/\| suite +\| dataset +\| n +\| metric +\| sim score +\| sim F1 +\| sim tokens +\| sim cost \$ +\| sim turns +\| sim feasible % +\| paper +\| paper F1 +\| paper backbone/);
    expect(table).toMatch(/\| IID +\| GSM8K +\| +2 \| accuracy +\| +[\d.]+ \| +— \| +\d+ \| +[\d.]+ \| +[\d.]+ \| +[\d.]+ \| +96\.09 \| +— \| gpt-4o-mini/);
    expect(table).toMatch(/\| IID +\| SQuAD v2 +\| +2 \| EM \/ F1 +\| +[\d.]+ \| +[\d.]+ \|.*\| +78\.12 \| +83\.67 \| gpt-4o-mini/);
    expect(table).toMatch(/\| IID +\| HumanEval +\| +2 \| pass@1 .*\| +92\.96 \|/);
    expect(table).toMatch(/\| IID +\| average \(3 of 6\) +\| +6 \| mean score/);
    // The progress bar goes to stderr, never into the table.
    expect(output.stderr()).toMatch(/bench \[#+\] 6\/6 100%/);
    expect(table).not.toContain('bench [');
  });

  it('prints one JSON object with the simulated label, rows, averages and items', async () => {
    const code = await main(['bench', '--workflow', WORKFLOW, '--suite', 'iid', '--limit', '1', '--json', ...data]);
    expect(code).toBe(0);
    const report = parseReport();
    expect(report).toMatchObject({
      format: 'flowsteer.bench/v1',
      simulated: true,
      label: 'SIMULATED executor (sim-4o-mini) — not LLM results',
      backend: 'sim',
      paperBackbone: 'gpt-4o-mini',
      subject: { kind: 'workflow', name: WORKFLOW, spec: WORKFLOW },
      seed: 0,
      limit: 1,
    });
    expect(report.rows.map((row) => row.dataset)).toEqual(['gsm8k', 'math', 'hotpotqa', 'squad_v2', 'mbpp', 'humaneval']);
    for (const row of report.rows) {
      expect(row).toMatchObject({ status: 'loaded', n: 1, split: 'iid', simulated: true });
      expect(row.score).toBeGreaterThanOrEqual(0);
      expect(row.meanTokens).toBeGreaterThan(0);
      expect(row.paper?.backbone).toBe('gpt-4o-mini');
      expect(row.meanTurns).toBeUndefined(); // a fixed workflow has no turns
    }
    expect(report.rows.find((row) => row.dataset === 'hotpotqa')?.paper).toMatchObject({ score: 78.12, f1: 84.98 });
    expect(report.rows.find((row) => row.dataset === 'hotpotqa')?.f1).toBeGreaterThanOrEqual(0);
    expect(report.averages).toHaveLength(1);
    expect(report.averages[0]).toMatchObject({ split: 'iid', n: 6, paperPublished: 85.15, simulated: true });
    expect(report.averages[0]?.paperSameDatasets).toBeCloseTo(85.15, 1);
    expect(report.items).toHaveLength(6);
    expect(report.items[0]).toMatchObject({ dataset: 'gsm8k', executionOk: true });
    expect(Object.keys(report.items[0] ?? {})).not.toContain('answer');
    // --json keeps stdout to the object alone.
    expect(output.stdout().trim().split('\n')).toHaveLength(1);
  });

  it('reports AIME 2025 and APPS as not supplied and still runs the other OOD sets', async () => {
    const code = await main(['bench', '--workflow', WORKFLOW, '--suite', 'ood', '--limit', '1', ...data]);
    expect(code).toBe(0);
    const table = output.stdout();
    expect(table).toMatch(/\| OOD +\| AIME 2025 \(not supplied\) +\| +— \| accuracy +\| +— \|.*\| +26\.67 \|/);
    expect(table).toMatch(/\| OOD +\| APPS \(not supplied\) +\| +— \| pass@1 +\| +— \|.*\| +49\.21 \|/);
    expect(table).toMatch(/^AIME 2025: not supplied — .*aime2025\.jsonl/m);
    expect(table).toMatch(/\| OOD +\| TriviaQA +\| +1 \|/);
    expect(table).toMatch(/\| OOD +\| average \(4 of 6\) +\| +4 \|/);
    expect(output.stderr()).toContain('aime2025: not supplied');
  });

  it('runs AIME 2025 when the user supplies its file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowsteer-bench-'));
    const record = (n: number, answer: string) =>
      JSON.stringify({ id: `aime2025/${n}`, dataset: 'aime2025', source: 'test', kind: 'math', question: `What is ${answer} + 0?`, answer, meta: {} });
    writeFileSync(join(dir, 'aime2025.jsonl'), `${record(1, '70')}\n${record(2, '588')}\n`);
    const code = await main(['bench', '--workflow', WORKFLOW, '--suite', 'aime', '--json', '--data-dir', dir]);
    expect(code).toBe(0);
    const report = parseReport();
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]).toMatchObject({ dataset: 'aime2025', status: 'loaded', n: 2, paper: { score: 26.67, backbone: 'gpt-4o-mini' } });
    expect(report.rows[0]?.source?.path).toBe(join(dir, 'aime2025.jsonl'));
  });

  it('marks not-supplied rows in JSON with the reason', async () => {
    const code = await main(['bench', '--workflow', WORKFLOW, '--suite', 'apps,gsm8k', '--limit', '1', '--json', ...data]);
    expect(code).toBe(0);
    const report = parseReport();
    expect(report.rows.map((row) => [row.dataset, row.status])).toEqual([
      ['gsm8k', 'loaded'],
      ['apps', 'not_supplied'],
    ]);
    expect(report.rows[1]).toMatchObject({ n: 0, paper: { score: 49.21 } });
    expect(report.rows[1]?.reason).toMatch(/apps\.jsonl/);
    expect(report.rows[1]?.score).toBeUndefined();
    expect(report.averages.map((a) => a.split)).toEqual(['iid']);
  });
});

describe('flowsteer bench with a trained policy', () => {
  it('leaves out the tasks the policy trained on and reports turns', async () => {
    const runDir = join(mkdtempSync(join(tmpdir(), 'flowsteer-bench-run-')), 'run');
    const train = ['train', '--datasets', 'gsm8k', '--limit', '8', '--group', '2', '--tasks-per-iter', '2', '--network', 'tiny', '--tf-backend', 'cpu'];
    expect(await main([...train, '--iterations', '1', '--run-dir', runDir, ...data])).toBe(0);
    output.clear();

    const code = await main(['bench', '--policy', runDir, '--suite', 'gsm8k,nq', '--limit', '3', '--json', '--tf-backend', 'cpu', ...data]);
    expect(code).toBe(0);
    const report = parseReport();
    const { tasks } = await loadDataset('gsm8k', { dataDir: BUNDLED_SAMPLES_DIR, limit: 8 });
    const trainedOn = new Set(splitTasks(tasks, { testFraction: 0.2, seed: 'flowsteer' }).train.map((task) => task.id));
    expect(trainedOn.size).toBeGreaterThan(0);
    expect(report.subject).toMatchObject({ kind: 'policy', spec: runDir });
    expect(report.subject.name).toContain('trained policy (greedy)');
    expect(report.rows.map((row) => [row.dataset, row.n])).toEqual([
      ['gsm8k', 3],
      ['nq', 3],
    ]);
    expect(report.rows[0]?.source?.excludedTrainTasks).toBe(trainedOn.size);
    expect(report.rows[1]?.source?.excludedTrainTasks).toBe(0);
    for (const item of report.items) expect(trainedOn.has(item.taskId)).toBe(false);
    for (const row of report.rows) expect(row.meanTurns).toBeGreaterThan(0);
    expect(output.stderr()).toMatch(/trained policy: its \d+ training tasks \(gsm8k, split seed flowsteer\) are left out/);
  });
});

describe('flowsteer bench --backend openai', () => {
  let fake: FakeOpenAiServer | undefined;
  afterEach(async () => {
    vi.unstubAllEnvs();
    await fake?.close();
    fake = undefined;
  });

  it('labels real results as such and takes the paper column from the matching backbone', async () => {
    // A developer's real endpoint settings must not leak into the test.
    for (const name of ['OPENAI_BASE_URL', 'OPENAI_API_KEY', 'FLOWSTEER_LLM_MODEL', 'FLOWSTEER_DIRECTOR_MODEL']) vi.stubEnv(name, '');
    fake = await startFakeOpenAiServer(() => ({ body: chatCompletion('<thought>add</thought><answer>18</answer>', { promptTokens: 100, completionTokens: 10 }) }));
    const args = ['bench', '--workflow', 'AnswerGenerate', '--suite', 'gsm8k,triviaqa', '--limit', '2', '--backend', 'openai', '--base-url', fake.baseURL, '--model', 'deepseek-v3.2', ...data];
    expect(await main(args)).toBe(0);
    const table = output.stdout();
    expect(table).toContain(`flowsteer bench — LLM executor deepseek-v3.2 at ${fake.baseURL}/chat/completions`);
    expect(table).not.toMatch(/SIMULATED|sim score/);
    expect(table).toMatch(/\| suite +\| dataset +\| n +\| metric +\| +score \| +F1 \| +tokens \| +cost \$ \| +turns \| feasible % \|/);
    expect(table).toMatch(/\| IID +\| GSM8K +\| +2 \| accuracy .*\| +98\.40 \| +— \| deepseek-v3\.2 +\|/);
    // The backend-swap figure has IID numbers only: TriviaQA keeps the GPT-4o-mini number and says so.
    expect(table).toMatch(/\| OOD +\| TriviaQA +\| +2 \| EM \/ F1 .*\| +79\.69 \| +84\.11 \| gpt-4o-mini +\|/);
    expect(table).toMatch(/^LLM usage \(executor deepseek-v3\.2\): \d+ calls/m);

    output.clear();
    expect(await main([...args, '--json'])).toBe(0);
    const report = parseReport();
    expect(report).toMatchObject({ simulated: false, backend: 'openai', model: 'deepseek-v3.2', paperBackbone: 'deepseek-v3.2' });
    expect(report.rows.every((row) => !row.simulated)).toBe(true);
    expect(report.llmUsage).toHaveLength(1);
  });

  it('passes an llm: policy spec through to the director loader, which says what to configure', async () => {
    for (const name of ['OPENAI_BASE_URL', 'OPENAI_API_KEY', 'FLOWSTEER_LLM_MODEL', 'FLOWSTEER_DIRECTOR_MODEL']) vi.stubEnv(name, '');
    expect(await main(['bench', '--policy', 'llm:flowsteer-8b', '--suite', 'gsm8k', '--limit', '1', ...data])).toBe(2);
    expect(output.stderr()).toMatch(/flowsteer bench: .*OpenAI-compatible endpoint for the LLM "flowsteer-8b"/);
    expect(output.stdout()).toBe('');
  });
});

describe('flowsteer bench: bad arguments exit 2 with a clear message', () => {
  const cases: ReadonlyArray<readonly [string, readonly string[], RegExp]> = [
    ['neither --policy nor --workflow', ['--suite', 'iid'], /expected exactly one of --policy and --workflow, got neither/],
    ['both --policy and --workflow', ['--policy', 'cot', '--workflow', WORKFLOW], /expected exactly one of --policy and --workflow, got both/],
    ['an unknown suite', ['--policy', 'cot', '--suite', 'iid,gsm9k'], /--suite: expected iid, ood, all or a comma list of datasets .*got unknown dataset 'gsm9k'/],
    ['an empty suite', ['--policy', 'cot', '--suite', ','], /--suite: expected iid, ood, all/],
    ['a zero limit', ['--policy', 'cot', '--limit', '0'], /--limit: expected a positive integer, got '0'/],
    ['a non-integer seed', ['--policy', 'cot', '--seed', 'x'], /--seed: expected an integer, got 'x'/],
    ['an unknown option', ['--policy', 'cot', '--frobnicate'], /Unknown option '--frobnicate'/],
    ['an unknown backend', ['--policy', 'cot', '--backend', 'nope', '--limit', '1', '--suite', 'gsm8k'], /backend.*'nope'/],
    ['bad workflow DSL', ['--workflow', 'Plan -> -> Format'], /DSL error at 1:9/],
    ['an unknown policy folder', ['--policy', '/nonexistent/flowsteer-run', '--suite', 'gsm8k', '--limit', '1'], /--policy: expected a run folder/],
  ];
  for (const [what, args, message] of cases) {
    it(`rejects ${what}`, async () => {
      expect(await main(['bench', ...args, ...data])).toBe(2);
      expect(output.stderr()).toMatch(message);
      expect(output.stdout()).toBe('');
    });
  }

  it('prints its help', async () => {
    expect(await main(['bench', '--help'])).toBe(0);
    expect(output.stdout()).toContain('Usage: flowsteer bench');
    expect(await main(['help', 'bench'])).toBe(0);
    expect(await main(['--help'])).toBe(0);
    expect(output.stdout()).toMatch(/^ {2}bench /m);
  });
});
