import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../acquisition/errors.js';
import { pairedComparison, pointLogDensities, predictiveScores } from '../../../acquisition/validation/metrics.js';

const predictions = (mean: number[], std: number[]) => ({ mean: Float64Array.from(mean), std: Float64Array.from(std) });

describe('pointLogDensities', () => {
  it('is log N(y; μ, σ²) per row', () => {
    const out = pointLogDensities([0, 1, 3], predictions([0, 0, 1], [1, 2, 0.5]));
    expect(out[0]).toBeCloseTo(-0.5 * Math.log(2 * Math.PI), 14);
    expect(out[1]).toBeCloseTo(-0.5 * Math.log(2 * Math.PI) - Math.log(2) - 1 / 8, 14);
    // z = (3 − 1)/0.5 = 4: −½ log 2π + log 2 − 8.
    expect(out[2]).toBeCloseTo(-0.5 * Math.log(2 * Math.PI) + Math.log(2) - 8, 14);
  });

  it('refuses a non-positive std or mismatched lengths', () => {
    expect(() => pointLogDensities([0], predictions([0], [0]))).toThrow(InvalidRequestError);
    expect(() => pointLogDensities([0, 1], predictions([0], [1]))).toThrow(InvalidRequestError);
  });
});

describe('predictiveScores', () => {
  it('gives hand-computed RMSE, R², coverage and sharpness', () => {
    // Residuals 0, 1, 3, 5 against σ 1, 1, 1, 2.5: within 1σ rows 0 and 1; within 2σ rows 0, 1 and 3 (5 ≤ 5).
    const y = [0, 1, 3, 5];
    const p = predictions([0, 0, 0, 0], [1, 1, 1, 2.5]);
    const scores = predictiveScores(y, p, 4);
    expect(scores.n).toBe(4);
    expect(scores.folds).toBe(4);
    expect(scores.rmse).toBeCloseTo(Math.sqrt(35 / 4), 14);
    // ȳ = 2.25, SST = 5.0625 + 1.5625 + 0.5625 + 7.5625 = 14.75.
    expect(scores.r2).toBeCloseTo(1 - 35 / 14.75, 14);
    expect(scores.coverage1Sigma).toBe(0.5);
    expect(scores.coverage2Sigma).toBe(0.75);
    expect(scores.meanStd).toBeCloseTo(1.375, 14);
    const densities = pointLogDensities(y, p);
    expect(scores.logDensity).toBeCloseTo(densities.reduce((a, b) => a + b, 0) / 4, 14);
  });

  it('gives R² NaN for constant y and 1 for exact predictions', () => {
    expect(predictiveScores([2, 2, 2], predictions([2, 2, 1], [1, 1, 1]), 3).r2).toBeNaN();
    expect(predictiveScores([1, 2, 3], predictions([1, 2, 3], [1, 1, 1]), 3).r2).toBe(1);
  });
});

describe('pairedComparison', () => {
  it('is the mean difference and its standard error s/√n (sample std)', () => {
    // d = 1, 2, 2, 3: mean 2, sample variance (1 + 0 + 0 + 1)/3 = 2/3, SE = √(2/3)/2.
    const c = pairedComparison([1, 2, 3, 4], Float64Array.from([0, 0, 1, 1]));
    expect(c.n).toBe(4);
    expect(c.meanDifference).toBeCloseTo(2, 14);
    expect(c.standardError).toBeCloseTo(Math.sqrt(2 / 3) / 2, 14);
  });

  it('has zero standard error for a constant difference, and refuses fewer than 2 pairs', () => {
    expect(pairedComparison([3, 4, 5], [1, 2, 3])).toEqual({ n: 3, meanDifference: 2, standardError: 0 });
    expect(() => pairedComparison([1], [0])).toThrow(InvalidRequestError);
    expect(() => pairedComparison([1, 2], [0])).toThrow(InvalidRequestError);
  });
});
