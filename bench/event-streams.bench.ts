/**
 * Event-stream caps (issue #15, finding 9): one token opens 2,000 campaign event streams at once against a real
 * `twinlab serve`, while /api/health is asked every 300 ms. Prints how many streams were accepted and refused and the
 * health latencies during the storm (the issue saw 2,000 accepted streams and health stalled for 2.7–5.7 s).
 *
 *   npx tsx bench/event-streams.bench.ts
 *   STREAMS_ROOT=/path/to/older/checkout npx tsx bench/event-streams.bench.ts   # the server of another checkout
 *
 * Prints; never asserts. Every stream is closed at the end.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBenchServer } from './serve.js';

const root = process.env.STREAMS_ROOT ?? join(import.meta.dirname, '..');
const STREAMS = Number(process.env.STREAMS_COUNT ?? 2000);
const token = 'streams-bench-token';
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

/** Opens the storm and samples /api/health while it runs; returns the statuses and latencies. */
async function storm(url: string, campaignId: number): Promise<{ statuses: Record<string, number>; healthMs: number[]; openSeconds: number }> {
  const controllers: AbortController[] = [];
  const statuses: Record<string, number> = {};
  const t0 = performance.now();
  const opening = Promise.all(
    Array.from({ length: STREAMS }, async () => {
      const ac = new AbortController();
      controllers.push(ac);
      try {
        const res = await fetch(`${url}/api/campaigns/${campaignId}/events`, { headers, signal: ac.signal });
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status !== 200) await res.text();
      } catch {
        statuses.error = (statuses.error ?? 0) + 1;
      }
    }),
  ).then(() => (performance.now() - t0) / 1000);
  const healthMs: number[] = [];
  let done = false;
  void opening.then(() => (done = true));
  while (!done || healthMs.length < 3) {
    await new Promise((r) => setTimeout(r, 300));
    const h0 = performance.now();
    await (await fetch(`${url}/api/health`)).text();
    healthMs.push(Math.round(performance.now() - h0));
  }
  const openSeconds = await opening;
  for (const ac of controllers) ac.abort();
  return { statuses, healthMs, openSeconds };
}

/** Starts a server, runs the storm, prints the figures. */
async function main(): Promise<void> {
  const { child, url } = await startBenchServer(root, { TWINLAB_DATA: mkdtempSync(join(tmpdir(), 'twinlab-streams-')), TWINLAB_ADMIN_TOKEN: token });
  try {
    const created = await fetch(`${url}/api/campaigns`, { method: 'POST', headers, body: JSON.stringify({ name: 'streams', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }] }) });
    const { id } = (await created.json()) as { id: number };
    const { statuses, healthMs, openSeconds } = await storm(url, id);
    console.log(`${STREAMS} event streams from one token: ${Object.entries(statuses).map(([s, n]) => `${n} × ${s}`).join(', ')} (all answered in ${openSeconds.toFixed(1)} s)`);
    console.log(`/api/health during the storm: max ${Math.max(...healthMs)} ms, median ${[...healthMs].sort((a, b) => a - b)[Math.floor(healthMs.length / 2)]} ms over ${healthMs.length} probes`);
  } finally {
    child.kill('SIGTERM');
  }
}

await main();
