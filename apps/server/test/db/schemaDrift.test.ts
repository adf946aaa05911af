/**
 * Fails when `src/db/schema.ts` and the committed migrations in `/drizzle` disagree: drizzle-kit generate runs
 * against a temporary copy of the folder and must find nothing to write. Fix a failure by running
 * `pnpm exec drizzle-kit generate --name <slug>` in apps/server and committing the new migration.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../../src/db/migrate.ts';

const serverDir = fileURLToPath(new URL('../..', import.meta.url));
const drizzleKit = join(serverDir, 'node_modules/drizzle-kit/bin.cjs');
const scratch = mkdtempSync(join(tmpdir(), 'flowsteer-drift-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `drizzle-kit generate` into a copy of `source` (or an empty folder); returns the new files and output. */
function generateInto(name: string, source: string | undefined): { added: string[]; output: string } {
  const out = join(scratch, name);
  if (source) cpSync(source, out, { recursive: true });
  const before = new Set(listFiles(out));
  // drizzle-kit prefixes `./` to --out, so an absolute path breaks: pass it relative to the working directory.
  const result = spawnSync(
    process.execPath,
    [drizzleKit, 'generate', '--dialect', 'postgresql', '--schema', './src/db/schema.ts', '--out', relative(serverDir, out)],
    { cwd: serverDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 },
  );
  const output = `${result.stdout}\n${result.stderr}`;
  return { added: listFiles(out).filter((file) => !before.has(file)), output };
}

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true }).map(String).sort();
  } catch {
    return [];
  }
}

describe('migrations', () => {
  it('match schema.ts (drizzle-kit generate finds no changes)', () => {
    const { added, output } = generateInto('committed', MIGRATIONS_FOLDER);
    // Exit codes cannot be trusted (drizzle-kit exits 0 after some errors), so check both the message and the files.
    expect(added, `schema.ts changed without a migration; run drizzle-kit generate. Output:\n${output}`).toEqual([]);
    expect(output).toContain('No schema changes');
  });

  it('are listed in the journal one for one', () => {
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
    const sqlFiles = readdirSync(MIGRATIONS_FOLDER).filter((file) => file.endsWith('.sql'));
    expect(journal.entries.map((entry) => `${entry.tag}.sql`).sort()).toEqual(sqlFiles.sort());
  });

  it('drift check itself detects a missing migration', () => {
    const { added } = generateInto('empty', undefined);
    expect(added.some((file) => file.endsWith('.sql'))).toBe(true);
  });
});
