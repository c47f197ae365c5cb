import { describe, expect, it } from 'vitest';
import { createGaussianProcess } from '../../../../acquisition/models/gp/index.js';
import { createRandom } from '../../../../acquisition/sampling/random.js';

/** Random data in d dimensions and a GP with fixed hyperparameters on it. */
function problem(d: number, n: number, noise: number, seed: number, knownNoise?: number[]) {
  const rng = createRandom(seed);
  const X = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.uniform()));
  const y = X.map((x) => Math.sin(4 * x[0]) + x.reduce((s, v) => s + v * v, 0) + 0.05 * rng.normal());
  const lengthscales = Array.from({ length: d }, (_, k) => 0.2 + 0.3 * k);
  const gp = createGaussianProcess(X, y, { hyperparameters: { lengthscales, signalVariance: 2, noiseVariance: noise }, knownNoise });
  // Queries: random points, training points themselves (smallest variances) and far-away ones.
  const Q = Array.from({ length: 700 }, () => Array.from({ length: d }, () => rng.uniform() * 1.4 - 0.2)).concat(X.slice(0, 50));
  return { gp, Q, rng };
}

describe('GP posterior bound', () => {
  it('gives the exact posterior mean (same numbers) and a variance bound between the exact variance and the prior', () => {
    for (const [d, n, noise, seed] of [[1, 30, 1e-4, 1], [3, 200, 0.01, 2], [5, 400, 1e-8, 3], [2, 120, 0.3, 4]]) {
      const { gp, Q } = problem(d, n, noise, seed);
      const exact = gp.posterior(Q);
      const { mean, varianceUpper } = gp.posteriorBound(Q);
      expect(Array.from(mean)).toEqual(Array.from(exact.mean));
      for (let i = 0; i < Q.length; i++) {
        expect(varianceUpper[i]).toBeGreaterThanOrEqual(exact.variance[i]);
        expect(varianceUpper[i]).toBeLessThanOrEqual(gp.hyperparameters.signalVariance * (1 + 1e-12));
      }
      // The tight bound (more neighbours) lies between the exact variance and the plain bound.
      const tight = gp.posteriorBound(Q, true);
      expect(Array.from(tight.mean)).toEqual(Array.from(exact.mean));
      for (let i = 0; i < Q.length; i++) {
        expect(tight.varianceUpper[i]).toBeGreaterThanOrEqual(exact.variance[i]);
        expect(tight.varianceUpper[i]).toBeLessThanOrEqual(varianceUpper[i] * (1 + 1e-9));
      }
      // Informative: well below the prior next to the data.
      const last = Q.length - 1;
      expect(varianceUpper[last]).toBeLessThan(0.5 * gp.hyperparameters.signalVariance);
    }
  });

  it('stays a bound for a fantasized model and with known noise', () => {
    const knownNoise = Array.from({ length: 150 }, (_, i) => (i % 3 === 0 ? 0.2 : 0));
    const { gp, Q, rng } = problem(2, 150, 1e-3, 7, knownNoise);
    const extra = Array.from({ length: 6 }, () => [rng.uniform(), rng.uniform()]);
    for (const model of [gp, gp.fantasize(extra, Array.from(gp.posterior(extra).mean))]) {
      const exact = model.posterior(Q);
      for (const tight of [false, true]) {
        const bound = model.posteriorBound(Q, tight);
        expect(Array.from(bound.mean)).toEqual(Array.from(exact.mean));
        for (let i = 0; i < Q.length; i++) expect(bound.varianceUpper[i]).toBeGreaterThanOrEqual(exact.variance[i]);
      }
    }
  });
});
