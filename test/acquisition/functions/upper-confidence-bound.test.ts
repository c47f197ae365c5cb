import { describe, expect, it } from 'vitest';
import { lowerConfidenceBound, upperConfidenceBound } from '../../../acquisition/functions/upper-confidence-bound.js';
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
});
