import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    // Node tests of the service, engine and browser-app logic; the Svelte rune classes need the svelte plugin.
    projects: [{ extends: true, test: { name: 'node', include: ['test/**/*.test.ts'] } }, 'frontend/vitest.config.ts'],
  },
});
