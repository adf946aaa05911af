import { defineConfig } from 'vitest/config';

// One root config so `vitest run` (the README's test command) runs every package's tests; the summary
// reporter adds the plain `N passed, N failed, N skipped` closing line that CI reads.
export default defineConfig({
  // Our TS sources would load graphql's ESM build while Apollo, Pothos and graphql-ws (externalised, plain Node)
  // load its CJS build: two graphql realms, and every schema check fails ("from another module or realm").
  // Plain Node (the server, the CLI) resolves one build already; this makes vitest do the same.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'apps/server/src/**/*.test.ts',
      'apps/server/test/**/*.test.ts',
      'tests/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', 'tests/e2e/**'],
    reporters: ['default', './tests/summaryReporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
