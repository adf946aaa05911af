/**
 * `flowsteer serve`: the GraphQL server with its database, pub/sub and training jobs in one process.
 * Wiring only; every part lives in its own module (db/, events/, jobs/, http/).
 * @public
 */
import { parseArgs } from 'node:util';
import { formatTfBackendInfo, isTfBackendPreference, type TfBackendPreference } from '@flowsteer/core';
import { ensureAdmin } from '../auth/bootstrap.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { createRun, listExperiments } from '../db/repositories/index.ts';
import { createExperiment } from '../db/repositories/index.ts';
import { loadEnv, type Env } from '../env.ts';
import { createMemoryPubSub } from '../events/memoryPubSub.ts';
import { validateExperimentInput } from '../graphql/experimentInput.ts';
import { createCatalog } from '../graphql/taskCatalog.ts';
import { createFlowsteerServer, type FlowsteerServer } from '../http/server.ts';
import { createJobRuntime } from '../jobs/jobRuntime.ts';
import { createDbResponseCache } from '../llm/dbResponseCache.ts';
import { createRunManager, type RunManager } from '../jobs/runManager.ts';

export const SERVE_HELP = `flowsteer serve — the GraphQL API (HTTP + WebSocket subscriptions) with training jobs

Usage: flowsteer serve [--host 127.0.0.1] [--port 4000] [--no-demo] [--concurrency 1] [--tf-backend auto]

Database: PostgreSQL when DATABASE_URL is set, else embedded PGlite in FLOWSTEER_DB_DIR (default .flowsteer/data).
Migrations are applied at start. On first run an admin user is created and a one-time token is printed.
Unless --no-demo, a fresh database gets a demo experiment (CWRPO on gsm8k, hotpotqa, mbpp with the SIMULATED
executor) whose run starts at once. Runs left running by a crash resume from their last committed iteration.

Options:
  --host H          interface to listen on (default $FLOWSTEER_HOST or 127.0.0.1)
  --port P          port, 0 = any free one (default $FLOWSTEER_PORT or 4000)
  --no-demo         do not create the demo experiment
  --concurrency N   training runs executing at once (default 1)
  --tf-backend B    TensorFlow.js backend of the policy: auto|webgpu|tensorflow|wasm|cpu (default auto)
`;

/** The demo experiment: small enough to show live progress within seconds on a laptop. */
const DEMO_EXPERIMENT = {
  name: 'demo: CWRPO on gsm8k + hotpotqa + mbpp (SIMULATED executor)',
  description: 'Created on first start. Training on the sim backend: a simulator, not an LLM.',
  backend: 'sim',
  datasets: ['gsm8k', 'hotpotqa', 'mbpp'],
  network: 'small',
  limit: 60,
  trainer: { iterations: 40, groupSize: 4, tasksPerIteration: 6, learningRate: 3e-3, epochs: 2, checkpointEvery: 10 },
} as const;

/** A running server and everything it owns, closed in reverse order. */
export interface ServeHandle {
  readonly url: string;
  readonly wsUrl: string;
  readonly adminToken: string | undefined;
  readonly demoRunId: string | undefined;
  close(): Promise<void>;
}

/** Starts everything; `serveCommand` adds flags, printing and signal handling. @public */
export async function startServe(options: {
  env: Env;
  demo: boolean;
  concurrency: number;
  tfBackend?: TfBackendPreference;
  log: (line: string) => void;
}): Promise<ServeHandle> {
  const { env, log } = options;
  const database: Database = await openDatabase(env.databaseUrl ? { url: env.databaseUrl } : { dataDir: env.databaseDir });
  let jobs: RunManager | undefined;
  let server: FlowsteerServer | undefined;
  const pubSub = createMemoryPubSub();
  const close = async () => {
    await jobs?.close();
    await server?.close();
    await pubSub.close();
    await database.close();
  };
  try {
    log(`database: ${database.dialect === 'pglite' ? `embedded PGlite in ${env.databaseDir}` : 'PostgreSQL (DATABASE_URL)'}, migrations applied`);
    const admin = await ensureAdmin(database.db);
    const runtime = createJobRuntime({
      ...(env.datasetsDir ? { datasetsDir: env.datasetsDir } : {}),
      tfBackend: options.tfBackend ?? 'auto',
      // OpenAI-compatible executor/director from OPENAI_BASE_URL etc.; temperature-0 replies persist in llm_cache.
      llm: env.llm,
      responseCache: createDbResponseCache(database.db),
    });
    for (const config of env.llm) log(`LLM ${config.name}: ${config.model} at ${config.baseURL}`);
    log(formatTfBackendInfo(await runtime.ready()));
    jobs = createRunManager({
      database,
      pubSub,
      concurrency: options.concurrency,
      runtime,
      onError: (message, error) => log(`${message}: ${error instanceof Error ? error.message : String(error)}`),
    });
    const recovered = await jobs.recoverRuns();
    if (recovered.length > 0) log(`resuming ${recovered.length} run(s) left running: ${recovered.join(', ')}`);
    const catalog = createCatalog({ ...(env.datasetsDir ? { datasetsDir: env.datasetsDir } : {}), backends: runtime.backends });
    server = await createFlowsteerServer({
      database,
      pubSub,
      jobs,
      catalog,
      maxQueryDepth: env.maxQueryDepth,
      maxComplexity: env.maxComplexity,
      maxBodyBytes: env.maxBodyBytes,
    });
    const url = await server.listen(env.port, env.host);
    let demoRunId: string | undefined;
    if (options.demo && (await listExperiments(database.db, { first: 1 })).items.length === 0) {
      const valid = await validateExperimentInput({ ...DEMO_EXPERIMENT, datasets: [...DEMO_EXPERIMENT.datasets] }, catalog);
      const experiment = await createExperiment(database.db, { ...valid, config: valid.config as unknown as Record<string, unknown>, createdBy: admin?.user.id ?? null });
      const run = await createRun(database.db, { experimentId: experiment.id, totalIterations: DEMO_EXPERIMENT.trainer.iterations });
      await jobs.startRun(run.id);
      demoRunId = run.id;
      log(`demo experiment ${experiment.id}: run ${run.id} started (SIMULATED executor)`);
    }
    return { url, wsUrl: server.wsUrl ?? url.replace(/^http/, 'ws'), adminToken: admin?.token, demoRunId, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/** `flowsteer serve`: runs until SIGINT/SIGTERM, then shuts down cleanly (runs resume on the next start). */
export async function serveCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'no-demo': { type: 'boolean', default: false },
      concurrency: { type: 'string', default: '1' },
      'tf-backend': { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  const env = loadEnv({
    ...process.env,
    ...(values.host === undefined ? {} : { FLOWSTEER_HOST: values.host }),
    ...(values.port === undefined ? {} : { FLOWSTEER_PORT: values.port }),
  });
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency: expected an integer >= 1, got ${values.concurrency}`);
  const tfBackend = values['tf-backend'];
  if (!isTfBackendPreference(tfBackend)) throw new Error(`--tf-backend: expected auto|webgpu|tensorflow|wasm|cpu, got ${tfBackend}`);
  const log = (line: string) => process.stderr.write(`[flowsteer] ${line}\n`);
  const handle = await startServe({ env, demo: !values['no-demo'], concurrency, tfBackend, log });
  process.stdout.write(`GraphQL: ${handle.url}\nSubscriptions (graphql-ws): ${handle.wsUrl}\n`);
  if (handle.adminToken) {
    process.stdout.write(
      `First run: created user "admin". One-time token (not stored, shown only now):\n  ${handle.adminToken}\n` +
        `Use it as "Authorization: Bearer <token>" (HTTP) or connectionParams { authToken } (WebSocket).\n`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log(`${signal}: shutting down (running training runs resume on the next start)`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await handle.close();
  return 0;
}
