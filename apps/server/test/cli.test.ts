import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLED_SAMPLES_DIR } from '@flowsteer/core';
import { main } from '../src/cli/main.ts';
import { captureOutput } from './captureOutput.ts';

const output = captureOutput();

const data = ['--data-dir', BUNDLED_SAMPLES_DIR];

describe('flowsteer eval', () => {
  it('prints a per-dataset table labelled as simulated and writes JSON', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'flowsteer-cli-')), 'report.json');
    const code = await main(['eval', '--dataset', 'gsm8k,squad_v2', '--workflow', 'AnswerGenerate -> Format', '--limit', '5', '--json', out, ...data]);
    expect(code).toBe(0);
    expect(output.stdout()).toContain('SIMULATED executor (sim-4o-mini) — not LLM results');
    expect(output.stdout()).toMatch(/\| gsm8k +\| +5 \| accuracy/);
    expect(output.stdout()).toMatch(/\| squad_v2 +\| +5 \| EM/);
    expect(output.stderr()).toMatch(/eval \[#+\] 10\/10 100%/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.simulated).toBe(true);
    expect(report.items).toHaveLength(10);
    expect(report.datasets.map((d: { dataset: string }) => d.dataset)).toEqual(['gsm8k', 'squad_v2']);
  });

  it('rejects bad DSL with a located error and exit code 2', async () => {
    const code = await main(['eval', '--dataset', 'gsm8k', '--workflow', 'Plan -> -> Format', ...data]);
    expect(code).toBe(2);
    expect(output.stderr()).toContain('DSL error at 1:9');
  });

  it('rejects an unknown dataset naming the known ones', async () => {
    const code = await main(['eval', '--dataset', 'gsm9k', '--workflow', 'AnswerGenerate', ...data]);
    expect(code).toBe(2);
    expect(output.stderr()).toMatch(/unknown dataset "gsm9k"; expected one of gsm8k/);
  });

  it('rejects an unknown sim profile', async () => {
    const code = await main(['eval', '--dataset', 'gsm8k', '--workflow', 'AnswerGenerate', '--profile', 'gpt-5', '--limit', '1', ...data]);
    expect(code).toBe(2);
    expect(output.stderr()).toMatch(/unknown sim profile 'gpt-5'/);
  });

  it('requires --dataset and --workflow', async () => {
    expect(await main(['eval', '--workflow', 'AnswerGenerate'])).toBe(2);
    expect(output.stderr()).toContain('--dataset and --workflow are required');
  });
});

describe('flowsteer run', () => {
  it('shows the per-node trace of a dataset task', async () => {
    const code = await main(['run', '--task', 'gsm8k/test/0', '--workflow', 'Plan -> [AnswerGenerate, Programmer] -> ScEnsemble -> Format', ...data]);
    expect(code).toBe(0);
    for (const node of ['node_1', 'node_2_p0', 'node_2_p1', 'node_3', 'node_4']) expect(output.stdout()).toContain(node);
    expect(output.stdout()).toContain('SIMULATED executor');
    expect(output.stdout()).toMatch(/score: [01]\.000/);
  });

  it('runs a typed question and says it cannot score without gold', async () => {
    const code = await main(['run', '--question', 'What is 2 + 2?', '--workflow', 'AnswerGenerate -> Format']);
    expect(code).toBe(0);
    expect(output.stdout()).toContain('no gold answer');
  });

  it('scores a typed question when --gold is given', async () => {
    const code = await main(['run', '--question', 'What is 2 + 2?', '--gold', '4', '--workflow', 'AnswerGenerate -> Format']);
    expect(code).toBe(0);
    expect(output.stdout()).toMatch(/score: [01]\.000/);
  });

  it('reports an unknown task id clearly', async () => {
    const code = await main(['run', '--task', 'gsm8k/test/99999', '--workflow', 'AnswerGenerate', ...data]);
    expect(code).toBe(1);
    expect(output.stderr()).toMatch(/no task 'gsm8k\/test\/99999'/);
  });
});

describe('flowsteer', () => {
  it('rejects an unknown command', async () => {
    expect(await main(['frobnicate'])).toBe(2);
    expect(output.stderr()).toMatch(/unknown command 'frobnicate'/);
  });

  it('prints help', async () => {
    expect(await main(['--help'])).toBe(0);
    expect(output.stdout()).toContain('SIMULATED executor');
  });
});
