import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { startServe, type ServeHandle } from '../src/cli/serveCommand.ts';
import { openDatabase } from '../src/db/client.ts';
import { captureOutput } from './captureOutput.ts';
import { loadEnv } from '../src/env.ts';

const output = captureOutput();
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function post(handle: ServeHandle, token: string | undefined, query: string): Promise<{ status: number; body: { data?: unknown; errors?: { extensions?: { code?: string } }[] } }> {
  const response = await fetch(handle.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

describe('flowsteer serve', () => {
  it('first start: migrates, creates the admin and the demo run; a restart on the same folder reuses both', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flowsteer-serve-'));
    dirs.push(dir);
    const env = loadEnv({ FLOWSTEER_DB_DIR: join(dir, 'db'), FLOWSTEER_PORT: '0' }, dir);
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);

    const first = await startServe({ env, demo: true, concurrency: 1, tfBackend: 'cpu', log });
    let token: string | undefined;
    try {
      token = first.adminToken;
      expect(token).toMatch(/^fs_/);
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
      expect(first.demoRunId).toBeDefined();
      const viewer = await post(first, token, '{ viewer { name role } experiments(first: 5) { edges { node { name backend } } } }');
      expect(viewer.status).toBe(200);
      expect(JSON.stringify(viewer.body.data)).toContain('"name":"admin"');
      expect(JSON.stringify(viewer.body.data)).toContain('SIMULATED');
      const anonymous = await post(first, undefined, '{ experiments(first: 1) { edges { node { id } } } }');
      expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      await first.close();
    }

    const second = await startServe({ env, demo: true, concurrency: 1, tfBackend: 'cpu', log });
    try {
      expect(second.adminToken).toBeUndefined();
      expect(second.demoRunId).toBeUndefined();
      const listed = await post(second, token, '{ experiments(first: 5) { edges { node { id } } } }');
      expect((listed.body.data as { experiments: { edges: unknown[] } }).experiments.edges).toHaveLength(1);
    } finally {
      await second.close();
    }
    expect(lines.some((line) => line.includes('embedded PGlite'))).toBe(true);
    expect(lines.some((line) => line.includes('backend: cpu'))).toBe(true);
  }, 180_000);

  it('db migrate applies the migrations to a PGlite folder and refuses an unknown subcommand', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flowsteer-migrate-'));
    dirs.push(dir);
    expect(await main(['db', 'migrate', '--db-dir', join(dir, 'db')])).toBe(0);
    expect(output.stdout()).toContain('migrations applied to embedded PGlite');
    const database = await openDatabase({ dataDir: join(dir, 'db'), migrate: false });
    try {
      const tables = await database.db.execute("select count(*)::int as n from information_schema.tables where table_name in ('episodes', 'episode_steps', 'training_runs')");
      const rows = (Array.isArray(tables) ? tables : (tables as unknown as { rows: unknown[] }).rows) as { n: number }[];
      expect(rows[0]?.n).toBe(3);
    } finally {
      await database.close();
    }
    expect(await main(['db', 'rollback'])).toBe(2);
    expect(output.stderr()).toContain("unknown subcommand 'rollback'");
  }, 120_000);
});
