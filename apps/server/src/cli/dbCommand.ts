/**
 * `flowsteer db migrate`: applies the migrations in /drizzle to the configured database (PostgreSQL when
 * DATABASE_URL is set, else the embedded PGlite folder) and reports what was applied.
 * @public
 */
import { parseArgs } from 'node:util';
import { openDatabase } from '../db/client.ts';
import { loadEnv } from '../env.ts';

export const DB_HELP = `flowsteer db — database maintenance

Usage: flowsteer db migrate [--db-dir DIR]

Applies the migrations in /drizzle (already-applied ones are skipped) to PostgreSQL when DATABASE_URL is set,
else to the embedded PGlite database in --db-dir / FLOWSTEER_DB_DIR (default .flowsteer/data).
The server also migrates at start; this command is for deployments that migrate before rolling out.
`;

/** `flowsteer db <subcommand>`. */
export async function dbCommand(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    process.stdout.write(DB_HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'migrate') {
    process.stderr.write(`flowsteer db: unknown subcommand '${sub}'; expected migrate\n\n${DB_HELP}`);
    return 2;
  }
  const { values } = parseArgs({ args: rest, strict: true, options: { 'db-dir': { type: 'string' } } });
  const env = loadEnv({ ...process.env, ...(values['db-dir'] === undefined ? {} : { FLOWSTEER_DB_DIR: values['db-dir'] }) });
  const started = performance.now();
  const database = await openDatabase(env.databaseUrl ? { url: env.databaseUrl } : { dataDir: env.databaseDir });
  try {
    const where = database.dialect === 'pglite' ? `embedded PGlite in ${env.databaseDir}` : 'PostgreSQL (DATABASE_URL)';
    process.stdout.write(`migrations applied to ${where} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    await database.close();
  }
  return 0;
}
