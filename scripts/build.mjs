#!/usr/bin/env node
// Compiles the service (acquisition/ and backend/ to dist/) and builds the browser app (frontend/ to frontend/dist/).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function run(what, args) {
  console.log(`[build] ${what}`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status})`);
}

/** Builds everything; returns nothing, throws on failure. */
export function build() {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  run('compiling the service with tsc', [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
  if (existsSync(join(root, 'frontend/vite.config.ts'))) {
    run('building the browser app with vite', [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'frontend/vite.config.ts', '--logLevel', 'warn']);
  }
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(join(root, 'dist/.built'), new Date().toISOString());
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) build();
