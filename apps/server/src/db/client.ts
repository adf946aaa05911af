/**
 * Opens the database: embedded PGlite in a data folder when no URL is given, PostgreSQL through postgres.js
 * when one is. Both give the same drizzle API ({@link AppDb}), the same schema and the same migrations, so
 * repositories never know which one they talk to.
 * @public
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { AppError } from '../errors.ts';
import { acquireDataDirLock } from './dataDirLock.ts';
import { migrateDatabase } from './migrate.ts';
import * as schema from './schema.ts';

/** The drizzle database both drivers produce; transactions (`tx`) are assignable to it too. @public */
export type AppDb = PgDatabase<PgQueryResultHKT, typeof schema>;

/** Which driver a {@link Database} runs on. @public */
export type DatabaseDialect = 'pglite' | 'postgres';

/** An open database: the drizzle handle, its dialect and a `close()` that releases every resource. @public */
export interface Database {
  readonly db: AppDb;
  readonly dialect: DatabaseDialect;
  /** Ends connections (postgres) or shuts PGlite down and releases its data folder; safe to call twice. */
  close(): Promise<void>;
}

/** Options of {@link openDatabase}. @public */
export interface OpenDatabaseOptions {
  /** A `postgres://` URL; when set, PostgreSQL is used and `dataDir` is ignored. */
  url?: string;
  /**
   * PGlite data folder (created if missing), or `memory://` for a throwaway in-memory database.
   * @default '.flowsteer/db'
   */
  dataDir?: string;
  /**
   * Apply the migrations in `/drizzle` before returning.
   * @default true
   */
  migrate?: boolean;
  /**
   * Extra PGlite options (e.g. `loadDataDir` to start from a dump, as the tests do to skip initdb);
   * ignored for PostgreSQL.
   */
  pglite?: Omit<PGliteOptions, 'dataDir'>;
  /**
   * Most pooled PostgreSQL connections (at least 2).
   * @default 10
   */
  maxConnections?: number;
}

/** Default PGlite folder, relative to the working directory. @public */
export const DEFAULT_DATA_DIR = '.flowsteer/db';

const MEMORY_PREFIX = 'memory://';

/**
 * Opens (and by default migrates) the database. With `url`: a postgres.js pool. Without: PGlite in `dataDir`,
 * locked against a second process (a PGlite folder opened twice is corrupted, and PGlite itself does not
 * stop it). If migrating fails the database is closed before the error propagates.
 * @public
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const database = options.url
    ? openPostgres(options.url, options.maxConnections ?? 10)
    : await openPglite(options.dataDir ?? DEFAULT_DATA_DIR, options.pglite ?? {});
  if (options.migrate ?? true) {
    try {
      await migrateDatabase(database);
    } catch (error) {
      await database.close();
      // The first query is where an unreachable server or a wrong database name shows up; say where we looked.
      const where = options.url ? `PostgreSQL at ${redactPassword(options.url)}` : `PGlite in ${options.dataDir ?? DEFAULT_DATA_DIR}`;
      throw new AppError('INTERNAL', `expected to open and migrate ${where}, got: ${errorMessage(error)}`, { cause: error });
    }
  }
  return database;
}

/** The URL with its password replaced, for messages and logs. @public */
export function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable database URL)';
  }
}

function errorMessage(error: unknown): string {
  // drizzle wraps driver errors in "Failed query: <sql>"; the driver's own message is the useful part.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

function openPostgres(url: string, maxConnections: number): Database {
  // At least 2: migrateDatabase holds one connection for its advisory lock while the migrator uses another.
  const max = Math.max(2, maxConnections);
  // Notices ("relation already exists, skipping" from the migrator) are noise on stderr, not information.
  const client = postgres(url, { max, onnotice: () => {}, connect_timeout: 10 });
  const db = drizzlePostgres({ client, schema });
  return {
    db,
    dialect: 'postgres',
    // A bounded timeout: `end()` without one waits forever for a query that never returns.
    close: once(() => client.end({ timeout: 5 })),
  };
}

async function openPglite(dataDir: string, pgliteOptions: Omit<PGliteOptions, 'dataDir'>): Promise<Database> {
  if (dataDir.startsWith(MEMORY_PREFIX)) {
    const client = await PGlite.create(dataDir, pgliteOptions);
    return { db: drizzlePglite({ client, schema }), dialect: 'pglite', close: once(() => client.close()) };
  }
  const folder = resolve(dataDir);
  mkdirSync(folder, { recursive: true });
  const lock = acquireDataDirLock(folder);
  let client: PGlite;
  try {
    client = await PGlite.create(folder, pgliteOptions);
  } catch (error) {
    lock.release();
    throw error;
  }
  return {
    db: drizzlePglite({ client, schema }),
    dialect: 'pglite',
    close: once(async () => {
      try {
        await client.close();
      } finally {
        lock.release();
      }
    }),
  };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let pending: Promise<void> | undefined;
  return () => (pending ??= fn());
}
