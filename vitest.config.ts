import { defineConfig } from 'vitest/config';

// One root config so `vitest run` (the README's test command) runs every package's tests; the summary
// reporter adds the plain `N passed, N failed, N skipped` closing line that CI reads.
export default defineConfig({
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
