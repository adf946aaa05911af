/**
 * Benchmark: subscription fan-out. N graphql-ws clients subscribe to one episode's `episodeEvents` over real
 * WebSockets; M step events are published on the in-process pub/sub at a fixed pace; the table shows delivered
 * events per second (N × M deliveries over the time from the first publish to the last delivery) and p50 / p99
 * delivery latency (publish → client callback).
 *
 * Server and clients share one process and one event loop, so the numbers include the clients' own work: they
 * are a lower bound for a server whose clients live elsewhere. WebSocket keep-alive pings are off here: with
 * thousands of clients on the server's own loop, late pongs would make the server drop healthy sockets.
 * Asserts nothing.
 *
 * Run: pnpm exec tsx tests/bench/subscriptionFanout.ts [--subscribers 100,1000,5000] [--events 100] [--interval-ms 20]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { fixed, renderTable } from '@flowsteer/server';
// TODO(lead): import from '@flowsteer/server' once the barrel exports the server and test support (#4)
import { appendEpisodeStep, createEpisode } from '../../apps/server/src/db/repositories/index.ts';
import { episodeTopic } from '../../apps/server/src/events/pubSub.ts';
import type { EpisodeStepEvent } from '../../apps/server/src/events/streamEvents.ts';
import { createTestServer, type TestServer } from '../../apps/server/test/graphql/testServer.ts';

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '100,1000,5000' },
    events: { type: 'string', default: '100' },
    'interval-ms': { type: 'string', default: '20' },
    'timeout-s': { type: 'string', default: '120' },
  },
  strict: true,
});
const counts = values.subscribers.split(',').map((n) => positiveInt('--subscribers', n.trim()));
const eventCount = positiveInt('--events', values.events);
const intervalMs = Number(values['interval-ms']);
const timeoutMs = positiveInt('--timeout-s', values['timeout-s']) * 1_000;

const CONNECT_BATCH = 250;

const QUERY = `subscription ($id: ID!) { episodeEvents(episodeId: $id) {
  ... on EpisodeStepEvent { seq step actionText feedback dsl reward }
} }`;

interface FanoutResult {
  subscribers: number;
  setupSeconds: number;
  deliveries: number;
  expected: number;
  eventsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

async function runFanout(t: TestServer, subscribers: number): Promise<FanoutResult> {
  const episode = await createEpisode(t.database.db, { kind: 'agent', policy: 'random', taskId: 'bench/1', dataset: 'bench', question: 'fan-out', backend: 'sim' });
  // One stored step: every subscriber receives it from the replay read, which happens only after its live
  // subscription is registered, so "received step 1" means "live" without publishing warm-up events.
  const first = stepEvent(episode.id, 1);
  await appendEpisodeStep(t.database.db, episode.id, { ...first, step: 1 });
  const publishedAt = new Map<number, number>();
  const latencies: number[] = [];
  let reachedClients = 0;
  let deliveries = 0;
  let lastDelivery = 0;
  let errors = 0;

  const setupStart = performance.now();
  const deadline = setupStart + timeoutMs;
  const clients: ReturnType<TestServer['wsClient']>[] = [];
  for (let batchStart = 0; batchStart < subscribers; batchStart += CONNECT_BATCH) {
    const batchEnd = Math.min(subscribers, batchStart + CONNECT_BATCH);
    for (let i = batchStart; i < batchEnd; i += 1) {
      const client = t.wsClient(t.adminToken);
      clients.push(client);
      let reached = false;
      client.subscribe<{ episodeEvents: { seq: number } }>(
        { query: QUERY, variables: { id: episode.id } },
        {
          next: (result) => {
            const seq = result.data?.episodeEvents.seq;
            if (seq === undefined) return;
            if (!reached) {
              reached = true;
              reachedClients += 1;
            }
            if (seq > 1) {
              const now = performance.now();
              latencies.push(now - (publishedAt.get(seq) ?? now));
              deliveries += 1;
              lastDelivery = now;
            }
          },
          error: () => {
            errors += 1;
          },
          complete: () => undefined,
        },
      );
    }
    // Connecting in batches keeps the accept backlog and the database (5 short queries per subscription) busy
    // but not swamped, as clients joining over time would.
    while (reachedClients + errors < batchEnd && performance.now() < deadline) await sleep(10);
  }
  const setupSeconds = (performance.now() - setupStart) / 1_000;

  const start = performance.now();
  for (let seq = 2; seq <= eventCount + 1; seq += 1) {
    publishedAt.set(seq, performance.now());
    await t.pubSub.publish(episodeTopic(episode.id), stepEvent(episode.id, seq));
    if (intervalMs > 0) await sleep(intervalMs);
  }
  const expected = reachedClients * eventCount;
  while (deliveries < expected && performance.now() < deadline + timeoutMs) await sleep(20);
  // A client whose socket failed rejects dispose(); that failure is already counted in `errors`.
  await Promise.all(clients.map((client) => Promise.resolve(client.dispose()).catch(() => undefined)));

  latencies.sort((a, b) => a - b);
  const elapsedSeconds = Math.max(1e-9, ((lastDelivery || performance.now()) - start) / 1_000);
  return {
    subscribers,
    setupSeconds,
    deliveries,
    expected: subscribers * eventCount,
    eventsPerSecond: deliveries / elapsedSeconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    errors,
  };
}

function stepEvent(episodeId: string, seq: number): EpisodeStepEvent {
  return {
    kind: 'step',
    seq,
    episodeId,
    step: seq,
    actionText: 'add Programmer after Plan',
    action: { name: 'addOperator', operator: 'Programmer' },
    valid: true,
    feedback: 'ok: the canvas has 2 operators',
    canvas: { stages: [{ operator: 'Plan' }, { operator: 'Programmer' }] },
    dsl: 'Plan -> Programmer',
    reward: null,
  };
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function positiveInt(flag: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag}: expected a positive integer, got '${raw}'`);
  return value;
}

const t = await createTestServer({ webSocketKeepAliveMs: 0 });
const rows: FanoutResult[] = [];
const table = () =>
  renderTable({
    title: `graphql-ws fan-out on one episode stream (in-process; ${eventCount} events every ${intervalMs} ms)`,
    columns: ['subscribers', 'setup s', 'delivered', 'events/s', 'p50 ms', 'p99 ms', 'errors'],
    rows: rows.map((r) => [
      String(r.subscribers),
      fixed(r.setupSeconds, 1),
      `${r.deliveries}/${r.expected}`,
      fixed(r.eventsPerSecond, 0),
      fixed(r.p50, 1),
      fixed(r.p99, 1),
      String(r.errors),
    ]),
  });
try {
  for (const subscribers of counts) {
    process.stderr.write(`fan-out: ${subscribers} subscribers × ${eventCount} events …\n`);
    rows.push(await runFanout(t, subscribers));
    process.stderr.write(`${table()}\n`);
  }
} finally {
  await t.close();
}
process.stdout.write(`${table()}\n`);
