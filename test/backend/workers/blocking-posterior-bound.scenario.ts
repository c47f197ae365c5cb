/** Worker-thread side of blocking-posterior-bound.test.ts: posterior bounds (pool pruning) split over a helper. */
import { parentPort } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGaussianProcess } from '../../../acquisition/models/gp/index.js';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { BlockingPosteriorPool, type BlockingPosteriorStats } from '../../../backend/workers/blocking-posterior-pool.js';

export interface BoundScenarioOutput {
  /** Per call: the pool's means and variance bounds equal gp.posteriorBound() on one thread, bit for bit. */
  identical: boolean[];
  /** The same for a model fantasize() derived from the runner's model. */
  fantasyIdentical: boolean;
  /** The tight bound (more neighbours, also through the helper) equals the one-thread tight bound, bit for bit. */
  tightIdentical: boolean;
  /** The tight bound is below the plain one somewhere (the runner really used more neighbours). */
  tightIsTighter: boolean;
  stats: BlockingPosteriorStats;
}

function points(m: number, d: number, seed: number): number[][] {
  const rng = createRandom(seed);
  return Array.from({ length: m }, () => Array.from({ length: d }, () => rng.uniform()));
}

type Bound = { mean: Float64Array; varianceUpper: Float64Array };
function same(a: Bound, b: Bound): boolean {
  return a.mean.length === b.mean.length && a.mean.every((v, i) => Object.is(v, b.mean[i]))
    && a.varianceUpper.every((v, i) => Object.is(v, b.varianceUpper[i]));
}

const X = points(600, 4, 1);
const y = X.map((x) => Math.sin(4 * x[0]) + x[1] * x[2] - x[3]);
const gp = createGaussianProcess(X, y, { hyperparameters: { lengthscales: [0.4, 0.5, 0.6, 0.7], signalVariance: 1, noiseVariance: 1e-3 } });
const pool = new BlockingPosteriorPool({ helpers: 1, minParallelWork: 0, stallMilliseconds: 500 });
const parallel = gp.withPosteriorRunner(pool.runner, pool.boundRunner);
const query = points(10_000, 4, 2);
const identical: boolean[] = [];
identical.push(same(gp.posteriorBound(query), parallel.posteriorBound(query)));
// Let the helper start (its first job had ended before it was up), then again: now it takes chunks.
await sleep(1500);
identical.push(same(gp.posteriorBound(query), parallel.posteriorBound(query)));
const fantasyX = points(3, 4, 3), fantasyY = [0.1, 0.2, 0.3];
const fantasyIdentical = same(gp.fantasize(fantasyX, fantasyY).posteriorBound(query), parallel.fantasize(fantasyX, fantasyY).posteriorBound(query));
const tightOne = gp.posteriorBound(query, true), tightSplit = parallel.posteriorBound(query, true);
const plain = gp.posteriorBound(query);
const tightIdentical = same(tightOne, tightSplit);
const tightIsTighter = tightOne.varianceUpper.some((v, i) => v < plain.varianceUpper[i]);
const output: BoundScenarioOutput = { identical, fantasyIdentical, tightIdentical, tightIsTighter, stats: { ...pool.stats } };
await pool.close();
parentPort!.postMessage(output);
