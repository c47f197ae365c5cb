import { describe, expect, it } from 'vitest';
import { fitGaussianProcess } from '../../../acquisition/models/gp/index.js';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { dataKey, ModelCache } from '../../../backend/workers/model-cache.js';

const rng = createRandom(8);
const X = Array.from({ length: 20 }, () => [rng.uniform(), rng.uniform()]);
const y = X.map(([a, b]) => Math.cos(4 * a) + b);
const noise = y.map((_, i) => (i % 3 === 0 ? 0.2 : 0));

describe('ModelCache with known noise', () => {
  it('keys data with known noise apart from the same data without, and fits with the noise', () => {
    expect(dataKey(X, y, y.length)).not.toBe(dataKey(X, y, y.length, noise));
    expect(dataKey(X, y, y.length, noise)).not.toBe(dataKey(X, y, y.length, noise.map((v) => 2 * v)));
    const cache = new ModelCache();
    const plain = cache.factory(X, y, 0);
    const noisy = cache.factory(X, y, 0, noise);
    expect(noisy).not.toBe(plain);
    expect(cache.factory(X, y, 0, [...noise])).toBe(noisy);
    expect(cache.stats.hits).toBe(1);
    const probe = [[0.3, 0.6]];
    expect(noisy.posterior(probe)).toEqual(fitGaussianProcess(X, y, { seed: 0, knownNoise: noise }).posterior(probe));
  });
});
