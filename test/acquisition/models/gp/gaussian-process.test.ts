import { describe, expect, it } from 'vitest';
import { createGaussianProcess, fitGaussianProcess } from '../../../../acquisition/models/gp/index.js';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import { gaussianSolve, matern52, rbf, scaledDistance } from './dense-reference.js';

const identityStandardization = { offset: 0, scale: 1 };

describe('GP posterior, fixed hyperparameters', () => {
  it('matches the hand-computed 2-point RBF case', () => {
    // K = [[1.1, b], [b, 1.1]], b = e^{−1/2}; at x* = 0: k* = [1, b], y = [1, −1].
    const gp = createGaussianProcess([[0], [1]], [1, -1], {
      kernel: 'rbf', hyperparameters: { lengthscales: [1], signalVariance: 1, noiseVariance: 0.1 },
      standardization: identityStandardization,
    });
    const a = 1.1, b = Math.exp(-0.5), det = a * a - b * b;
    const alpha = [(a * 1 - b * -1) / det, (-b * 1 + a * -1) / det];
    const mean = alpha[0] + b * alpha[1];
    const variance = 1 - (a * 1 - 2 * b * b + a * b * b) / det;
    const { mean: m, variance: v } = gp.posterior([[0], [0.5]]);
    expect(m[0]).toBeCloseTo(mean, 12);
    expect(v[0]).toBeCloseTo(variance, 12);
    expect(m[0]).toBeCloseTo(0.79735, 4); // the same number written out: 2.02647 · (1 − 0.60653)
    expect(m[1]).toBeCloseTo(0, 12); // antisymmetric data, symmetric point
  });

  it('matches the closed form k*ᵀK⁻¹y, σ² − k*ᵀK⁻¹k* (Matern 5/2, 3 points in 2-D) in the units of y', () => {
    const X = [[0.1, 0.2], [0.5, 0.9], [0.8, 0.3]], y = [3, 5, 4];
    const lengthscales = [0.4, 0.7], signal = 2, noise = 0.01;
    const gp = createGaussianProcess(X, y, { hyperparameters: { lengthscales, signalVariance: signal, noiseVariance: noise } });
    const offset = 4; // mean of y; the prior mean is the training mean
    const K = X.map((a, i) => X.map((b, j) => signal * matern52(scaledDistance(a, b, lengthscales)) + (i === j ? noise : 0)));
    const alpha = gaussianSolve(K, y.map((v) => v - offset));
    const query = [[0.3, 0.5], [0.9, 0.9]];
    const { mean, variance } = gp.posterior(query);
    query.forEach((q, t) => {
      const k = X.map((a) => signal * matern52(scaledDistance(q, a, lengthscales)));
      const w = gaussianSolve(K, k);
      expect(mean[t]).toBeCloseTo(offset + k.reduce((s, v, i) => s + v * alpha[i], 0), 10);
      expect(variance[t]).toBeCloseTo(signal - k.reduce((s, v, i) => s + v * w[i], 0), 10);
    });
  });

  it('gives a joint covariance whose diagonal is the marginal variance and whose off-diagonal matches the closed form', () => {
    const X = [[0.1], [0.4], [0.9]], y = [1, 2, 0];
    const h = { lengthscales: [0.3], signalVariance: 1.5, noiseVariance: 0.02 };
    const gp = createGaussianProcess(X, y, { kernel: 'rbf', hyperparameters: h, standardization: identityStandardization });
    const query = [[0.2], [0.7]];
    const { covariance } = gp.posteriorCovariance(query);
    const marginal = gp.posterior(query).variance;
    expect(covariance[0]).toBeCloseTo(marginal[0], 12);
    expect(covariance[3]).toBeCloseTo(marginal[1], 12);
    const K = X.map((a, i) => X.map((b, j) => h.signalVariance * rbf(scaledDistance(a, b, h.lengthscales)) + (i === j ? h.noiseVariance : 0)));
    const k0 = X.map((a) => h.signalVariance * rbf(scaledDistance(query[0], a, h.lengthscales)));
    const k1 = X.map((a) => h.signalVariance * rbf(scaledDistance(query[1], a, h.lengthscales)));
    const w = gaussianSolve(K, k1);
    const expected = h.signalVariance * rbf(0.5 / 0.3) - k0.reduce((s, v, i) => s + v * w[i], 0);
    expect(covariance[1]).toBeCloseTo(expected, 12);
    expect(covariance[2]).toBeCloseTo(expected, 12);
  });

  it('predicts many points in chunks exactly like one at a time', () => {
    const rng = createRandom(3);
    const X = Array.from({ length: 30 }, () => [rng.uniform(), rng.uniform()]);
    const y = X.map((x) => Math.sin(5 * x[0]) * x[1]);
    const gp = createGaussianProcess(X, y, { hyperparameters: { lengthscales: [0.3, 0.5], signalVariance: 1, noiseVariance: 1e-4 } });
    const query = Array.from({ length: 700 }, () => [rng.uniform(), rng.uniform()]);
    const all = gp.posterior(query);
    for (const t of [0, 255, 256, 699]) {
      const one = gp.posterior([query[t]]);
      expect(all.mean[t]).toBeCloseTo(one.mean[0], 12);
      expect(all.variance[t]).toBeCloseTo(one.variance[0], 12);
    }
  });
});

describe('fantasize', () => {
  it('equals the GP built on the augmented data with the same hyperparameters and standardization', () => {
    const rng = createRandom(4);
    const X = Array.from({ length: 12 }, () => [rng.uniform(), rng.uniform(), rng.uniform()]);
    const y = X.map((x) => Math.cos(3 * x[0]) + x[1] ** 2 + 0.05 * rng.normal());
    const gp = fitGaussianProcess(X, y, { seed: 1, restarts: 1 });
    const extraX = [[0.5, 0.5, 0.5], [0.1, 0.9, 0.3], [0.95, 0.05, 0.6]], extraY = [1.2, 0.7, -0.3];
    const fantasy = gp.fantasize(extraX, extraY);
    const reference = createGaussianProcess([...X, ...extraX], [...y, ...extraY], {
      hyperparameters: gp.hyperparameters, standardization: gp.standardization,
    });
    const query = Array.from({ length: 20 }, () => [rng.uniform(), rng.uniform(), rng.uniform()]);
    const a = fantasy.posterior(query), b = reference.posterior(query);
    for (let t = 0; t < query.length; t++) {
      expect(a.mean[t]).toBeCloseTo(b.mean[t], 9);
      expect(a.variance[t]).toBeCloseTo(b.variance[t], 9);
    }
    expect(fantasy.trainingSize).toBe(15);
    expect(fantasy.logMarginalLikelihood).toBeCloseTo(reference.logMarginalLikelihood, 8);
    expect(fantasy.hyperparameters).toEqual(gp.hyperparameters);
  });

  it('shrinks the variance at a fantasized point to about the noise level', () => {
    const gp = createGaussianProcess([[0.2], [0.8]], [0, 1], { hyperparameters: { lengthscales: [0.2], signalVariance: 1, noiseVariance: 1e-6 } });
    const before = gp.posterior([[0.5]]).variance[0];
    const after = gp.fantasize([[0.5]], [0.5]).posterior([[0.5]]).variance[0];
    expect(before).toBeGreaterThan(0.1);
    expect(after).toBeLessThan(1e-5);
  });
});

describe('samplePosterior', () => {
  it('draws joint samples whose empirical mean and covariance match the posterior', () => {
    const gp = createGaussianProcess([[0.1], [0.3], [0.6], [0.9]], [0.5, 1, -0.5, 0], {
      hyperparameters: { lengthscales: [0.25], signalVariance: 1, noiseVariance: 0.01 },
    });
    const query = [[0.2], [0.45], [0.75]];
    const { mean, covariance } = gp.posteriorCovariance(query);
    const count = 20000;
    const draws = gp.samplePosterior(query, count, createRandom(5));
    expect(draws.length).toBe(count);
    const m = query.length;
    const empiricalMean = new Float64Array(m);
    for (const draw of draws) for (let i = 0; i < m; i++) empiricalMean[i] += draw[i] / count;
    for (let i = 0; i < m; i++) {
      expect(Math.abs(empiricalMean[i] - mean[i])).toBeLessThan(4 * Math.sqrt(covariance[i * m + i] / count));
      for (let j = 0; j < m; j++) {
        let c = 0;
        for (const draw of draws) c += (draw[i] - empiricalMean[i]) * (draw[j] - empiricalMean[j]);
        c /= count - 1;
        const scale = Math.sqrt(covariance[i * m + i] * covariance[j * m + j]);
        expect(Math.abs(c - covariance[i * m + j])).toBeLessThan(0.05 * scale);
      }
    }
  });

  it('is deterministic given the random source seed', () => {
    const gp = createGaussianProcess([[0.1], [0.9]], [0, 1], { hyperparameters: { lengthscales: [0.3], signalVariance: 1, noiseVariance: 0.01 } });
    const a = gp.samplePosterior([[0.5], [0.6]], 3, createRandom(9));
    const b = gp.samplePosterior([[0.5], [0.6]], 3, createRandom(9));
    expect(a).toEqual(b);
  });
});

describe('posteriorGradient', () => {
  it.each(['matern52', 'rbf'] as const)('matches central differences of the posterior mean and variance (%s)', (kernel) => {
    const rng = createRandom(6);
    const X = Array.from({ length: 15 }, () => [rng.uniform(), rng.uniform()]);
    const y = X.map((x) => Math.sin(4 * x[0]) + x[1]);
    const gp = createGaussianProcess(X, y, { kernel, hyperparameters: { lengthscales: [0.3, 0.6], signalVariance: 2, noiseVariance: 0.01 } });
    const x = [0.37, 0.61];
    const g = gp.posteriorGradient(x);
    const p = gp.posterior([x]);
    expect(g.mean).toBeCloseTo(p.mean[0], 12);
    expect(g.variance).toBeCloseTo(p.variance[0], 12);
    const h = 1e-6;
    for (let k = 0; k < 2; k++) {
      const up = [...x], down = [...x];
      up[k] += h;
      down[k] -= h;
      const pu = gp.posterior([up]), pd = gp.posterior([down]);
      expect(g.meanGradient[k]).toBeCloseTo((pu.mean[0] - pd.mean[0]) / (2 * h), 5);
      expect(g.varianceGradient[k]).toBeCloseTo((pu.variance[0] - pd.variance[0]) / (2 * h), 5);
    }
  });
});
