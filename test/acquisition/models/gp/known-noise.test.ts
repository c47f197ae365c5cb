import { describe, expect, it } from 'vitest';
import { createGaussianProcess, fitGaussianProcess, GaussianProcessInputError } from '../../../../acquisition/models/gp/index.js';
import { logMarginalLikelihood } from '../../../../acquisition/models/gp/marginal-likelihood.js';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import { gaussianSolve, logDeterminant, rbf, scaledDistance } from './dense-reference.js';

/** Known per-point noise s_i² on the GP's diagonal: K + diag(σ_n² + s_i²). */

const LOG_2PI = Math.log(2 * Math.PI);

describe('known per-point noise: closed forms', () => {
  // Two points in 1-D, RBF, hyperparameters and known noise in the original units of y, a non-trivial standardization.
  const X = [[0], [0.3]];
  const y = [3, 0.5];
  const ell = 0.5, signal = 1.5, noise = 0.1, known = [0.8, 0];
  const standardization = { offset: 1, scale: 2 };
  const gp = createGaussianProcess(X, y, {
    kernel: 'rbf', hyperparameters: { lengthscales: [ell], signalVariance: signal, noiseVariance: noise }, standardization, knownNoise: known,
  });
  const k12 = signal * Math.exp(-0.5 * (0.3 / ell) ** 2);
  const a = signal + noise + known[0], d = signal + noise + known[1], det = a * d - k12 * k12;
  const r = [y[0] - 1, y[1] - 1];
  // K⁻¹ = [[d, −k12], [−k12, a]] / det
  const alpha = [(d * r[0] - k12 * r[1]) / det, (-k12 * r[0] + a * r[1]) / det];

  it('has the log marginal likelihood −½ rᵀK⁻¹r − ½ log|K| − log 2π of the 2 x 2 case, in the units of y', () => {
    const expected = -0.5 * (r[0] * alpha[0] + r[1] * alpha[1]) - 0.5 * Math.log(det) - LOG_2PI;
    expect(gp.logMarginalLikelihood).toBeCloseTo(expected, 12);
  });

  it('has the posterior mean offset + k*ᵀK⁻¹r and variance σ_f² − k*ᵀK⁻¹k* of the 2 x 2 case', () => {
    const xs = 0.6;
    const ks = [signal * Math.exp(-0.5 * (xs / ell) ** 2), signal * Math.exp(-0.5 * ((xs - 0.3) / ell) ** 2)];
    const w = [(d * ks[0] - k12 * ks[1]) / det, (-k12 * ks[0] + a * ks[1]) / det];
    const post = gp.posterior([[xs]]);
    expect(post.mean[0]).toBeCloseTo(1 + ks[0] * alpha[0] + ks[1] * alpha[1], 12);
    expect(post.variance[0]).toBeCloseTo(signal - ks[0] * w[0] - ks[1] * w[1], 12);
  });

  it('treats two replicates with known noise like one point at their precision-weighted mean', () => {
    // At one x, values y1, y2 with total noise v1, v2 inform f like one value (y1/v1 + y2/v2)/(1/v1 + 1/v2) with
    // variance 1/(1/v1 + 1/v2): the Gaussian likelihoods multiply.
    const hyper = { lengthscales: [0.4], signalVariance: 2, noiseVariance: 0.05 };
    const s1 = 0.3, s2 = 1.2, v1 = hyper.noiseVariance + s1, v2 = hyper.noiseVariance + s2;
    const pooled = (2 / v1 + 1 / v2) / (1 / v1 + 1 / v2), pooledVariance = 1 / (1 / v1 + 1 / v2);
    const options = { kernel: 'rbf' as const, standardization: { offset: 0, scale: 1 } };
    const replicated = createGaussianProcess([[0.2], [0.2], [0.9]], [2, 1, -1], { ...options, hyperparameters: hyper, knownNoise: [s1, s2, 0] });
    const single = createGaussianProcess([[0.2], [0.9]], [pooled, -1], {
      ...options, hyperparameters: hyper, knownNoise: [pooledVariance - hyper.noiseVariance, 0],
    });
    const query = [[0], [0.2], [0.5], [1]];
    const p = replicated.posterior(query), q = single.posterior(query);
    for (let i = 0; i < query.length; i++) {
      expect(p.mean[i]).toBeCloseTo(q.mean[i], 10);
      expect(p.variance[i]).toBeCloseTo(q.variance[i], 10);
    }
  });
});

describe('known per-point noise: marginal likelihood', () => {
  const rng = createRandom(3);
  const n = 14, dim = 2;
  const rows = Array.from({ length: n }, () => Array.from({ length: dim }, () => rng.uniform()));
  const y = rows.map((row) => Math.sin(3 * row[0]) + row[1] + 0.1 * rng.normal());
  const knownNoise = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : 0.05 + 0.5 * rng.uniform()));
  const data = { x: Float64Array.from(rows.flat()), y: Float64Array.from(y), n, d: dim, knownNoise };
  const logParams = [Math.log(0.35), Math.log(0.8), Math.log(1.4), Math.log(0.03)];

  it('equals the dense formula with diag(σ_n² + s_i²)', () => {
    const lengthscales = [0.35, 0.8], signal = 1.4, noise = 0.03;
    const K = rows.map((p, i) => rows.map((q, j) => signal * rbf(scaledDistance(p, q, lengthscales)) + (i === j ? noise + knownNoise[i] : 0)));
    const alpha = gaussianSolve(K, y);
    const expected = -0.5 * y.reduce((s, v, i) => s + v * alpha[i], 0) - 0.5 * logDeterminant(K) - (n / 2) * LOG_2PI;
    expect(logMarginalLikelihood('rbf', data, logParams).value).toBeCloseTo(expected, 9);
  });

  it.each(['rbf', 'matern52'] as const)('has an analytic gradient equal to central differences (%s)', (kernel) => {
    const { gradient } = logMarginalLikelihood(kernel, data, logParams);
    const h = 1e-5;
    for (let i = 0; i < logParams.length; i++) {
      const up = [...logParams], down = [...logParams];
      up[i] += h;
      down[i] -= h;
      const numeric = (logMarginalLikelihood(kernel, data, up).value - logMarginalLikelihood(kernel, data, down).value) / (2 * h);
      expect(Math.abs(gradient[i] - numeric)).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
    }
  });
});

describe('known per-point noise: behaviour', () => {
  const hyper = { lengthscales: [0.3], signalVariance: 1, noiseVariance: 0.01 };
  const options = { kernel: 'matern52' as const, hyperparameters: hyper, standardization: { offset: 0, scale: 1 } };

  it('a point pulls the posterior mean less the larger its known noise (monotone in s²)', () => {
    const pulls = [0, 0.01, 0.1, 1, 10, 100].map((s2) => {
      const gp = createGaussianProcess([[0.5], [0.95]], [2, 0], { ...options, knownNoise: [s2, 0] });
      return gp.posterior([[0.5]]).mean[0];
    });
    for (let i = 1; i < pulls.length; i++) expect(pulls[i]).toBeLessThan(pulls[i - 1]);
    expect(pulls[0]).toBeGreaterThan(1.9);
    expect(pulls[pulls.length - 1]).toBeLessThan(0.05);
  });

  it('of two equal and opposite values, the precise one wins where both are equally near', () => {
    const gp = createGaussianProcess([[0.3], [0.7]], [1, -1], { ...options, knownNoise: [0, 5] });
    expect(gp.posterior([[0.5]]).mean[0]).toBeGreaterThan(0.1);
  });

  it('gives a posterior gradient equal to central differences of the posterior', () => {
    const gp = createGaussianProcess([[0.1], [0.4], [0.45], [0.8]], [0.3, 1, 0.2, -0.5], { ...options, knownNoise: [0, 0.4, 2, 0.1] });
    const x = 0.52, h = 1e-6;
    const g = gp.posteriorGradient([x]);
    const up = gp.posterior([[x + h]]), down = gp.posterior([[x - h]]);
    expect(g.meanGradient[0]).toBeCloseTo((up.mean[0] - down.mean[0]) / (2 * h), 6);
    expect(g.varianceGradient[0]).toBeCloseTo((up.variance[0] - down.variance[0]) / (2 * h), 6);
    expect(g.mean).toBeCloseTo(gp.posterior([[x]]).mean[0], 12);
  });

  it('fantasizes new points without known noise: equal to the GP built with s² = 0 there', () => {
    const X = [[0.1], [0.5], [0.9]], y = [0.2, 1.1, -0.4], known = [0.3, 0, 1.5];
    const standardization = { offset: 0.2, scale: 0.7 };
    const gp = createGaussianProcess(X, y, { ...options, standardization, knownNoise: known });
    const fantasized = gp.fantasize([[0.3], [0.7]], [0.8, 0.1]);
    const direct = createGaussianProcess([...X, [0.3], [0.7]], [...y, 0.8, 0.1], { ...options, standardization, knownNoise: [...known, 0, 0] });
    const query = [[0], [0.3], [0.6], [1]];
    const p = fantasized.posterior(query), q = direct.posterior(query);
    for (let i = 0; i < query.length; i++) {
      expect(p.mean[i]).toBeCloseTo(q.mean[i], 10);
      expect(p.variance[i]).toBeCloseTo(q.variance[i], 10);
    }
  });

  it('refuses known noise of the wrong length or a negative or non-finite variance', () => {
    for (const knownNoise of [[0.1], [0.1, -1], [0.1, Number.NaN]]) {
      expect(() => createGaussianProcess([[0.1], [0.5]], [0, 1], { ...options, knownNoise })).toThrow(GaussianProcessInputError);
      expect(() => fitGaussianProcess([[0.1], [0.5]], [0, 1], { knownNoise })).toThrow(GaussianProcessInputError);
    }
  });
});

describe('known per-point noise: fitting', () => {
  const rng = createRandom(11);
  const X = Array.from({ length: 24 }, () => [rng.uniform(), rng.uniform()]);
  const y = X.map(([a, b]) => Math.sin(5 * a) + 0.5 * b + 0.05 * rng.normal());

  it('is bit-identical without known noise, with it absent or all 0', () => {
    const plain = fitGaussianProcess(X, y, { seed: 2 });
    const zeros = fitGaussianProcess(X, y, { seed: 2, knownNoise: new Array(y.length).fill(0) });
    expect(zeros.hyperparameters).toEqual(plain.hyperparameters);
    expect(zeros.logMarginalLikelihood).toBe(plain.logMarginalLikelihood);
    const query = X.map(([a, b]) => [1 - a, b]);
    expect(zeros.posterior(query)).toEqual(plain.posterior(query));
  });

  it('builds the same posterior as createGaussianProcess with the fitted hyperparameters and the known noise', () => {
    const knownNoise = y.map((_, i) => (i % 2 === 0 ? 0.5 : 0));
    const fitted = fitGaussianProcess(X, y, { seed: 0, knownNoise });
    const rebuilt = createGaussianProcess(X, y, { hyperparameters: fitted.hyperparameters, standardization: fitted.standardization, knownNoise });
    const query = [[0.2, 0.3], [0.8, 0.1]];
    const p = fitted.posterior(query), q = rebuilt.posterior(query);
    for (let i = 0; i < query.length; i++) expect(p.mean[i]).toBeCloseTo(q.mean[i], 10);
    expect(fitted.logMarginalLikelihood).toBeCloseTo(rebuilt.logMarginalLikelihood, 8);
  });

  it('fits the noise hyperparameter on top of known noise: large known noise leaves less to the fitted σ_n²', () => {
    // Values with real scatter: the fitted noise explains it when nothing is known, and much less once the known
    // per-point variance accounts for it.
    const noisyY = X.map(([a], i) => Math.sin(5 * a) + (i % 2 === 0 ? 0.6 : -0.6));
    // Maximum likelihood (priors: null): the noise prior's pull would otherwise set a floor under both fits.
    const unknown = fitGaussianProcess(X, noisyY, { seed: 0, priors: null });
    const explained = fitGaussianProcess(X, noisyY, { seed: 0, priors: null, knownNoise: noisyY.map(() => 0.36) });
    expect(explained.hyperparameters.noiseVariance).toBeLessThan(0.5 * unknown.hyperparameters.noiseVariance);
  });

  it('screens on subsets with the known noise of the subset', () => {
    const knownNoise = y.map((_, i) => 0.01 * (i % 4));
    const gp = fitGaussianProcess(X, y, { seed: 1, knownNoise, screeningSize: 6 });
    expect(gp.fitSummary?.screeningEvaluations).toBeGreaterThan(0);
    expect(Number.isFinite(gp.logMarginalLikelihood)).toBe(true);
  });
});
