import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, expect, it } from 'vitest';
import { openDatabase, type AppDb } from '../../src/db/client.ts';
import { LOCK_FILE_NAME } from '../../src/db/dataDirLock.ts';
import { MIGRATIONS_FOLDER, migrateDatabase } from '../../src/db/migrate.ts';
import { countUsers, createUser, findUserByName } from '../../src/db/repositories/index.ts';
import { forEachDatabase, openPgliteFromTemplate, openTestDatabase, postgresUnavailable } from './databases.ts';

const scratch = mkdtempSync(join(tmpdir(), 'flowsteer-pglite-dir-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const journalEntries = (JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length;

async function appliedMigrations(db: AppDb): Promise<number> {
  const result = await db.execute<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  const rows = Array.isArray(result) ? result : (result as unknown as { rows: { n: number }[] }).rows;
  return rows[0]!.n;
}

/** Runs crashWriter.ts on `dataDir` and SIGKILLs it once it reports its commit. */
async function writeThenGetKilled(dataDir: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./crashWriter.ts', import.meta.url)), dataDir], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('committed') && resolve());
    child.on('exit', (code) => reject(new Error(`expected crashWriter to commit, got exit ${code}: ${stderr}`)));
  });
  child.kill('SIGKILL');
  await exited;
}

it('creates a missing PGlite folder, locks it while open, and keeps committed data across close and SIGKILL', async () => {
  const dataDir = join(scratch, 'nested', 'db');
  // Seeded from the migrated template rather than by initdb (10+ s on a busy 2-core machine); the folder
  // creation, the lock and the reopen are all ours and run for real.
  const first = await openPgliteFromTemplate(dataDir);
  expect(first.dialect).toBe('pglite');
  await createUser(first.db, { name: 'ada', role: 'admin' });
  expect(readFileSync(join(dataDir, LOCK_FILE_NAME), 'utf8').trim()).toBe(String(process.pid));
  await expect(openDatabase({ dataDir })).rejects.toMatchObject({ code: 'CONFLICT' });
  await first.close();
  await first.close();
  expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(false);

  // Another process commits and is killed with SIGKILL: its commit survives, and its lock (left behind, naming
  // a dead pid) does not block the restart.
  await writeThenGetKilled(dataDir);
  expect(readFileSync(join(dataDir, LOCK_FILE_NAME), 'utf8').trim()).not.toBe(String(process.pid));
  const reopened = await openDatabase({ dataDir });
  try {
    expect(await findUserByName(reopened.db, 'ada')).toMatchObject({ role: 'admin' });
    expect(await findUserByName(reopened.db, 'written-before-crash')).toMatchObject({ role: 'viewer' });
    expect(await appliedMigrations(reopened.db)).toBe(journalEntries);
  } finally {
    await reopened.close();
  }
}, 90_000);

it('refuses a PGlite folder held by another live process, naming it', async () => {
  const dataDir = join(scratch, 'held');
  mkdirSync(dataDir, { recursive: true });
  // The parent (vitest's main process) is alive and is not this worker.
  writeFileSync(join(dataDir, LOCK_FILE_NAME), `${process.ppid}\n`);
  await expect(openDatabase({ dataDir })).rejects.toThrow(`held by process ${process.ppid}`);
  expect(readFileSync(join(dataDir, LOCK_FILE_NAME), 'utf8').trim()).toBe(String(process.ppid));
});

it('names the database it could not reach, without the password', async () => {
  const attempt = openDatabase({ url: 'postgres://postgres:s3cret@127.0.0.1:1/postgres' });
  await expect(attempt).rejects.toMatchObject({ code: 'INTERNAL' });
  await expect(attempt).rejects.toThrow(/PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/postgres, got: .*ECONNREFUSED/);
});

forEachDatabase('migrations', (ctx) => {
  it('applying the migrations again is a no-op that keeps the data', async () => {
    await createUser(ctx.db, { name: 'ada', role: 'admin' });
    expect(await appliedMigrations(ctx.db)).toBe(journalEntries);
    await migrateDatabase(ctx.database);
    await migrateDatabase(ctx.database);
    expect(await appliedMigrations(ctx.db)).toBe(journalEntries);
    expect(await countUsers(ctx.db)).toBe(1);
  });
});

it.skipIf(postgresUnavailable !== undefined && !process.env.CI)(
  'serialises servers migrating one PostgreSQL database at the same time',
  async () => {
    const fresh = await openTestDatabase('postgres', { migrate: false });
    const second = await openDatabase({ url: fresh.url!, migrate: false });
    try {
      await Promise.all([migrateDatabase(fresh.database), migrateDatabase(second), migrateDatabase(fresh.database)]);
      expect(await appliedMigrations(fresh.database.db)).toBe(journalEntries);
      expect(await countUsers(second.db)).toBe(0);
    } finally {
      await second.close();
      await fresh.dispose();
    }
  },
);
