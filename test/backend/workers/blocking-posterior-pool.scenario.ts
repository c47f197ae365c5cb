/** Worker-thread side of blocking-posterior-pool.test.ts: a BlockingPosteriorPool must run off the main thread. */
import { parentPort, workerData } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGaussianProcess } from '../../../acquisition/models/gp/index.js';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { BlockingPosteriorPool, type BlockingPosteriorStats } from '../../../backend/workers/blocking-posterior-pool.js';

export interface ScenarioInput {
  helper: 'posterior-worker' | 'failing' | 'hanging';
}

export interface ScenarioOutput {
  /** Per prediction: the pool's answer equals gp.posterior() on one thread, bit for bit. */
  identical: boolean[];
  /** The same for a model fantasize() derived from the runner's model. */
  fantasyIdentical: boolean;
  stats: BlockingPosteriorStats;
  running: number;
}

function points(m: number, d: number, seed: number): number[][] {
  const rng = createRandom(seed);
  return Array.from({ length: m }, () => Array.from({ length: d }, () => rng.uniform()));
}

function same(a: { mean: Float64Array; variance: Float64Array }, b: { mean: Float64Array; variance: Float64Array }): boolean {
  return a.mean.length === b.mean.length && a.mean.every((v, i) => Object.is(v, b.mean[i]))
    && a.variance.every((v, i) => Object.is(v, b.variance[i]));
}

const { helper } = workerData as ScenarioInput;
const X = points(600, 4, 1);
const y = X.map((x) => Math.sin(4 * x[0]) + x[1] * x[2] - x[3]);
const gp = createGaussianProcess(X, y, { hyperparameters: { lengthscales: [0.4, 0.5, 0.6, 0.7], signalVariance: 1, noiseVariance: 1e-3 } });
const pool = new BlockingPosteriorPool({
  helpers: 1, minParallelWork: 0, stallMilliseconds: 500,
  helperScript: helper === 'posterior-worker'
    ? undefined
    : { callerUrl: import.meta.url, basename: `blocking-posterior-pool.${helper}-helper` },
});
const parallel = gp.withPosteriorRunner(pool.runner);
const query = points(10_000, 4, 2);
const identical: boolean[] = [];
identical.push(same(gp.posterior(query), parallel.posterior(query)));
// Let the helper start (its first job had ended before it was up), then predict again: now it takes chunks.
await sleep(1500);
identical.push(same(gp.posterior(query), parallel.posterior(query)));
identical.push(same(gp.posterior(query), parallel.posterior(query)));
const fantasyX = points(3, 4, 3), fantasyY = [0.1, 0.2, 0.3];
const fantasyIdentical = same(gp.fantasize(fantasyX, fantasyY).posterior(query), parallel.fantasize(fantasyX, fantasyY).posterior(query));
const output: ScenarioOutput = { identical, fantasyIdentical, stats: { ...pool.stats }, running: pool.running };
await pool.close();
parentPort!.postMessage(output);
