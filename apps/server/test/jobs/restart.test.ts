import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { asc, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { getEpisodeSteps, listCheckpoints, listRunEpisodes } from '../../src/db/repositories/index.ts';
import { runMetrics } from '../../src/db/schema.ts';
import { RESTART_ITERATIONS, runRow } from './jobFixtures.ts';

const SERVER_DIR = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('./restartChild.ts', import.meta.url));
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

type Line = { event: string } & Record<string, unknown>;

/** Starts the child server; `lines` yields its JSON stdout lines, `exit` its exit code or signal. */
function child(dataDir: string, mode: 'start' | 'recover') {
  const process_: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, mode], { cwd: SERVER_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  process_.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => process_.on('exit', (code, signal) => resolve({ code, signal })));
  const lines = createInterface({ input: process_.stdout! });
  return {
    process: process_,
    exit,
    stderr: () => stderr,
    async *lines(): AsyncGenerator<Line> {
      for await (const line of lines) if (line.startsWith('{')) yield JSON.parse(line) as Line;
    },
  };
}

describe('a server killed mid-run', () => {
  it(
    'resumes the run in a new process: every iteration once, no episode lost or duplicated',
    async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'flowsteer-restart-'));
      dirs.push(dataDir);

      // 1. A server trains; it is SIGKILLed right after its first committed iteration, inside the second.
      const first = child(dataDir, 'start');
      let runId = '';
      for await (const line of first.lines()) {
        if (line.event === 'run') runId = line.runId as string;
        if (line.event === 'iteration') {
          first.process.kill('SIGKILL');
          break;
        }
      }
      expect(await first.exit, first.stderr()).toEqual({ code: null, signal: 'SIGKILL' });
      expect(runId).not.toBe('');

      // 2. A new server on the same folder recovers the run and finishes it.
      const second = child(dataDir, 'recover');
      const lines: Line[] = [];
      for await (const line of second.lines()) lines.push(line);
      expect(await second.exit, second.stderr()).toEqual({ code: 0, signal: null });
      const found = lines.find((line) => line.event === 'found')?.runs as { id: string; status: string; iteration: number }[];
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ id: runId, status: 'running' });
      expect(found[0]!.iteration).toBeGreaterThanOrEqual(1);
      expect(found[0]!.iteration).toBeLessThan(RESTART_ITERATIONS);
      expect(lines.find((line) => line.event === 'recovered')?.runIds).toEqual([runId]);

      // 3. The database holds the whole run exactly once.
      const database = await openDatabase({ dataDir });
      try {
        const { db } = database;
        expect(await runRow(db, runId)).toMatchObject({ status: 'finished', iteration: RESTART_ITERATIONS });
        const metrics = await db.select().from(runMetrics).where(eq(runMetrics.runId, runId)).orderBy(asc(runMetrics.iteration));
        expect(metrics.map((row) => row.iteration)).toEqual(Array.from({ length: RESTART_ITERATIONS }, (_, i) => i + 1));
        const episodes = await listRunEpisodes(db, runId);
        const perIteration = 2 * 2; // tasksPerIteration × groupSize of the tiny experiment
        expect(episodes).toHaveLength(RESTART_ITERATIONS * perIteration);
        expect(new Set(episodes.map((e) => `${e.iteration}/${e.indexInIteration}`)).size).toBe(RESTART_ITERATIONS * perIteration);
        for (const episode of episodes) {
          expect(episode.status).toBe('finished');
          expect((await getEpisodeSteps(db, episode.id)).length).toBe(episode.rounds);
        }
        expect((await listCheckpoints(db, { runId })).items.map((c) => c.iteration)).toContain(RESTART_ITERATIONS);
      } finally {
        await database.close();
      }
    },
    // Three processes each start PGlite and TensorFlow.js; on a loaded 2-core machine that alone takes a while.
    180_000,
  );
});
