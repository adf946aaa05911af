/**
 * drizzle-kit configuration: generates SQL migrations into `/drizzle` from the schema.
 * Run from apps/server: `pnpm exec drizzle-kit generate --name <slug>`. The server applies them itself at
 * start (`migrateDatabase`), so no credentials are needed here.
 * @internal
 */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: '../../drizzle',
});
