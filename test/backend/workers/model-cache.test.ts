import { describe, expect, it } from 'vitest';
import { fitGaussianProcess } from '../../../acquisition/models/gp/index.js';
import { runPosteriorChunks, type PosteriorRunner } from '../../../acquisition/models/gp/posterior-rows.js';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { dataKey, ModelCache } from '../../../backend/workers/model-cache.js';

const rng = createRandom(5);
const X = Array.from({ length: 30 }, () => [rng.uniform(), rng.uniform()]);
const y = X.map(([a, b]) => Math.sin(5 * a) + b * b);

describe('ModelCache', () => {
  it('reuses the model of identical data, and its posterior equals a fresh fit with the same seed', () => {
    const cache = new ModelCache();
    const first = cache.fit(X, y);
    const again = cache.fit(X.map((r) => [...r]), [...y]);
    expect(again).toBe(first);
    expect(cache.stats).toEqual({ hits: 1, warmStarts: 0, coldFits: 1 });
    const fresh = fitGaussianProcess(X, y, { seed: 0 });
    const probe = [[0.2, 0.4], [0.9, 0.1]];
    expect(Array.from(first.posterior(probe).mean)).toEqual(Array.from(fresh.posterior(probe).mean));
  });

  it('warm-starts when results were appended, reaching the likelihood of a full fit', () => {
    const cache = new ModelCache();
    cache.fit(X.slice(0, 27), y.slice(0, 27));
    const grown = cache.fit(X, y);
    expect(cache.stats).toEqual({ hits: 0, warmStarts: 1, coldFits: 1 });
    const full = fitGaussianProcess(X, y, { seed: 0 });
    expect(grown.logMarginalLikelihood).toBeGreaterThan(full.logMarginalLikelihood - 0.5);
  });

  it('fits from scratch when the data changed in place (not appended)', () => {
    const cache = new ModelCache();
    cache.fit(X, y);
    cache.fit(X, y.map((v) => v * 2));
    expect(cache.stats.coldFits).toBe(2);
  });

  it('keys data by exact values and shape', () => {
    expect(dataKey(X, y, 30)).toBe(dataKey(X.map((r) => [...r]), [...y], 30));
    expect(dataKey(X, y, 30)).not.toBe(dataKey(X, y, 29));
    const nudged = [...y];
    nudged[3] += 1e-12;
    expect(dataKey(X, nudged, 30)).not.toBe(dataKey(X, y, 30));
  });

  it('sends the large predictions of every model it returns (cold, warm-started, fantasized) through its runner', () => {
    const calls: number[] = [];
    const counting: PosteriorRunner = (model, query, mean, variance) => {
      calls.push(query.length / model.d);
      runPosteriorChunks(model, query, mean, variance);
    };
    const cache = new ModelCache(counting);
    const plain = fitGaussianProcess(X.slice(0, 27), y.slice(0, 27), { seed: 0 });
    const cold = cache.fit(X.slice(0, 27), y.slice(0, 27));
    const warm = cache.fit(X, y);
    const pool = Array.from({ length: 600 }, () => [rng.uniform(), rng.uniform()]);
    const viaRunner = cold.posterior(pool);
    expect(calls).toEqual([600]);
    // The runner computes the same numbers the model would on its own.
    expect(Array.from(viaRunner.mean)).toEqual(Array.from(plain.posterior(pool).mean));
    warm.posterior(pool);
    warm.fantasize([[0.5, 0.5]], [0.3]).posterior(pool);
    expect(calls).toEqual([600, 600, 600]);
    // Small queries take the direct path.
    warm.posterior(pool.slice(0, 10));
    expect(calls).toHaveLength(3);
  });
});
