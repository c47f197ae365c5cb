import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    projects: [
      // Node tests of the service, engine and browser-app logic, on SQLite; the Svelte rune classes need the svelte plugin.
      // The PostgreSQL-only files (test/backend/{db,jobs,files}/pg-*) need the server that only the project "postgres" starts.
      { extends: true, test: { name: 'node', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/backend/db/pg-*.test.ts', 'test/backend/jobs/pg-*.test.ts', 'test/backend/files/pg-*.test.ts'] } },
      'frontend/vitest.config.ts',
      // The service, route and job suites again on PostgreSQL: a private throwaway cluster (or TWINLAB_TEST_DATABASE_URL),
      // one fresh database per test harness.
      {
        extends: true,
        test: {
          name: 'postgres',
          env: { TWINLAB_TEST_STORE: 'postgres' },
          globalSetup: ['test/setup/postgres.ts'],
          include: [
            'test/backend/routes/**/*.test.ts',
            'test/backend/services/**/*.test.ts',
            'test/backend/jobs/**/*.test.ts',
            'test/backend/db/pg-*.test.ts',
            'test/backend/files/**/*.test.ts',
            'test/backend/app-errors.test.ts',
            'test/backend/app-fuzz.test.ts',
          ],
        },
      },
    ],
  },
});
