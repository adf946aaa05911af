/**
 * Benchmark: episode query latency on a database holding N episodes (default 100,000), on embedded PGlite (a
 * data folder on disk, as `flowsteer serve` uses it) and on PostgreSQL. The fill is batched: 90% training
 * episodes in iterations of 32 (sharing a timestamp, as `commitIteration` writes them), 10% agent and
 * evaluation episodes; every 100th episode gets 20 steps. Then each query runs `--runs` times (after a warm-up)
 * through the real repository functions and the table shows p50/p99 in milliseconds.
 *
 * Row counts are machine-independent; timings are labelled with the machine they ran on. Prints tables,
 * asserts nothing.
 *
 * Run: pnpm exec tsx tests/bench/dbQuery.ts [--episodes 100000] [--db pglite,postgres] [--runs 200]
 *      [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]   (a scratch database is created and dropped)
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { fixed, getEpisode, getEpisodeSteps, listEpisodes, renderTable, type Database } from '@flowsteer/server';
import { BENCH_SHAPE, countEpisodeRows, fillEpisodes, withScratchPglite, withScratchPostgres } from '../../apps/server/test/db/benchData.ts';

const { values: args } = parseArgs({
  options: {
    episodes: { type: 'string', default: '100000' },
    db: { type: 'string', default: 'pglite,postgres' },
    runs: { type: 'string', default: '200' },
    'postgres-url': { type: 'string', default: process.env.FLOWSTEER_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const episodeCount = Number(args.episodes);
const runs = Number(args.runs);
const dialects = String(args.db).split(',').map((d) => d.trim());
for (const d of dialects) if (d !== 'pglite' && d !== 'postgres') throw new Error(`expected --db from pglite,postgres, got '${d}'`);
if (!Number.isInteger(episodeCount) || episodeCount < 100) throw new Error(`expected --episodes >= 100, got ${args.episodes}`);

const STEPS_PER_EPISODE = BENCH_SHAPE.stepsPerEpisode;
const WARMUP = 20;

interface Measured {
  db: string;
  query: string;
  p50: number;
  p99: number;
}

interface Facts {
  db: string;
  episodes: number;
  steps: number;
  fillSeconds: number;
}

async function measure(name: string, fn: (i: number) => Promise<unknown>): Promise<{ query: string; p50: number; p99: number }> {
  for (let i = 0; i < WARMUP; i++) await fn(i);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn(i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const rank = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!;
  return { query: name, p50: rank(0.5), p99: rank(0.99) };
}

async function bench(database: Database, label: string): Promise<{ facts: Facts; measured: Measured[] }> {
  const t0 = performance.now();
  const withSteps = await fillEpisodes(database, episodeCount, (done) => {
    if (done % 10_000 === 0) process.stderr.write(`  ${database.dialect}: ${done} episodes\n`);
  });
  const fillSeconds = (performance.now() - t0) / 1000;
  const rows = await countEpisodeRows(database);
  const { db } = database;

  // A cursor half-way down the list, reached by walking real pages (100 at a time).
  let deepCursor: string | null = null;
  let deepRow = 0;
  while (deepRow < episodeCount / 2) {
    deepCursor = (await listEpisodes(db, { first: 100, after: deepCursor })).endCursor;
    deepRow += 100;
  }
  const anyRun = (await listEpisodes(db, { first: 1, kind: 'training' })).items[0]!.runId!;

  const measured: Measured[] = [];
  const add = async (query: string, fn: (i: number) => Promise<unknown>) => measured.push({ db: label, ...(await measure(query, fn)) });
  await add('episode list, first page (20)', () => listEpisodes(db, { first: 20 }));
  await add(`episode list, deep page (20 after row ${deepRow}, by cursor)`, () => listEpisodes(db, { first: 20, after: deepCursor }));
  await add('episode list of one run, first page (20)', () => listEpisodes(db, { first: 20, runId: anyRun }));
  await add('episode list, kind=agent, first page (20)', () => listEpisodes(db, { first: 20, kind: 'agent' }));
  await add(`episode + its ${STEPS_PER_EPISODE} steps`, async (i) => {
    const id = withSteps[i % withSteps.length]!;
    const [episode, steps] = await Promise.all([getEpisode(db, id), getEpisodeSteps(db, id)]);
    if (!episode || steps.length !== STEPS_PER_EPISODE) throw new Error(`expected episode ${id} with ${STEPS_PER_EPISODE} steps, got ${steps.length}`);
  });
  return { facts: { db: label, ...rows, fillSeconds }, measured };
}

async function main(): Promise<void> {
  const allFacts: Facts[] = [];
  const allMeasured: Measured[] = [];
  for (const dialect of dialects) {
    process.stderr.write(`filling ${dialect} with ${episodeCount} episodes…\n`);
    const result =
      dialect === 'pglite'
        ? await withScratchPglite((database) => bench(database, 'pglite (embedded, data folder)'))
        : await withScratchPostgres(String(args['postgres-url']), (database, version) =>
            bench(database, `postgres ${version.split(" ")[0]} (${new URL(String(args["postgres-url"])).host})`),
          );
    allFacts.push(result.facts);
    allMeasured.push(...result.measured);
  }
  const cpus = os.cpus();
  const machine =
    `${cpus[0]?.model ?? '?'} × ${cpus.length} cores, load avg ${os.loadavg()[0]!.toFixed(1)} at the end, ` +
    `node ${process.version}, ${process.env.FLOWSTEER_BENCH_CPUS ?? 'unpinned'}`;
  process.stdout.write(
    `${renderTable({
      title: 'Database contents (machine-independent)',
      columns: ['db', 'episodes', 'episode steps', 'episodes with steps'],
      rows: allFacts.map((f) => [f.db, f.episodes, f.steps, f.steps / STEPS_PER_EPISODE]),
    })}\n\n`,
  );
  process.stdout.write(
    `${renderTable({
      title: `Query latency, ms over ${runs} runs after ${WARMUP} warm-up (machine: ${machine})`,
      columns: ['db', 'query', 'p50 ms', 'p99 ms'],
      rows: allMeasured.map((m) => [m.db, m.query, fixed(m.p50, 2), fixed(m.p99, 2)]),
      footer: [`fill time (same machine): ${allFacts.map((f) => `${f.db} ${fixed(f.fillSeconds, 1)} s`).join(', ')}`],
    })}\n`,
  );
}

await main();
