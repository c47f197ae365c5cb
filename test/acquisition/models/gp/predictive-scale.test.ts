import { describe, expect, it } from 'vitest';
import { fitGaussianProcess, reportedPosterior, studentTVarianceFactor } from '../../../../acquisition/models/gp/index.js';
import { createRandom } from '../../../../acquisition/sampling/random.js';

/** n points in d dimensions, y = f(x) + noise, fixed seed. */
function dataset(n: number, d: number, f: (x: number[]) => number, noise: number, seed: number) {
  const rng = createRandom(seed);
  const X = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.uniform()));
  return { X, y: X.map((x) => f(x) + noise * rng.normal()) };
}

/** yᵀK⁻¹y for a Matérn-5/2 kernel with the given hyperparameters (original units, y centred on `offset`), by a dense Cholesky. */
function quadraticForm(X: number[][], y: number[], h: { lengthscales: number[]; signalVariance: number; noiseVariance: number }, offset: number, jitter: number): number {
  const n = X.length;
  const K = X.map((a) => X.map((b) => {
    const r = Math.sqrt(5 * a.reduce((s, v, k) => s + ((v - b[k]) / h.lengthscales[k]) ** 2, 0));
    return h.signalVariance * (1 + r + (r * r) / 3) * Math.exp(-r);
  }));
  for (let i = 0; i < n; i++) K[i][i] += h.noiseVariance + jitter;
  const L = K.map((row) => row.map(() => 0));
  for (let j = 0; j < n; j++) {
    L[j][j] = Math.sqrt(K[j][j] - L[j].slice(0, j).reduce((s, v) => s + v * v, 0));
    for (let i = j + 1; i < n; i++) L[i][j] = (K[i][j] - L[i].slice(0, j).reduce((s, v, k) => s + v * L[j][k], 0)) / L[j][j];
  }
  const z: number[] = [];
  for (let i = 0; i < n; i++) z.push((y[i] - offset - L[i].slice(0, i).reduce((s, v, k) => s + v * z[k], 0)) / L[i][i]);
  return z.reduce((s, v) => s + v * v, 0);
}

describe('Student-t predictive scale (marginalized covariance scale)', () => {
  it('the factor is s²·ν/(ν−2) with s² = q/(n−1), ν = n−1, held at ν ≥ 3', () => {
    // n = 13: ν = 12, s² = q/12, factor = q/12 · 12/10 = q/10.
    expect(studentTVarianceFactor(7, 13)).toBeCloseTo(0.7, 12);
    // n = 2: s² = q/1, ν held at 3 → ×3.
    expect(studentTVarianceFactor(2, 2)).toBeCloseTo(6, 12);
    // Large n: → q/n, the maximum-likelihood scale.
    expect(studentTVarianceFactor(1000, 1001)).toBeCloseTo(1000 / 998, 12);
  });

  it('keeps the plug-in mean and multiplies every variance by the factor of the plug-in fit', () => {
    const { X, y } = dataset(14, 2, (x) => Math.sin(6 * x[0]) + 0.5 * x[1] * x[1], 0.05, 3);
    const plugIn = fitGaussianProcess(X, y, { seed: 1, predictiveScale: 'plug-in' });
    const studentT = fitGaussianProcess(X, y, { seed: 1, predictiveScale: 'student-t' });
    const h = plugIn.hyperparameters;
    const jitter = plugIn.jitter * plugIn.standardization.scale ** 2;
    const factor = studentTVarianceFactor(quadraticForm(X, y, h, plugIn.standardization.offset, jitter), y.length);
    const queries = dataset(20, 2, () => 0, 0, 9).X;
    const a = plugIn.posterior(queries), b = studentT.posterior(queries);
    for (let i = 0; i < queries.length; i++) {
      expect(b.mean[i]).toBeCloseTo(a.mean[i], 9);
      expect(b.variance[i] / a.variance[i]).toBeCloseTo(factor, 6);
    }
    expect(studentT.hyperparameters.noiseVariance / h.noiseVariance).toBeCloseTo(factor, 6);
    expect(studentT.hyperparameters.lengthscales).toEqual(h.lengthscales);
  });

  it('a plug-in model reports what the Student-t model predicts, and ranks with its own variance', () => {
    const { X, y } = dataset(12, 2, (x) => Math.exp(-3 * x[0]) + x[1], 0.05, 8);
    const plugIn = fitGaussianProcess(X, y, { seed: 2 });
    const studentT = fitGaussianProcess(X, y, { seed: 2, predictiveScale: 'student-t' });
    const q = [[0.1, 0.9], [0.6, 0.4], [0.95, 0.05]];
    const reported = reportedPosterior(plugIn, q), t = studentT.posterior(q), ranked = plugIn.posterior(q);
    expect(studentT.fitSummary?.reportedVarianceFactor).toBe(1);
    expect(plugIn.fitSummary?.reportedVarianceFactor).not.toBe(1);
    for (let i = 0; i < q.length; i++) {
      expect(reported.variance[i]).toBeCloseTo(t.variance[i], 9);
      expect(reported.mean[i]).toBe(ranked.mean[i]);
      expect(reported.variance[i] / ranked.variance[i]).toBeCloseTo(plugIn.fitSummary!.reportedVarianceFactor, 9);
    }
  });

  it('does not depend on the units of y', () => {
    const { X, y } = dataset(10, 1, (x) => Math.cos(5 * x[0]), 0.1, 4);
    const a = fitGaussianProcess(X, y, { predictiveScale: 'student-t' });
    const b = fitGaussianProcess(X, y.map((v) => 1000 * v + 5), { predictiveScale: 'student-t' });
    const q = [[0.25], [0.8]];
    const va = a.posterior(q).variance, vb = b.posterior(q).variance;
    for (let i = 0; i < q.length; i++) expect(vb[i] / va[i]).toBeCloseTo(1e6, 3);
  });

  it('widens the predictions of data rougher than the fixed signal scale assumes', () => {
    // Under the priors σ_f² is fixed at 1 on standardized y; a few points of a rough function leave yᵀK⁻¹y/ν above 1.
    const { X, y } = dataset(8, 3, (x) => Math.sin(25 * x[0]) * Math.cos(17 * x[1]) + x[2], 0.01, 6);
    const plugIn = fitGaussianProcess(X, y, { predictiveScale: 'plug-in' });
    const studentT = fitGaussianProcess(X, y, { predictiveScale: 'student-t' });
    const q = [[0.5, 0.5, 0.5]];
    const ratio = studentT.posterior(q).variance[0] / plugIn.posterior(q).variance[0];
    const factor = studentTVarianceFactor(quadraticForm(X, y, plugIn.hyperparameters, plugIn.standardization.offset, plugIn.jitter * plugIn.standardization.scale ** 2), 8);
    expect(ratio).toBeCloseTo(factor, 6);
    expect(factor).toBeGreaterThan(7 / 5);
  });

  it('leaves a known noise alone', () => {
    const { X, y } = dataset(10, 1, (x) => x[0], 0.1, 5);
    const a = fitGaussianProcess(X, y, { fixedNoise: 0.01, predictiveScale: 'plug-in' });
    const b = fitGaussianProcess(X, y, { fixedNoise: 0.01, predictiveScale: 'student-t' });
    expect(b.posterior([[0.3]]).variance[0]).toBe(a.posterior([[0.3]]).variance[0]);
  });
});
