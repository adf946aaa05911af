/**
 * Database side of the query benchmark (`tests/bench/dbQuery.ts`): scratch databases and a bulk fill. It lives
 * here because it needs drizzle-orm and postgres.js, which are dependencies of the server package, not of
 * the tests package.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { createExperiment, createRun } from '../../src/db/repositories/index.ts';
import { episodeSteps, episodes } from '../../src/db/schema.ts';

/** Shape of the filled data. */
export const BENCH_SHAPE = {
  batch: 1_000,
  /** Training episodes per iteration; they share one timestamp, as a commitIteration transaction gives them. */
  iterationSize: 32,
  /** Every n-th episode gets steps. */
  stepsEvery: 100,
  stepsPerEpisode: 20,
} as const;

const canvas = {
  stages: [['Plan'], ['Programmer', 'AnswerGenerate', 'AnswerGenerate'], ['ScEnsemble'], ['Verify'], ['Format']],
  prompts: { Plan: 'Think step by step.', Programmer: 'Write Python that prints the answer.' },
};

/**
 * Inserts `total` finished episodes in batched transactions: 90% training episodes of one run, the rest agent
 * and evaluation episodes; every `stepsEvery`-th episode gets `stepsPerEpisode` steps. Returns the ids of the
 * episodes that have steps.
 */
export async function fillEpisodes(database: Database, total: number, onProgress?: (done: number) => void): Promise<string[]> {
  const { db } = database;
  const { batch, iterationSize, stepsEvery, stepsPerEpisode } = BENCH_SHAPE;
  const experiment = await createExperiment(db, { name: 'bench', backend: 'sim', datasets: ['gsm8k'], config: {} });
  const run = await createRun(db, { experimentId: experiment.id, totalIterations: Math.ceil(total / iterationSize) });
  const start = Date.UTC(2026, 0, 1);
  const withSteps: string[] = [];
  for (let offset = 0; offset < total; offset += batch) {
    const rows: (typeof episodes.$inferInsert)[] = [];
    const steps: (typeof episodeSteps.$inferInsert)[] = [];
    for (let i = offset; i < Math.min(offset + batch, total); i++) {
      const id = randomUUID();
      const training = i % 10 !== 0;
      const iteration = Math.floor(i / iterationSize) + 1;
      const at = new Date(start + iteration * 1_000);
      rows.push({
        id,
        kind: training ? 'training' : i % 20 === 0 ? 'agent' : 'evaluation',
        status: 'finished',
        runId: training ? run.id : null,
        iteration: training ? iteration : null,
        indexInIteration: training ? i % iterationSize : null,
        policy: training ? 'training' : 'checkpoint',
        taskId: `gsm8k/${i % 1319}`,
        dataset: ['gsm8k', 'math', 'hotpotqa', 'mbpp'][i % 4]!,
        question: `Natalia sold clips to ${i} of her friends in April, and then she sold half as many clips in May. How many?`,
        backend: 'sim',
        finalDsl: 'Plan -> [Programmer, AnswerGenerate, AnswerGenerate] -> ScEnsemble -> Verify ? Revise : done -> Format',
        finalCanvas: canvas,
        answer: String(i),
        answerScore: i % 3 === 0 ? 0 : 1,
        reward: (i % 7) / 7,
        rewardComponents: { answer: 1, cost: -0.1, valid: true },
        tokens: 1000 + (i % 500),
        costUsd: 0.0004,
        rounds: stepsPerEpisode,
        createdAt: at,
        finishedAt: at,
      });
      if (i % stepsEvery !== 0) continue;
      withSteps.push(id);
      for (let s = 1; s <= stepsPerEpisode; s++) {
        steps.push({
          episodeId: id,
          step: s,
          action: { name: 'addNode', params: { operator: 'Programmer', stage: s } },
          actionText: `addNode Programmer @${s}`,
          valid: true,
          feedback: `added Programmer at stage ${s}`,
          signals: { nodes: s },
          canvas,
          dsl: 'Plan -> Programmer -> Format',
          reward: s === stepsPerEpisode ? 0.8 : 0,
        });
      }
    }
    await db.transaction(async (tx) => {
      await tx.insert(episodes).values(rows);
      if (steps.length > 0) await tx.insert(episodeSteps).values(steps);
    });
    onProgress?.(offset + rows.length);
  }
  await db.execute(sql`analyze`);
  return withSteps;
}

/** Row counts of the episode tables (machine-independent facts). */
export async function countEpisodeRows(database: Database): Promise<{ episodes: number; steps: number }> {
  const [e] = await database.db.select({ n: count() }).from(episodes);
  const [s] = await database.db.select({ n: count() }).from(episodeSteps);
  return { episodes: e!.n, steps: s!.n };
}

/** Runs `fn` on PGlite in a temporary data folder (removed afterwards). */
export async function withScratchPglite<T>(fn: (database: Database) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'flowsteer-bench-pglite-'));
  try {
    const database = await openDatabase({ dataDir: join(dir, 'db') });
    try {
      return await fn(database);
    } finally {
      await database.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `fn` on a new PostgreSQL database with a random name (dropped afterwards); passes the server version. */
export async function withScratchPostgres<T>(adminUrl: string, fn: (database: Database, version: string) => Promise<T>): Promise<T> {
  const name = `flowsteer_bench_${randomBytes(5).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await admin<{ server_version: string }[]>`show server_version`;
    await admin.unsafe(`create database "${name}"`);
    try {
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const database = await openDatabase({ url: url.toString() });
      try {
        return await fn(database, row?.server_version ?? '?');
      } finally {
        await database.close();
      }
    } finally {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
}
