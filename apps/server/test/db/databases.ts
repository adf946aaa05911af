/**
 * Runs a test suite against every database the server supports: embedded PGlite (`memory://`, always) and
 * the real PostgreSQL (a fresh database with a random name per suite, dropped afterwards).
 *
 * PostgreSQL is found at `$FLOWSTEER_TEST_POSTGRES_URL` or postgres://postgres@127.0.0.1:5432/postgres
 * (trust auth; the URL names the maintenance database used to CREATE / DROP the test database).
 * When it is unreachable: with `CI` set, the suite fails (CI provides PostgreSQL, so its absence is a broken
 * pipeline, not a reason to skip); otherwise the suite is reported as skipped, with a message saying why.
 *
 * One database per suite (PGlite takes seconds to initialise): tables are truncated before each test.
 * @example
 * forEachDatabase('users', (ctx) => {
 *   it('creates a user', async () => { await createUser(ctx.db, { name: 'ada', role: 'admin' }); });
 * });
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { getTableName, is, sql } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { openDatabase, type AppDb, type Database, type DatabaseDialect } from '../../src/db/client.ts';
import { MIGRATIONS_FOLDER } from '../../src/db/migrate.ts';
import * as schema from '../../src/db/schema.ts';

// The package does not export its package.json; apps/server/node_modules holds the copy the server uses.
const PGLITE_VERSION: string = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url)), 'utf8'),
).version;

/** Maintenance-database URL of the test PostgreSQL server. */
export const POSTGRES_ADMIN_URL = process.env.FLOWSTEER_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** What a suite body gets: the open database of the current dialect (valid inside hooks and tests). */
export interface DatabaseContext {
  readonly dialect: DatabaseDialect;
  readonly database: Database;
  readonly db: AppDb;
}

/** Why PostgreSQL cannot be used, or undefined when it answered. Probed once per test file. */
export const postgresUnavailable: string | undefined = await probePostgres(POSTGRES_ADMIN_URL);
const inCi = Boolean(process.env.CI);

if (postgresUnavailable !== undefined && !inCi) {
  console.warn(`[db tests] PostgreSQL suites skipped: ${postgresUnavailable} (set CI=1 to make this a failure)`);
}

/** Declares `describe('<name> [pglite]')` and `describe('<name> [postgres]')`, each with its own database. */
export function forEachDatabase(name: string, body: (ctx: DatabaseContext) => void): void {
  for (const dialect of ['pglite', 'postgres'] as const) {
    const missing = dialect === 'postgres' ? postgresUnavailable : undefined;
    if (missing !== undefined && inCi) {
      // A failing test rather than a failing hook: a hook error marks the suite's tests skipped, and the
      // summary line CI reads would say "0 failed".
      describe(`${name} [${dialect}]`, () => {
        it('has the PostgreSQL that CI provides', () => {
          throw new Error(`expected PostgreSQL at ${POSTGRES_ADMIN_URL} (CI is set, so it must be provided), got: ${missing}`);
        });
      });
      continue;
    }
    describe.skipIf(missing !== undefined)(`${name} [${dialect}]`, () => {
      let handle: TestDatabase | undefined;
      beforeAll(async () => {
        handle = await openTestDatabase(dialect);
      });
      afterAll(async () => {
        await handle?.dispose();
      });
      beforeEach(async () => {
        if (handle) await truncateAll(handle.database.db);
      });
      body({
        dialect,
        get database() {
          if (!handle) throw new Error(`the ${dialect} test database is not open (its beforeAll failed)`);
          return handle.database;
        },
        get db() {
          return this.database.db;
        },
      });
    });
  }
}

/** An open, migrated test database and the way to get rid of it. */
export interface TestDatabase {
  database: Database;
  /** For PostgreSQL, the URL of the database created for this test (to open a second connection to it). */
  url?: string;
  dispose(): Promise<void>;
}

/**
 * Opens a fresh database of `dialect` (PGlite in memory, or a new randomly named PostgreSQL database),
 * migrated unless `migrate: false`.
 */
export async function openTestDatabase(dialect: DatabaseDialect, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const migrate = options.migrate ?? true;
  if (dialect === 'pglite') {
    const database = migrate ? await openPgliteFromTemplate() : await openDatabase({ dataDir: 'memory://', migrate });
    return { database, dispose: () => database.close() };
  }
  if (postgresUnavailable !== undefined) {
    throw new Error(`expected PostgreSQL at ${POSTGRES_ADMIN_URL} (CI is set, so it must be provided), got: ${postgresUnavailable}`);
  }
  const name = `flowsteer_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = withDatabase(POSTGRES_ADMIN_URL, name);
  const drop = async () => {
    const dropper = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
    try {
      await dropper.unsafe(`drop database if exists "${name}" with (force)`);
    } finally {
      await dropper.end({ timeout: 5 });
    }
  };
  let database: Database;
  try {
    database = await openDatabase({ url, maxConnections: 4, migrate });
  } catch (error) {
    await drop();
    throw error;
  }
  return {
    database,
    url,
    dispose: async () => {
      await database.close();
      await drop();
    },
  };
}

/**
 * A migrated PGlite (in memory unless `dataDir` names a new folder). initdb dominates PGlite's start (2 s idle, over 10 s on a busy 2-core machine),
 * so the first suite dumps a freshly migrated database to a gzip in the temp folder, keyed by the migrations
 * and the PGlite version, and later suites load that dump instead (about 1 s). `openDatabase` still runs the
 * migrator on it, which then finds nothing to apply.
 */
export async function openPgliteFromTemplate(dataDir = 'memory://'): Promise<Database> {
  const templatePath = join(tmpdir(), `flowsteer-pglite-template-${templateKey()}.tgz`);
  if (existsSync(templatePath)) {
    return openDatabase({ dataDir, pglite: { loadDataDir: new Blob([readFileSync(templatePath)]) } });
  }
  const database = await openDatabase({ dataDir });
  const client = (database.db as unknown as { $client: PGlite }).$client;
  const dump = Buffer.from(await (await client.dumpDataDir('gzip')).arrayBuffer());
  // Written under a unique name, then renamed: suites in parallel workers may race to create it.
  const partial = `${templatePath}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(partial, dump);
  renameSync(partial, templatePath);
  return database;
}

function templateKey(): string {
  const hash = createHash('sha256').update(PGLITE_VERSION);
  for (const file of readdirSync(MIGRATIONS_FOLDER, { recursive: true }).map(String).sort()) {
    if (file.endsWith('.sql') || file.endsWith('.json')) hash.update(file).update(readFileSync(join(MIGRATIONS_FOLDER, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Empties every table of the schema (the migrations record stays). One statement of data-modifying CTEs
 * rather than TRUNCATE, which rewrites every table and index file: 700 ms on PGlite against 35 ms. Every
 * foreign key cascades or sets null, so deleting parents and children in one statement is consistent.
 */
export async function truncateAll(db: AppDb): Promise<void> {
  const [last, ...others] = (Object.values(schema) as unknown[])
    .filter((value): value is PgTable => is(value, PgTable))
    .map((table) => `"${getTableName(table)}"`);
  const ctes = others.map((table, i) => `d${i} as (delete from ${table})`).join(', ');
  await db.execute(sql.raw(`with ${ctes} delete from ${last}`));
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function probePostgres(url: string): Promise<string | undefined> {
  const client = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await client`select 1`;
    return undefined;
  } catch (error) {
    return `cannot connect to ${url}: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await client.end({ timeout: 1 });
  }
}
