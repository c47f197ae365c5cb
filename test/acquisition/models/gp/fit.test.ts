import { describe, expect, it } from 'vitest';
import { fitGaussianProcess, GaussianProcessInputError } from '../../../../acquisition/models/gp/index.js';
import { createRandom } from '../../../../acquisition/sampling/random.js';

/** n points in d dimensions, y = f(x) + noise, fixed seed. */
function dataset(n: number, d: number, f: (x: number[]) => number, noise: number, seed: number) {
  const rng = createRandom(seed);
  const X = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.uniform()));
  return { X, y: X.map((x) => f(x) + noise * rng.normal()) };
}

describe('fitGaussianProcess', () => {
  it('gives an irrelevant input dimension a much longer lengthscale than the relevant ones', () => {
    const { X, y } = dataset(40, 3, (x) => Math.sin(6 * x[0]) + 2 * x[1] * x[1], 0.02, 1);
    const gp = fitGaussianProcess(X, y, { seed: 1 });
    const [l0, l1, l2] = gp.hyperparameters.lengthscales;
    expect(l2).toBeGreaterThan(3);
    expect(l2).toBeGreaterThan(5 * l0); // sin(6x₀) wiggles: short
    expect(l2).toBeGreaterThan(2 * l1); // 2x₁² is smooth but matters: finite
  });

  it('recovers the noise level and interpolates the smooth signal (both kernels)', () => {
    const { X, y } = dataset(60, 2, (x) => 3 + Math.sin(5 * x[0]) * Math.cos(3 * x[1]), 0.1, 2);
    for (const kernel of ['matern52', 'rbf'] as const) {
      const gp = fitGaussianProcess(X, y, { kernel, seed: 2 });
      expect(gp.hyperparameters.noiseVariance).toBeGreaterThan(0.003);
      expect(gp.hyperparameters.noiseVariance).toBeLessThan(0.03);
      const probe = [[0.3, 0.3], [0.7, 0.2]];
      const { mean } = gp.posterior(probe);
      probe.forEach((p, i) => expect(Math.abs(mean[i] - (3 + Math.sin(5 * p[0]) * Math.cos(3 * p[1])))).toBeLessThan(0.15));
      expect(gp.trainingSize).toBe(60);
    }
  });

  it('is deterministic for a fixed seed', () => {
    const { X, y } = dataset(25, 2, (x) => x[0] - x[1], 0.1, 3);
    const a = fitGaussianProcess(X, y, { seed: 7, restarts: 3 });
    const b = fitGaussianProcess(X, y, { seed: 7, restarts: 3 });
    expect(a.hyperparameters).toEqual(b.hyperparameters);
    expect(a.logMarginalLikelihood).toBe(b.logMarginalLikelihood);
  });

  it('does not end worse than its warm start', () => {
    const { X, y } = dataset(30, 2, (x) => Math.exp(x[0]) * x[1], 0.05, 4);
    const first = fitGaussianProcess(X, y, { seed: 1 });
    const warm = fitGaussianProcess(X, y, { restarts: 0, warmStart: first.hyperparameters });
    expect(warm.logMarginalLikelihood).toBeGreaterThanOrEqual(first.logMarginalLikelihood - 1e-6);
  });

  it('keeps a fixed noise variance (original units) and scales variances with y', () => {
    const { X, y } = dataset(20, 1, (x) => Math.sin(6 * x[0]), 0.1, 5);
    const scaled = y.map((v) => 100 * v);
    const gp = fitGaussianProcess(X, scaled, { fixedNoise: 100 });
    expect(gp.hyperparameters.noiseVariance).toBeCloseTo(100, 8);
    const unit = fitGaussianProcess(X, y, { fixedNoise: 0.01 });
    expect(gp.hyperparameters.signalVariance / unit.hyperparameters.signalVariance).toBeCloseTo(1e4, 3);
    expect(gp.posterior([[0.5]]).mean[0] / unit.posterior([[0.5]]).mean[0]).toBeCloseTo(100, 6);
  });

  it('screens restarts on a subset for large n and still reaches the full multi-start optimum', () => {
    const { X, y } = dataset(130, 2, (x) => Math.sin(4 * x[0]) + x[1] ** 2, 0.05, 6);
    const screened = fitGaussianProcess(X, y, { seed: 3, restarts: 3, screeningSize: 40 });
    const full = fitGaussianProcess(X, y, { seed: 3, restarts: 3, screeningSize: 0 });
    expect(screened.fitSummary?.screeningEvaluations).toBeGreaterThan(0);
    expect(full.fitSummary?.screeningEvaluations).toBe(0);
    expect(screened.fitSummary!.evaluations).toBeLessThan(full.fitSummary!.evaluations);
    expect(screened.logMarginalLikelihood).toBeGreaterThan(full.logMarginalLikelihood - 0.5);
  });

  it('rejects malformed input with a typed error', () => {
    expect(() => fitGaussianProcess([], [])).toThrow(GaussianProcessInputError);
    expect(() => fitGaussianProcess([[0.1], [0.2]], [1])).toThrow(GaussianProcessInputError);
    expect(() => fitGaussianProcess([[0.1], [0.2, 0.3]], [1, 2])).toThrow(GaussianProcessInputError);
    expect(() => fitGaussianProcess([[0.1], [NaN]], [1, 2])).toThrow(GaussianProcessInputError);
    expect(() => fitGaussianProcess([[0.1]], [1], { kernel: 'linear' as never })).toThrow(GaussianProcessInputError);
  });

  it('handles a constant target and a single observation', () => {
    const constant = fitGaussianProcess([[0.1], [0.5], [0.9]], [2, 2, 2]);
    expect(constant.posterior([[0.3]]).mean[0]).toBeCloseTo(2, 6);
    const single = fitGaussianProcess([[0.5, 0.5]], [3]);
    expect(single.posterior([[0.5, 0.5]]).mean[0]).toBeCloseTo(3, 6);
  });
});
