/**
 * Engine fairness (issue #15, finding 2): the latency of a `count: 1` suggestion on campaign B while campaign A asks
 * for a continuous batch of 1,000 points (`pool: false`), both through the HTTP API of a real `twinlab serve`
 * process, and B's latency with the engine idle for comparison. Both campaigns have one parameter and five results.
 *
 *   npx tsx bench/engine-fairness.bench.ts                      # this tree, default settings
 *   TWINLAB_SUGGEST_SYNC_MAX_COUNT=1000 npx tsx bench/...        # A answered synchronously, on its own engine worker
 *   FAIRNESS_ROOT=/path/to/older/checkout npx tsx bench/...     # the server of another checkout (e.g. before the fix)
 *
 * Settings TWINLAB_* in the environment pass to the server. Prints; never asserts. B's wait is cut off after
 * FAIRNESS_MAX_WAIT_S seconds (default 180); A's request is abandoned when B is done.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBenchServer } from './serve.js';

const root = process.env.FAIRNESS_ROOT ?? join(import.meta.dirname, '..');
const maxWaitMs = Number(process.env.FAIRNESS_MAX_WAIT_S ?? 180) * 1000;
const token = 'fairness-bench-token';
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

/** POSTs JSON and returns the status, body and seconds taken. */
async function post(url: string, body: unknown, signal?: AbortSignal): Promise<{ status: number; body: Record<string, unknown>; seconds: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal });
  const parsed = (await res.json()) as Record<string, unknown>;
  return { status: res.status, body: parsed, seconds: (performance.now() - t0) / 1000 };
}

/** Runs the scenario against a fresh server and prints the figures. */
async function main(): Promise<void> {
  const { child, url } = await startBenchServer(root, { TWINLAB_DATA: mkdtempSync(join(tmpdir(), 'twinlab-fairness-')), TWINLAB_ADMIN_TOKEN: token });
  try {
    const campaign = async (name: string): Promise<number> => {
      const { body } = await post(`${url}/api/campaigns`, { name, parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }], objectives: [{ name: 'y', goal: 'maximize' }] });
      const id = Number(body.id);
      await post(`${url}/api/campaigns/${id}/results`, [0.1, 0.3, 0.5, 0.7, 0.9].map((x) => ({ params: { x }, outcomes: { y: Math.sin(6 * x) } })));
      return id;
    };
    const a = await campaign('A');
    const b = await campaign('B');
    // Warm the engine (worker start, model fit) so that the idle figure is a steady one.
    await post(`${url}/api/campaigns/${b}/suggestions`, { count: 1, seed: 1 });
    const idle = await post(`${url}/api/campaigns/${b}/suggestions`, { count: 1, seed: 2 });
    console.log(`B count:1, engine idle:            ${idle.status}  ${idle.seconds.toFixed(2)} s`);
    const stopA = new AbortController();
    const longA = post(`${url}/api/campaigns/${a}/suggestions`, { count: 1000, pool: false, seed: 3 }, stopA.signal).catch(() => null);
    // Let A reach the engine first.
    await new Promise((r) => setTimeout(r, 1000));
    const cutoff = AbortSignal.timeout(maxWaitMs);
    const during = await post(`${url}/api/campaigns/${b}/suggestions`, { count: 1, seed: 4 }, cutoff).catch(() => null);
    if (during) console.log(`B count:1, while A asks for 1000:  ${during.status}  ${during.seconds.toFixed(2)} s`);
    else console.log(`B count:1, while A asks for 1000:  no answer within ${maxWaitMs / 1000} s`);
    const answerA = await Promise.race([longA, new Promise<null>((r) => setTimeout(() => r(null), 200))]);
    if (answerA) {
      const job = answerA.status === 202 ? ` (job ${String(answerA.body.id)}, ${String(answerA.body.status)})` : '';
      console.log(`A count:1000 pool:false answered: ${answerA.status}  ${answerA.seconds.toFixed(2)} s${job}`);
    } else console.log('A count:1000 pool:false:           still running when B was answered');
    stopA.abort();
  } finally {
    child.kill('SIGKILL');
  }
}

await main();
