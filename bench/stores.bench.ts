/**
 * SQLite vs PostgreSQL, and one vs two replicas (issue 16), with real service processes on loopback:
 * - results posted per second by BENCH_CLIENTS (default 8) clients, each posting one result per request for
 *   BENCH_SECONDS (default 10), to one SQLite service, one PostgreSQL replica, and two PostgreSQL replicas (clients
 *   split over both);
 * - suggestion latency for the same campaign (2 parameters, 40 results, 300 pool candidates, the default strategy, one
 *   at a time), on SQLite and on PostgreSQL, with the ratio.
 * PostgreSQL is a private cluster with durable settings (fsync on, as in production), started from Debian's binaries.
 * On a 2-core machine the clients, the services and the database share the cores: two replicas cannot show more
 * throughput than the cores allow, so read the two-replica figure as "no loss from coordination", not as scaling.
 * Prints; never asserts. Run: npx tsx bench/stores.bench.ts
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type ServiceProcess } from '../test/backend/process.js';
import { onServer, startCluster, withDatabase } from '../test/support/postgres-cluster.js';
import { printTable } from './report.js';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SUGGESTIONS = Number(process.env.BENCH_SUGGESTIONS ?? 20);
const TOKEN = `tl_${randomBytes(24).toString('base64url')}`;

/** A JSON request as the admin; throws on a non-2xx answer. */
async function call<T>(url: string, method: string, path: string, body?: unknown, type = 'application/json'): Promise<T> {
  const res = await fetch(`${url}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': type }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A campaign with two parameters, 300 candidates and 40 results: the same on every store. */
async function prepareCampaign(url: string): Promise<number> {
  const { id } = await call<{ id: number }>(url, 'POST', '/campaigns', {
    name: 'store bench',
    parameters: [{ name: 'a', type: 'continuous', min: 0, max: 1 }, { name: 'b', type: 'continuous', min: 0, max: 1 }],
    objectives: [{ name: 'y', goal: 'maximize' }],
  });
  const grid = Array.from({ length: 300 }, (_, i) => [((i * 37) % 300) / 299, ((i * 101) % 300) / 299]);
  await call(url, 'POST', `/campaigns/${id}/samples`, `a,b\n${grid.map(([a, b]) => `${a.toFixed(6)},${b.toFixed(6)}`).join('\n')}\n`, 'text/csv');
  const measured = grid.slice(0, 40).map(([a, b]) => ({ params: { a: Number(a.toFixed(6)), b: Number(b.toFixed(6)) }, outcomes: { y: Math.sin(6 * a) + Math.cos(4 * b) } }));
  await call(url, 'POST', `/campaigns/${id}/results`, measured);
  return id;
}

/** Results per second that `CLIENTS` clients post, one result per request, spread over `urls`, for SECONDS. */
async function postingRate(urls: string[], campaignId: number, tag: string): Promise<{ perSecond: number; p50: number; p95: number }> {
  const until = Date.now() + SECONDS * 1000;
  const latencies: number[] = [];
  await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
    for (let i = 0; Date.now() < until; i++) {
      const t0 = performance.now();
      await call(urls[c % urls.length], 'POST', `/campaigns/${campaignId}/results`, [{ params: { a: (c * 7919 + i) % 1000 / 1000, b: 0.5 }, outcomes: { y: i }, idempotencyKey: `${tag}-${c}-${i}` }]);
      latencies.push(performance.now() - t0);
    }
  }));
  latencies.sort((x, y) => x - y);
  return { perSecond: latencies.length / SECONDS, p50: latencies[Math.floor(latencies.length / 2)], p95: latencies[Math.floor(latencies.length * 0.95)] };
}

/** Median and 90th percentile of SUGGESTIONS one-at-a-time suggestions (count 1, default strategy), in ms. */
async function suggestionLatency(url: string, campaignId: number): Promise<{ p50: number; p90: number }> {
  const times: number[] = [];
  for (let i = 0; i < SUGGESTIONS; i++) {
    const t0 = performance.now();
    await call(url, 'POST', `/campaigns/${campaignId}/suggestions`, { count: 1, seed: i });
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  return { p50: times[Math.floor(times.length / 2)], p90: times[Math.floor(times.length * 0.9)] };
}

const env = (extra: Record<string, string>) => ({ TWINLAB_ADMIN_TOKEN: TOKEN, TWINLAB_DATA: mkdtempSync(join(tmpdir(), 'twinlab-bench-store-')), TWINLAB_RETRAIN_DELAY_SECONDS: '3600', ...extra });

const cluster = await startCluster({ durable: true });
const services: ServiceProcess[] = [];
try {
  await onServer(cluster.url, 'CREATE DATABASE bench');
  const databaseUrl = withDatabase(cluster.url, 'bench');

  const sqlite = await startService(env({}));
  services.push(sqlite);
  const sqliteCampaign = await prepareCampaign(sqlite.url);
  const sqliteSuggest = await suggestionLatency(sqlite.url, sqliteCampaign);
  const sqlitePost = await postingRate([sqlite.url], sqliteCampaign, 'sqlite');
  await sqlite.stop();

  const [first, second] = await Promise.all([0, 1].map(() => startService(env({ DATABASE_URL: databaseUrl }))));
  services.push(first, second);
  const pgCampaign = await prepareCampaign(first.url);
  const pgSuggest = await suggestionLatency(first.url, pgCampaign);
  const pgPostOne = await postingRate([first.url], pgCampaign, 'pg1');
  const pgPostTwo = await postingRate([first.url, second.url], pgCampaign, 'pg2');

  console.log(`\nResults posted (${CLIENTS} clients, one result per request, ${SECONDS} s each)`);
  printTable(['store', 'replicas', 'results/s', 'p50 ms', 'p95 ms', 'vs SQLite'], [
    ['SQLite', '1', sqlitePost.perSecond.toFixed(0), sqlitePost.p50.toFixed(1), sqlitePost.p95.toFixed(1), '1.00'],
    ['PostgreSQL', '1', pgPostOne.perSecond.toFixed(0), pgPostOne.p50.toFixed(1), pgPostOne.p95.toFixed(1), (pgPostOne.perSecond / sqlitePost.perSecond).toFixed(2)],
    ['PostgreSQL', '2', pgPostTwo.perSecond.toFixed(0), pgPostTwo.p50.toFixed(1), pgPostTwo.p95.toFixed(1), (pgPostTwo.perSecond / sqlitePost.perSecond).toFixed(2)],
  ]);
  console.log(`\nSuggestion latency (same campaign: 40 results, 300 candidates, count 1, default strategy, ${SUGGESTIONS} in a row)`);
  printTable(['store', 'p50 ms', 'p90 ms', 'p50 vs SQLite'], [
    ['SQLite', sqliteSuggest.p50.toFixed(0), sqliteSuggest.p90.toFixed(0), '1.00'],
    ['PostgreSQL', pgSuggest.p50.toFixed(0), pgSuggest.p90.toFixed(0), (pgSuggest.p50 / sqliteSuggest.p50).toFixed(2)],
  ]);
} finally {
  await Promise.all(services.map((s) => s.stop()));
  await cluster.stop();
}
