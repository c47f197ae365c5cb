import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

// Tests of the rune classes (`*.svelte.ts`) need the Svelte compiler; they are named `*.test.svelte.ts`
// so the root config (which runs `test/**/*.test.ts` without the plugin) does not pick them up.
export default defineConfig({
  plugins: [svelte()],
  resolve: { conditions: ['browser'] },
  test: {
    name: 'frontend-runes',
    root: repositoryRoot,
    include: ['test/frontend/**/*.test.svelte.ts'],
    environment: 'node',
  },
});
