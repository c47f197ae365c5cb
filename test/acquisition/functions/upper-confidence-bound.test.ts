import { describe, expect, it } from 'vitest';
import { kandasamyBeta, lowerConfidenceBound, srinivasBeta, upperConfidenceBound } from '../../../acquisition/functions/upper-confidence-bound.js';
import { maxVarianceScore } from '../../../acquisition/functions/max-variance.js';
import { costAwareScore, logCostAwareScore } from '../../../acquisition/functions/cost-aware.js';

describe('upper confidence bound, max variance, cost-aware', () => {
  it('computes μ ± √β σ', () => {
    expect(upperConfidenceBound(1, 0.5)).toBe(2);
    expect(upperConfidenceBound(1, 0.5, 9)).toBe(2.5);
    expect(lowerConfidenceBound(1, 0.5, 9)).toBe(-0.5);
    expect(upperConfidenceBound(1, 0)).toBe(1);
  });

  it('sums variances of independent objectives', () => {
    expect(maxVarianceScore([0.5, 2])).toBe(4.25);
  });

  it('divides by cost^α, and its log form agrees', () => {
    expect(costAwareScore(8, 4, 0.5)).toBe(4);
    expect(logCostAwareScore(Math.log(8), Math.log(4), 0.5)).toBeCloseTo(Math.log(4), 14);
  });

  it('gives the β_t schedules by hand: Srinivas et al. Theorem 1 and the scaled Kandasamy et al. schedule', () => {
    // 2 log(|D| t² π² / (6δ)): |D| = 100, t = 10, δ = 0.1 → 2 log(164493.4…); |D| = t = 1 → 2 log(π²/0.6).
    expect(srinivasBeta(10, 100)).toBeCloseTo(24.021251534881948, 12);
    expect(srinivasBeta(1, 1)).toBeCloseTo(5.600570790929582, 12);
    expect(srinivasBeta(10, 100, 0.05)).toBeCloseTo(24.021251534881948 + 2 * Math.log(2), 12);
    // 0.2 d log(2t): d = 6, t = 10 → 1.2 log 20; d = 1, t = 1 → 0.2 log 2.
    expect(kandasamyBeta(10, 6)).toBeCloseTo(3.5948787282647894, 12);
    expect(kandasamyBeta(1, 1)).toBeCloseTo(0.13862943611198905, 12);
    // Both grow with t, like log t.
    expect(srinivasBeta(20, 100)).toBeGreaterThan(srinivasBeta(10, 100));
    expect(kandasamyBeta(20, 6)).toBeGreaterThan(kandasamyBeta(10, 6));
    expect(() => srinivasBeta(0, 100)).toThrow(RangeError);
    expect(() => kandasamyBeta(3, 0)).toThrow(RangeError);
  });
});
