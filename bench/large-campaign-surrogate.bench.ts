/**
 * A campaign with thousands of results through the real HTTP server (issue #12, point 4): a 6-D campaign with
 * BENCH_RESULTS (default 3,000) noisy results of a function whose noise grows tenfold across the space (where a
 * network's noise head should beat the GP's single noise level) and BENCH_POOL (default 20,000) candidates. It trains
 * a deep ensemble through POST /train (the job cross-validates the network and the GP on the same folds), prints the
 * surrogate choice the service makes (GET /surrogates), then the latency of one suggestion (EI, count 1) with the GP
 * (settings.surrogate "gp": subset-of-data GP above 2,000 results) and with `auto`: the first call, a repeat on the
 * same data, and a call right after a new result (the GP refits warm-started; the network is conditioned on it).
 *
 * Run: npx tsx bench/large-campaign-surrogate.bench.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandom } from '../acquisition/sampling/random.js';
import { loadConfig } from '../backend/config.js';
import { startServer } from '../backend/server.js';
import { TwinlabClient } from '../backend/simulate/api-client.js';

const RESULTS = Number(process.env.BENCH_RESULTS ?? 3000);
const POOL = Number(process.env.BENCH_POOL ?? 20_000);
const NAMES = ['x1', 'x2', 'x3', 'x4', 'x5', 'x6'];

/** A smooth 6-D response. */
const response = (x: number[]): number => Math.sin(3 * x[0]) + Math.cos(2 * x[1]) * x[2] + 0.5 * (x[3] - 0.5) ** 2 + 0.3 * Math.sin(5 * x[4] * x[5]);
/** Noise std from 0.02 at x1 = 0 to 0.2 at x1 = 1: the kind of heteroscedasticity a process window has. */
const noiseStd = (x: number[]): number => 0.02 * 10 ** x[0];

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'twinlab-bench-'));
  const token = 'bench-token';
  // No automatic retrain while timing: the one training job below is the one measured.
  const server = await startServer(loadConfig({ TWINLAB_DATA: dataDir, PORT: '0', TWINLAB_DEMO: '0', TWINLAB_ADMIN_TOKEN: token, TWINLAB_RETRAIN_DELAY_SECONDS: '86400' }), () => {});
  const client = new TwinlabClient(server.url, token);
  try {
    const id = await client.createCampaign({
      name: 'large campaign',
      parameters: NAMES.map((name) => ({ name, type: 'continuous', min: 0, max: 1 })),
      objectives: [{ name: 'y', goal: 'maximize' }],
    });
    const rng = createRandom(42);
    const point = (): Record<string, number> => Object.fromEntries(NAMES.map((n) => [n, Math.round(rng.uniform() * 1e6) / 1e6]));
    const measure = (p: Record<string, number>): number => {
      const x = NAMES.map((n) => p[n]);
      return response(x) + noiseStd(x) * rng.normal();
    };
    for (let i = 0; i < POOL; i += 5000) await client.importSamples(id, Array.from({ length: Math.min(5000, POOL - i) }, () => ({ params: point() })));
    for (let i = 0; i < RESULTS; i += 1000) {
      await client.request('POST', `/campaigns/${id}/results`, Array.from({ length: Math.min(1000, RESULTS - i) }, () => {
        const p = point();
        return { params: p, outcomes: { y: measure(p) } };
      }));
    }
    console.log(`campaign: 6-D, ${RESULTS} results (noise std 0.02–0.2), ${POOL} candidates`);
    const t0 = performance.now();
    const job = (await client.request('POST', `/campaigns/${id}/train`, { kind: 'deep-ensemble' })) as { id: number };
    await client.waitForJob(job.id, 1000);
    console.log(`training job (5-fold CV of the network and of the GP, final fit): ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    const report = (await client.request('GET', `/campaigns/${id}/surrogates`)) as { objectives: { chosen: { kind: string; modelId: number | null }; reason: string }[] };
    console.log(`auto chooses ${report.objectives[0].chosen.kind}: ${report.objectives[0].reason}`);

    for (const setting of ['gp', 'auto'] as const) {
      await client.request('PATCH', `/campaigns/${id}`, { settings: { surrogate: setting } });
      const timings: string[] = [];
      const once = async (seed: number): Promise<{ kind: string; seconds: number }> => {
        const t = performance.now();
        const suggestion = (await client.request('POST', `/campaigns/${id}/suggestions`, { count: 1, seed, strategy: 'expected-improvement' })) as {
          surrogates: Record<string, { kind: string }>; items: { sampleId: number }[];
        };
        const seconds = (performance.now() - t) / 1000;
        await client.request('PATCH', `/campaigns/${id}/samples/${suggestion.items[0].sampleId}`, { status: 'candidate' });
        return { kind: suggestion.surrogates.y.kind, seconds };
      };
      const first = await once(1);
      const repeat = await once(2);
      const p = point();
      await client.request('POST', `/campaigns/${id}/results`, [{ params: p, outcomes: { y: measure(p) } }]);
      const afterResult = await once(3);
      timings.push(`first ${first.seconds.toFixed(2)} s`, `same data ${repeat.seconds.toFixed(2)} s`, `after a new result ${afterResult.seconds.toFixed(2)} s`);
      console.log(`surrogate "${setting}" (ranked by ${first.kind}): ${timings.join(', ')}`);
    }
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
