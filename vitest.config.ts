import { defineConfig } from 'vitest/config';

/**
 * Unit tests (`*.test.ts`) run once. Integration tests (`*.int.test.ts`) run on PGlite, and also on
 * Postgres when TEST_DATABASE_URL is set (project `postgres`; each test file gets its own database).
 */
const shared = {
  environment: 'node' as const,
  pool: 'forks' as const,
  testTimeout: 30_000,
  hookTimeout: 60_000,
  setupFiles: ['test/support/setup.ts'],
  globalSetup: ['test/support/global-setup.ts'],
};

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/**/*.int.test.ts', 'test/**/*.browser.test.ts'] } },
      { test: { ...shared, name: 'pglite', include: ['test/**/*.int.test.ts', 'test/**/*.browser.test.ts'], env: { TEST_BACKEND: 'pglite' } } },
      ...(process.env.TEST_DATABASE_URL
        ? [{ test: { ...shared, name: 'postgres', include: ['test/**/*.int.test.ts'], env: { TEST_BACKEND: 'postgres' } } }]
        : []),
    ],
  },
});
