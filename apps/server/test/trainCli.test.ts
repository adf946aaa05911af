import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLED_SAMPLES_DIR } from '@flowsteer/core';
import { main } from '../src/cli/main.ts';
import { captureOutput } from './captureOutput.ts';

const root = mkdtempSync(join(tmpdir(), 'flowsteer-train-cli-'));
const output = captureOutput();
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const data = ['--data-dir', BUNDLED_SAMPLES_DIR];
// Tiny everything: two datasets, three tasks per iteration in groups of two, the smallest network on pure-JS tf.
const tiny = ['--datasets', 'gsm8k,squad_v2', '--limit', '6', '--group', '2', '--tasks-per-iter', '2', '--network', 'tiny', '--tf-backend', 'cpu', ...data];

describe('flowsteer train', () => {
  it('trains, logs metrics and checkpoints, resumes, and the checkpoint evaluates with eval --policy', async () => {
    const runDir = join(root, 'run');
    expect(await main(['train', ...tiny, '--iterations', '1', '--run-dir', runDir])).toBe(0);
    expect(output.stdout()).toContain('SIMULATED executor (sim-4o-mini) — not LLM results');
    expect(output.stdout()).toMatch(/iter 1\/1 {2}reward -?\d\.\d{3} \[/);
    expect(output.stderr()).toMatch(/train \[#+\] 1\/1 100%/);
    expect(existsSync(join(runDir, 'run.json'))).toBe(true);
    expect(existsSync(join(runDir, 'checkpoints', 'iter-0001', 'trainer.json'))).toBe(true);
    const rows = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(rows.map((row: { iteration: number }) => row.iteration)).toEqual([1]);
    expect(rows[0]).toHaveProperty('reward/mean');

    output.clear();
    expect(await main(['train', '--resume', runDir, '--iterations', '2', '--tf-backend', 'cpu'])).toBe(0);
    expect(output.stdout()).toContain(`resumed ${runDir} at iteration 1`);
    expect(output.stdout()).toMatch(/iter 2\/2 /);
    expect(existsSync(join(runDir, 'checkpoints', 'iter-0002', 'policy', 'weights.json'))).toBe(true);

    output.clear();
    expect(await main(['eval', '--policy', runDir, '--dataset', 'gsm8k,squad_v2', '--limit', '6', '--tf-backend', 'cpu', ...data])).toBe(0);
    expect(output.stdout()).toContain('SIMULATED executor');
    expect(output.stdout()).toContain('trained policy (greedy)');
    expect(output.stdout()).toMatch(/\| gsm8k +\| +\d+ \| accuracy/);
    expect(output.stdout()).toMatch(/shortcut rate \d+\.\d%, mean turns \d+\.\d \(episodes on the test split\)/);
    expect(output.stderr()).toMatch(/split test \(test fraction 0\.2, seed flowsteer\)/);

    output.clear();
    expect(await main(['eval', '--policy', runDir, '--dataset', 'gsm8k', '--limit', '6', '--tf-backend', 'cpu', '--decoding', 'paper', ...data])).toBe(0);
    expect(output.stdout()).toContain('trained policy (paper)');
    expect(await main(['eval', '--policy', runDir, '--dataset', 'gsm8k', '--limit', '6', '--tf-backend', 'cpu', '--decoding', 'beam', ...data])).toBe(1);
    expect(output.stderr()).toContain("--decoding: expected greedy, paper or sample, got 'beam'");
  });

  it('evaluates a fixed baseline policy by name', async () => {
    expect(await main(['eval', '--policy', 'handDesigned', '--dataset', 'gsm8k', '--limit', '4', '--split', 'all', ...data])).toBe(0);
    expect(output.stdout()).toContain('fixed workflow: handDesigned');
    expect(output.stdout()).toMatch(/\| gsm8k +\| +4 \| accuracy .*\| +100\.0 \|/); // the hand-designed math workflow is feasible
  });

  it('requires --datasets or --resume and rejects an unknown network', async () => {
    expect(await main(['train', '--iterations', '1'])).toBe(2);
    expect(output.stderr()).toContain('--datasets (or --resume DIR) is required');
    expect(await main(['train', '--datasets', 'gsm8k', '--network', 'huge', ...data])).toBe(1);
    expect(output.stderr()).toMatch(/--network: expected one of tiny, small, default/);
  });
});
