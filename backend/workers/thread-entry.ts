/** Starts a worker-thread script that sits next to the caller, whether twinlab runs from TypeScript or from dist/. */
import '../engine-features.js';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A Worker running `./<basename>` beside `callerUrl`. From TypeScript sources the worker first registers tsx inside
 * itself: on Node 20 a worker does not honour `--import tsx` in its execArgv.
 */
export function startThread(callerUrl: string, basename: string, options: WorkerOptions = {}): Worker {
  const ext = extname(fileURLToPath(callerUrl));
  const url = new URL(`./${basename}${ext}`, callerUrl);
  if (ext !== '.ts') return new Worker(url, options);
  const tsxApi = tsxEsmApiUrl();
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** The URL of tsx's ESM register API, read from tsx's package exports (require() would pick its CommonJS build). */
function tsxEsmApiUrl(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import?: string | { default?: string } }> };
  const entry = pkg.exports['./esm/api']?.import;
  const file = typeof entry === 'string' ? entry : entry?.default;
  if (!file) throw new Error('the installed tsx has no ./esm/api export; reinstall dependencies (npm ci)');
  return pathToFileURL(join(dirname(manifest), file)).href;
}
