// Builds the browser app when frontend/dist is missing or older than any source file.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest modification time (ms) of the files under `dir`. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Runs `vite build` for frontend/ unless frontend/dist/index.html is newer than every source. */
export function ensureFrontendBuilt(repositoryRoot: string): void {
  const index = join(repositoryRoot, 'frontend', 'dist', 'index.html');
  const sources = Math.max(newestMtime(join(repositoryRoot, 'frontend', 'src')), statSync(join(repositoryRoot, 'frontend', 'index.html')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync(process.execPath, [join(repositoryRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'frontend/vite.config.ts', '--logLevel', 'warn'], {
    cwd: repositoryRoot,
    stdio: 'inherit',
  });
}
