import { describe, expect, it } from 'vitest';
import { expectedImprovement } from '../../../acquisition/functions/expected-improvement.js';
import { logExpectedImprovement } from '../../../acquisition/functions/log-expected-improvement.js';
import {
  antitheticNormalSamples, logImprovementBound, logNoisyExpectedImprovement, NOISY_EI_SAMPLES, secondMomentNormBound,
} from '../../../acquisition/functions/noisy-expected-improvement.js';
import { createRandom } from '../../../acquisition/sampling/random.js';

describe('logNoisyExpectedImprovement', () => {
  it('is log EI when every draw has the same incumbent and no shift (a noiseless incumbent)', () => {
    for (const [mean, std, best] of [[0, 1, 0], [1, 2, 0.5], [-3, 0.5, 0.2], [-30, 1, 0]]) {
      const shifts = new Float64Array(8), bests = new Float64Array(8).fill(best);
      expect(logNoisyExpectedImprovement(mean, std, shifts, bests)).toBeCloseTo(logExpectedImprovement(mean, std, best), 12);
    }
  });

  it('is the log of the average EI over draws (hand-computed with two draws)', () => {
    const value = logNoisyExpectedImprovement(0.5, 1, [0.3, -0.3], [0, 1]);
    const average = (expectedImprovement(0.8, 1, 0) + expectedImprovement(0.2, 1, 1)) / 2;
    expect(value).toBeCloseTo(Math.log(average), 12);
  });

  it('stays finite where every per-draw EI underflows, and is strictly increasing in μ', () => {
    let previous = -Infinity;
    for (let mean = -60; mean <= 3; mean += 0.5) {
      const value = logNoisyExpectedImprovement(mean, 1, [0.2, -0.2, 0.1, -0.1], [0, 0.5, 0.3, 0.1]);
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeGreaterThan(previous);
      previous = value;
    }
    expect(logNoisyExpectedImprovement(0, 0, [0, 0], [1, 2])).toBe(-Infinity);
  });
});

describe('antitheticNormalSamples', () => {
  it('pairs each draw with its negative, is the same for the same seed, and has mean exactly 0', () => {
    const S = NOISY_EI_SAMPLES, m = 5;
    const a = antitheticNormalSamples(S, m, 7);
    expect(a).toEqual(antitheticNormalSamples(S, m, 7));
    expect(a).not.toEqual(antitheticNormalSamples(S, m, 8));
    for (let s = 0; s < S / 2; s++) for (let j = 0; j < m; j++) expect(a[(s + S / 2) * m + j]).toBe(-a[s * m + j]);
    for (let j = 0; j < m; j++) {
      let mean = 0, square = 0;
      for (let s = 0; s < S; s++) {
        mean += a[s * m + j];
        square += a[s * m + j] ** 2;
      }
      expect(Math.abs(mean)).toBeLessThan(1e-12);
      // Quasi-random normals: the second moment is near 1.
      expect(square / S).toBeGreaterThan(0.8);
      expect(square / S).toBeLessThan(1.3);
    }
    expect(() => antitheticNormalSamples(7, 2, 0)).toThrow(RangeError);
  });
});

describe('secondMomentNormBound', () => {
  /** λ_max of (1/S) Σ ε εᵀ by power iteration (from below). */
  function largestEigenvalue(samples: Float64Array, S: number, m: number): number {
    let v = new Float64Array(m).fill(1 / Math.sqrt(m));
    let lambda = 0;
    for (let iteration = 0; iteration < 2000; iteration++) {
      const w = new Float64Array(m);
      for (let s = 0; s < S; s++) {
        let dot = 0;
        for (let j = 0; j < m; j++) dot += samples[s * m + j] * v[j];
        for (let j = 0; j < m; j++) w[j] += (samples[s * m + j] * dot) / S;
      }
      lambda = Math.hypot(...w);
      v = w.map((x) => x / lambda);
    }
    return lambda;
  }

  it('lies above the largest eigenvalue, within the factor rank^(1/64) of it (both Gram sides)', () => {
    for (const [S, m] of [[16, 3], [16, 40], [128, 12]]) {
      const samples = antitheticNormalSamples(S, m, 3);
      const lambda = largestEigenvalue(samples, S, m);
      const bound = secondMomentNormBound(samples, S, m);
      expect(bound).toBeGreaterThanOrEqual(lambda * (1 - 1e-9));
      expect(bound).toBeLessThanOrEqual(lambda * Math.min(S, m) ** (1 / 64) * (1 + 1e-8));
    }
  });

  it('is exact for a diagonal second moment: draws ±(a, 0) and ±(0, b) give max(a², b²)/2', () => {
    const samples = Float64Array.from([3, 0, 0, 1, -3, 0, 0, -1]);
    expect(secondMomentNormBound(samples, 4, 2)).toBeGreaterThanOrEqual(4.5);
    expect(secondMomentNormBound(samples, 4, 2)).toBeLessThanOrEqual(4.5 * 2 ** (1 / 64) * (1 + 1e-8));
  });
});

describe('logImprovementBound (Scarf 1958)', () => {
  it('equals ½(√(V + Δ²) + Δ) (hand-computed) and log max(Δ, 0) without variance', () => {
    expect(logImprovementBound(1, 4, 1)).toBeCloseTo(Math.log(1), 14); // Δ = 0, V = 4: ½ · 2
    expect(logImprovementBound(4, 9, 0)).toBeCloseTo(Math.log(4.5), 14); // ½(5 + 4)
    expect(logImprovementBound(-4, 9, 0)).toBeCloseTo(Math.log(0.5), 14); // ½(5 − 4)
    expect(logImprovementBound(-1e9, 1, 0)).toBeCloseTo(Math.log(1 / 4e9), 9); // V/(4|Δ|), no cancellation
    expect(logImprovementBound(2, 0, 1)).toBe(0);
  });

  it('bounds EI of a normal, and the average EI over random Gaussian mixtures with that mean and variance', () => {
    const rng = createRandom(5);
    for (let trial = 0; trial < 200; trial++) {
      const mean = 4 * rng.normal(), best = rng.normal(), total = 0.01 + 4 * rng.uniform();
      expect(logImprovementBound(mean, total, best)).toBeGreaterThanOrEqual(logExpectedImprovement(mean, Math.sqrt(total), best));
      // A two-component mixture ±t around the mean with conditional variance total − t².
      const t = Math.sqrt(total) * rng.uniform();
      const mixture = (expectedImprovement(mean + t, Math.sqrt(total - t * t), best) + expectedImprovement(mean - t, Math.sqrt(total - t * t), best)) / 2;
      expect(logImprovementBound(mean, total, best)).toBeGreaterThanOrEqual(Math.log(mixture));
    }
  });
});
