/**
 * Diagnostics payload per view (issue 14): bytes and time of GET …/models/{id}/diagnostics on the membrane demo
 * (12 simulated castings, its GP record from the first suggestion), whole answer against the view the Models page
 * asks for (one objective, one map). The first request fits and is kept; the others are narrowed from it.
 *
 *   npx tsx bench/diagnostics-payload.bench.ts
 *
 * Prints; never asserts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../backend/app.js';
import { loadConfig } from '../backend/config.js';
import { openDatabase } from '../backend/db/client.js';
import { sqliteStore } from '../backend/db/sqlite-store.js';
import { createJobQueue } from '../backend/jobs/open-queue.js';
import type { ServiceContext } from '../backend/services/context.js';
import { seedMembraneDemo } from '../backend/services/demo-campaigns.js';
import { createToken } from '../backend/services/tokens.js';

const store = sqliteStore(openDatabase(':memory:'));
const config = loadConfig({ TWINLAB_DATA: mkdtempSync(join(tmpdir(), 'twinlab-bench-')) });
const ctx: ServiceContext = { db: store, config, jobs: createJobQueue(store, config) };
const app = createApp(ctx);
const { token } = await createToken(ctx, 'bench', 'admin');
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

/** GETs or POSTs `path`; the body text, its status and the milliseconds it took. */
async function call(path: string, body?: unknown): Promise<{ text: string; status: number; ms: number }> {
  const t0 = performance.now();
  const res = await app.request(path, body === undefined ? { headers } : { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  return { text, status: res.status, ms: performance.now() - t0 };
}

const campaign = await seedMembraneDemo(ctx);
await call(`/api/campaigns/${campaign.id}/suggestions`, { count: 1, seed: 1 });
const models = JSON.parse((await call(`/api/campaigns/${campaign.id}/models`)).text) as { items: { id: number; kind: string }[] };
const gp = models.items.find((m) => m.kind === 'gp');
if (!gp) throw new Error('the suggestion recorded no GP model');
const path = `/api/campaigns/${campaign.id}/models/${gp.id}/diagnostics`;
const objective = campaign.objectives[0].name;

const rows: [string, string][] = [
  ['whole answer (first request: fits)', ''],
  ['whole answer (kept)', ''],
  [`objective=${objective}`, `?objective=${objective}`],
  [`objective=${objective}&pair=first`, `?objective=${objective}&pair=first`],
];
const results: { label: string; bytes: number; ms: number }[] = [];
for (const [label, query] of rows) {
  const { text, status, ms } = await call(path + query);
  if (status !== 200) throw new Error(`${label}: ${status} ${text}`);
  results.push({ label, bytes: text.length, ms });
  if (query.endsWith('pair=first')) {
    const pairs = (JSON.parse(text) as { pairs: { x: string; y: string }[] }).pairs;
    const last = pairs.at(-1)!;
    const picked = await call(`${path}?objective=${objective}&pair=${encodeURIComponent(JSON.stringify([last.x, last.y]))}`);
    results.push({ label: `objective=${objective}&pair=["${last.x}","${last.y}"] (of ${pairs.length})`, bytes: picked.text.length, ms: picked.ms });
  }
}
console.log(`membrane demo, GP model #${gp.id}, ${campaign.objectives.length} objectives, ${campaign.parameters.length} parameters`);
for (const r of results) console.log(`${r.label.padEnd(62)} ${String(r.bytes).padStart(8)} bytes ${r.ms.toFixed(0).padStart(6)} ms`);
