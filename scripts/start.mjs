#!/usr/bin/env node
// `npm start`: builds what is missing or older than its sources, then runs the twinlab CLI (default: serve).
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, root } from './build.mjs';

/** Newest modification time of any file under the given folders (0 if none). */
function newest(dirs) {
  let t = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === 'dist') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else t = Math.max(t, statSync(p).mtimeMs);
    }
  };
  for (const d of dirs) if (existsSync(join(root, d))) walk(join(root, d));
  return t;
}

const marker = join(root, 'dist/.built');
const sources = newest(['backend', 'acquisition', 'frontend', 'migrations']);
if (!existsSync(marker) || statSync(marker).mtimeMs < sources) build();

const { main } = await import(pathToFileURL(join(root, 'dist/backend/cli.js')).href);
const args = process.argv.slice(2);
const code = await main(args.length > 0 ? args : ['serve']);
process.exit(code);
