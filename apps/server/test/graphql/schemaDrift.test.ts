import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printSchemaSdl, SCHEMA_FILE } from '../../src/graphql/schema.ts';

describe('schema.graphql', () => {
  it('matches the schema the code builds (regenerate with: pnpm -C apps/server schema:print)', () => {
    const committed = existsSync(SCHEMA_FILE) ? readFileSync(SCHEMA_FILE, 'utf8') : '';
    const printed = printSchemaSdl();
    expect(committed, 'apps/server/schema.graphql is out of date; run: pnpm -C apps/server schema:print').toBe(printed);
  });
});
