import { afterAll, describe, expect, it } from 'vitest';
import { setKernelBackend, wasmAvailable } from '../../../acquisition/linalg/wasm/runtime.js';
import {
  createGaussianProcess, GaussianProcessInputError, type GaussianProcess, type KernelName,
} from '../../../acquisition/models/gp/index.js';
import { chunkCount, MANY_QUERIES, POSTERIOR_CHUNK } from '../../../acquisition/models/gp/posterior-rows.js';
import { createRandom } from '../../../acquisition/sampling/random.js';
import type { Posterior } from '../../../acquisition/index.js';
import { PosteriorPool } from '../../../backend/workers/posterior-pool.js';

const D = 4;

/** m uniform points in the unit cube from a seed. */
function points(m: number, seed: number): number[][] {
  const rng = createRandom(seed);
  return Array.from({ length: m }, () => Array.from({ length: D }, () => rng.uniform()));
}

/** A GP with fixed hyperparameters on n noisy points of a smooth function. */
function gpOn(n: number, kernel: KernelName = 'matern52'): GaussianProcess {
  const rng = createRandom(1000 + n);
  const X = points(n, n);
  const y = X.map((x) => Math.sin(3 * x[0]) + x[1] * x[2] - x[3] + 0.05 * rng.normal());
  return createGaussianProcess(X, y, {
    kernel, hyperparameters: { lengthscales: [0.3, 0.5, 0.6, 0.9], signalVariance: 1.3, noiseVariance: 2e-3 },
  });
}

/** Largest |a − b| / |a| over means and variances (0 where both are 0). */
function maxRelativeDifference(a: Posterior, b: Posterior): number {
  expect(b.mean).toHaveLength(a.mean.length);
  expect(b.variance).toHaveLength(a.variance.length);
  let worst = 0;
  for (const key of ['mean', 'variance'] as const) {
    for (let i = 0; i < a[key].length; i++) {
      const x = a[key][i], y = b[key][i];
      const diff = Math.abs(x - y);
      worst = Math.max(worst, diff === 0 ? 0 : diff / Math.abs(x));
    }
  }
  return worst;
}

const two = new PosteriorPool({ threads: 2, minParallelWork: 0 });
const one = new PosteriorPool({ threads: 1, minParallelWork: 0 });
const four = new PosteriorPool({ threads: 4, minParallelWork: 0 });
afterAll(async () => {
  setKernelBackend(wasmAvailable() ? 'wasm' : 'js');
  await Promise.all([two.close(), one.close(), four.close()]);
});

describe('PosteriorPool', () => {
  it('equals gp.posterior on 2 threads for several training sizes and odd row counts, sharing the chunks out', async () => {
    for (const [n, m] of [[7, MANY_QUERIES], [60, 1001], [203, 2049], [401, 777]]) {
      const gp = gpOn(n);
      const query = points(m, 17 + n);
      const serial = gp.posterior(query);
      const parallel = await two.posterior(gp, query);
      expect(maxRelativeDifference(serial, parallel)).toBeLessThanOrEqual(1e-10);
      expect(two.lastSplit).toHaveLength(2);
      expect(two.lastSplit.reduce((s, c) => s + c, 0)).toBe(chunkCount(m));
      // A real posterior, not zeros on both sides: positive variances that differ from point to point.
      expect(Math.min(...parallel.variance)).toBeGreaterThan(0);
      expect(new Set(parallel.mean).size).toBeGreaterThan(m / 2);
    }
    expect(two.running).toBe(2);
  });

  it('gives the same answer on 1 thread as on 2 (RBF kernel)', async () => {
    const gp = gpOn(150, 'rbf');
    const query = points(3 * POSTERIOR_CHUNK + 1, 3);
    const a = await one.posterior(gp, query);
    const b = await two.posterior(gp, query);
    expect(one.lastSplit).toEqual([chunkCount(query.length)]);
    expect(maxRelativeDifference(a, b)).toBeLessThanOrEqual(1e-10);
    expect(maxRelativeDifference(gp.posterior(query), a)).toBeLessThanOrEqual(1e-10);
  });

  it('starts no more threads than there are chunks', async () => {
    const gp = gpOn(90);
    const query = points(MANY_QUERIES + 88, 4); // 3 chunks for 4 threads
    const parallel = await four.posterior(gp, query);
    expect(four.running).toBe(3);
    expect(four.lastSplit.reduce((s, c) => s + c, 0)).toBe(3);
    expect(maxRelativeDifference(gp.posterior(query), parallel)).toBeLessThanOrEqual(1e-10);
  });

  it('predicts small and empty queries inline without starting threads', async () => {
    const pool = new PosteriorPool({ threads: 2, minParallelWork: 0 });
    const gp = gpOn(40);
    const few = points(5, 8);
    expect(maxRelativeDifference(gp.posterior(few), await pool.posterior(gp, few))).toBe(0);
    const empty = await pool.posterior(gp, []);
    expect(empty.mean).toHaveLength(0);
    expect(empty.variance).toHaveLength(0);
    expect(pool.running).toBe(0);
    await pool.close();
  });

  it('keeps moderate work inline under the default threshold', async () => {
    const pool = new PosteriorPool({ threads: 2 });
    const gp = gpOn(20);
    const query = points(MANY_QUERIES, 6); // 512 · 20 · 24 ≈ 2.5e5, far below the default
    expect(maxRelativeDifference(gp.posterior(query), await pool.posterior(gp, query))).toBe(0);
    expect(pool.running).toBe(0);
    await pool.close();
  });

  it('answers concurrent predictions of different GPs each with its own posterior', async () => {
    const gpA = gpOn(80), gpB = gpOn(130, 'rbf');
    const queryA = points(1500, 21), queryB = points(1300, 22);
    const [a, b] = await Promise.all([two.posterior(gpA, queryA), two.posterior(gpB, queryB)]);
    expect(maxRelativeDifference(gpA.posterior(queryA), a)).toBeLessThanOrEqual(1e-10);
    expect(maxRelativeDifference(gpB.posterior(queryB), b)).toBeLessThanOrEqual(1e-10);
  });

  it('follows the calling thread’s kernel backend', async () => {
    const gp = gpOn(120);
    const query = points(1200, 31);
    setKernelBackend('js');
    try {
      const serial = gp.posterior(query);
      expect(maxRelativeDifference(serial, await two.posterior(gp, query))).toBeLessThanOrEqual(1e-10);
    } finally {
      setKernelBackend(wasmAvailable() ? 'wasm' : 'js');
    }
    expect(maxRelativeDifference(gp.posterior(query), await two.posterior(gp, query))).toBeLessThanOrEqual(1e-10);
  });

  it('rejects a malformed query with the engine’s input error', async () => {
    const gp = gpOn(30);
    const query = points(700, 5);
    query[600] = [0.1, 0.2];
    await expect(two.posterior(gp, query)).rejects.toThrow(GaussianProcessInputError);
    await expect(two.posterior(gp, query)).rejects.toThrow(/point 600 has 2 coordinates/);
  });

  it('passes a failure inside a thread back as a rejection and keeps working', async () => {
    const gp = gpOn(50);
    const query = points(900, 12);
    // A model whose packed L⁻¹ has the wrong length for its n: posteriorChunks refuses it inside the worker.
    const broken = Object.assign(Object.create(gp) as GaussianProcess, {
      posteriorModel: () => ({ ...gp.posteriorModel(), inversePanels: new Float64Array(50 * 50 + 1) }),
    });
    const err = await two.posterior(broken, query).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('GaussianProcessInputError');
    expect((err as Error).message).toMatch(/inversePanels must hold/);
    expect(maxRelativeDifference(gp.posterior(query), await two.posterior(gp, query))).toBeLessThanOrEqual(1e-10);
  });

  it('stops its threads on close and refuses work afterwards', async () => {
    const pool = new PosteriorPool({ threads: 2, minParallelWork: 0 });
    await pool.warm();
    expect(pool.running).toBe(2);
    await pool.close();
    expect(pool.running).toBe(0);
    await expect(pool.posterior(gpOn(10), points(600, 1))).rejects.toThrow(/closed/);
  });

  it('refuses a thread count that is not a positive integer', () => {
    expect(() => new PosteriorPool({ threads: 0 })).toThrow(RangeError);
    expect(() => new PosteriorPool({ threads: 1.5 })).toThrow(RangeError);
  });
});
