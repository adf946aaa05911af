import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServe, type ServeHandle } from '../src/cli/serveCommand.ts';
import { loadEnv } from '../src/env.ts';

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
});
