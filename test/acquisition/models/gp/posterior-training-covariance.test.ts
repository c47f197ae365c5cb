import { describe, expect, it } from 'vitest';
import { baselinePosterior, createGaussianProcess } from '../../../../acquisition/models/gp/index.js';
import { createRandom } from '../../../../acquisition/sampling/random.js';

/** Random data in d dimensions and a GP with fixed hyperparameters (known noise on some rows). */
function problem(d: number, n: number, seed: number) {
  const rng = createRandom(seed);
  const X = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.uniform()));
  const y = X.map((x) => Math.sin(4 * x[0]) + x.reduce((s, v) => s + v * v, 0) + 0.1 * rng.normal());
  const knownNoise = X.map((_, i) => (i % 5 === 0 ? 0.05 : 0));
  const gp = createGaussianProcess(X, y, { hyperparameters: { lengthscales: Array.from({ length: d }, (_, k) => 0.3 + 0.2 * k), signalVariance: 2, noiseVariance: 0.04 }, knownNoise });
  return { gp, X, rng };
}

describe('baselinePosterior', () => {
  it('gives the blocks of the joint posterior covariance of [B; X] (B: training points, new points, after a fantasy)', () => {
    for (const [d, n, seed] of [[1, 6, 1], [3, 40, 2]]) {
      const { gp, X, rng } = problem(d, n, seed);
      const queries = Array.from({ length: 7 }, () => Array.from({ length: d }, () => rng.uniform()));
      const fantasy = gp.fantasize([queries[0]], [0.3]);
      for (const [model, B] of [[gp, X.slice(0, 5)], [gp, queries.slice(4)], [fantasy, [queries[0], X[1]]]] as const) {
        const baseline = baselinePosterior(model.posteriorModel(), [...B]);
        const joint = model.posteriorCovariance([...B, ...queries]);
        const m = B.length, size = m + queries.length;
        expect(baseline.size).toBe(m);
        for (let a = 0; a < m; a++) {
          expect(baseline.mean[a]).toBeCloseTo(joint.mean[a], 10);
          for (let b = 0; b < m; b++) expect(baseline.covariance[a * m + b]).toBeCloseTo(joint.covariance[a * size + b], 10);
        }
        const cross = baseline.crossCovariance(queries);
        for (let i = 0; i < queries.length; i++) {
          for (let b = 0; b < m; b++) expect(cross[i * m + b]).toBeCloseTo(joint.covariance[(m + i) * size + b], 10);
        }
      }
    }
  });

  it('is σ_n² k(x, x₀)/(σ_f² + σ_n²) with one training point (hand-computed), 0 without noise', () => {
    for (const noise of [0.5, 0]) {
      const gp = createGaussianProcess([[0.2]], [1], { kernel: 'rbf', hyperparameters: { lengthscales: [0.5], signalVariance: 2, noiseVariance: noise }, standardization: { offset: 0, scale: 1 } });
      const baseline = baselinePosterior(gp.posteriorModel(), [[0.2]]);
      const k = 2 * Math.exp(-0.5 * ((0.6 - 0.2) / 0.5) ** 2);
      expect(baseline.crossCovariance([[0.6]])[0]).toBeCloseTo((noise * k) / (2 + noise), 12);
      expect(baseline.covariance[0]).toBeCloseTo((2 * noise) / (2 + noise), 12);
      expect(baseline.mean[0]).toBeCloseTo(2 / (2 + noise), 12);
    }
  });

  it('computes each query row on its own: a row reads the same alone and among others', () => {
    const { gp, X, rng } = problem(2, 30, 3);
    const baseline = baselinePosterior(gp.posteriorModel(), X.slice(0, 4));
    const queries = Array.from({ length: 9 }, () => [rng.uniform(), rng.uniform()]);
    const all = baseline.crossCovariance(queries);
    expect(Array.from(baseline.crossCovariance([queries[5]]))).toEqual(Array.from(all.subarray(5 * 4, 6 * 4)));
  });
});
