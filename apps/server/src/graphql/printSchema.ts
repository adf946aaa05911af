/**
 * Script: writes the printed schema to `apps/server/schema.graphql` (`pnpm -C apps/server schema:print`), or with
 * `--check` exits 1 when the committed file differs from the code (what CI runs).
 * @internal
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { printSchemaSdl, SCHEMA_FILE } from './schema.ts';

const printed = printSchemaSdl();
if (process.argv.includes('--check')) {
  const committed = existsSync(SCHEMA_FILE) ? readFileSync(SCHEMA_FILE, 'utf8') : '';
  if (committed !== printed) {
    process.stderr.write(`${SCHEMA_FILE} is out of date; run: pnpm -C apps/server schema:print\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`${SCHEMA_FILE} is up to date\n`);
  }
} else {
  writeFileSync(SCHEMA_FILE, printed);
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}
