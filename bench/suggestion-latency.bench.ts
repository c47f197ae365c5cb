/**
 * Suggestion latency of the service: a 6-D campaign with 500 results and a 10,000-candidate pool, through the real
 * HTTP server (suggest() runs in its worker thread). Goal from the closed-loop issue: p50 under 1 s on 2 cores.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandom } from '../acquisition/sampling/random.js';
import { loadConfig } from '../backend/config.js';
import { startServer } from '../backend/server.js';
import { TwinlabClient } from '../backend/simulate/api-client.js';

const RESULTS = Number(process.env.BENCH_RESULTS ?? 500);
const POOL = Number(process.env.BENCH_POOL ?? 10_000);
const CALLS = Number(process.env.BENCH_CALLS ?? 15);

const hartmannish = (x: number[]) => Math.exp(-x.reduce((s, v, i) => s + (i + 1) * (v - 0.3 - 0.05 * i) ** 2, 0));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'twinlab-bench-'));
  const token = 'bench-token';
  const server = await startServer(loadConfig({ TWINLAB_DATA: dataDir, PORT: '0', TWINLAB_DEMO: '0', TWINLAB_ADMIN_TOKEN: token }), () => {});
  const client = new TwinlabClient(server.url, token);
  try {
    const names = ['x1', 'x2', 'x3', 'x4', 'x5', 'x6'];
    const id = await client.createCampaign({
      name: 'latency bench',
      parameters: names.map((name) => ({ name, type: 'continuous', min: 0, max: 1 })),
      objectives: [{ name: 'y', goal: 'maximize' }],
    });
    const rng = createRandom(42);
    const point = () => Object.fromEntries(names.map((n) => [n, Math.round(rng.uniform() * 1e6) / 1e6]));
    for (let i = 0; i < POOL; i += 5000) await client.importSamples(id, Array.from({ length: Math.min(5000, POOL - i) }, () => ({ params: point() })));
    const results = Array.from({ length: RESULTS }, () => {
      const p = point();
      return { params: p, outcomes: { y: hartmannish(names.map((n) => p[n])) + 0.01 * rng.normal() } };
    });
    await client.request('POST', `/campaigns/${id}/results`, results);
    console.log(`campaign: 6-D, ${RESULTS} results, ${POOL} candidates; ${CALLS} calls of count=1 (EI), each suggested sample put back`);
    const times: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const t0 = performance.now();
      const items = await client.suggest(id, { count: 1, seed: i, strategy: 'expected-improvement' });
      times.push(performance.now() - t0);
      await client.request('PATCH', `/campaigns/${id}/samples/${items[0].sampleId}`, { status: 'candidate' });
    }
    const first = times[0];
    const steady = times.slice(1).sort((a, b) => a - b);
    console.log(`first call (fits the GP): ${(first / 1000).toFixed(3)} s`);
    console.log(`later calls (same data: the model is reused): p50 ${(percentile(steady, 0.5) / 1000).toFixed(3)} s, p95 ${(percentile(steady, 0.95) / 1000).toFixed(3)} s`);
    const afterResult: number[] = [];
    for (let i = 0; i < 3; i++) {
      const p = point();
      await client.request('POST', `/campaigns/${id}/results`, [{ params: p, outcomes: { y: hartmannish(names.map((n) => p[n])) } }]);
      const t = performance.now();
      const items = await client.suggest(id, { count: 1, seed: 50 + i, strategy: 'expected-improvement' });
      afterResult.push(performance.now() - t);
      await client.request('PATCH', `/campaigns/${id}/samples/${items[0].sampleId}`, { status: 'candidate' });
    }
    afterResult.sort((a, b) => a - b);
    console.log(`calls right after a new result (warm-started refit): median ${(percentile(afterResult, 0.5) / 1000).toFixed(3)} s`);
    const t0 = performance.now();
    await client.suggest(id, { count: 8, seed: 99, strategy: 'expected-improvement' });
    console.log(`a batch of 8 (Kriging believer): ${((performance.now() - t0) / 1000).toFixed(3)} s`);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
