import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

const frontendRoot = fileURLToPath(new URL('.', import.meta.url));

// The backend serves frontend/dist at `/` with an SPA fallback; `npm run dev` style work proxies /api to it.
export default defineConfig({
  root: frontendRoot,
  base: '/',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 400,
  },
  server: {
    port: 5173,
    proxy: { '/api': process.env.TWINLAB_API ?? 'http://127.0.0.1:8080' },
  },
});
