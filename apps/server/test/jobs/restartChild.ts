/**
 * The server side of the restart test, run as a real child process (`node --import tsx restartChild.ts DIR MODE`)
 * on a PGlite data folder:
 * - `start`: creates a tiny experiment and run, starts it and prints one JSON line per committed iteration,
 *   until the test kills it (SIGKILL) or the run ends;
 * - `recover`: what a restarted server does (`recoverRuns`), then waits for the recovered runs to end, shuts
 *   down cleanly and exits 0.
 * Output is JSON lines on stdout: `{ event, … }`.
 */
import { openDatabase } from '../../src/db/client.ts';
import { listRunsByStatus } from '../../src/db/repositories/index.ts';
import { createMemoryPubSub } from '../../src/events/memoryPubSub.ts';
import { runTopic } from '../../src/events/pubSub.ts';
import type { RunProgressEvent } from '../../src/events/streamEvents.ts';
import { createRunManager } from '../../src/jobs/runManager.ts';
import { createTestRun, RESTART_ITERATIONS, testRuntime } from './jobFixtures.ts';

const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

async function start(dataDir: string): Promise<void> {
  const database = await openDatabase({ dataDir });
  const pubSub = createMemoryPubSub();
  const manager = createRunManager({ database, pubSub, runtime: testRuntime(), onError: (message, error) => process.stderr.write(`${message}: ${String(error)}\n`) });
  const run = await createTestRun(database.db, RESTART_ITERATIONS);
  print({ event: 'run', runId: run.id });
  const events = pubSub.subscribe<RunProgressEvent>(runTopic(run.id));
  await manager.startRun(run.id);
  for await (const event of events) {
    if (event.kind === 'iteration') print({ event: 'iteration', iteration: event.iteration });
    if (event.kind === 'status' && event.status !== 'running') {
      print({ event: 'status', status: event.status });
      break;
    }
  }
}

async function recover(dataDir: string): Promise<void> {
  const database = await openDatabase({ dataDir });
  const pubSub = createMemoryPubSub();
  const manager = createRunManager({ database, pubSub, runtime: testRuntime(), onError: (message, error) => process.stderr.write(`${message}: ${String(error)}\n`) });
  const left = await listRunsByStatus(database.db, ['running', 'queued']);
  print({ event: 'found', runs: left.map((run) => ({ id: run.id, status: run.status, iteration: run.iteration })) });
  print({ event: 'recovered', runIds: await manager.recoverRuns() });
  await manager.whenIdle();
  await manager.close();
  await pubSub.close();
  await database.close();
  print({ event: 'done' });
}

const [dataDir, mode] = process.argv.slice(2);
if (!dataDir || (mode !== 'start' && mode !== 'recover')) {
  process.stderr.write('usage: restartChild.ts DATA_DIR start|recover\n');
  process.exit(2);
}
// Keeps the process alive while work waits on promises only (the test ends it with SIGKILL in `start`).
const keepAlive = setInterval(() => {}, 60_000);
await (mode === 'start' ? start(dataDir) : recover(dataDir));
clearInterval(keepAlive);
process.exit(0);
