import { describe, expect, it } from 'vitest';
import { crossValidationFolds } from '../../../acquisition/validation/folds.js';
import { crossValidateGaussianProcess, fitGaussianProcessOnSubsets, seededSubset } from '../../../acquisition/validation/gp-cross-validation.js';
import { predictiveScores } from '../../../acquisition/validation/metrics.js';

/** 15 evenly spaced points of a smooth function on [0, 1]. */
const X = Array.from({ length: 15 }, (_, i) => [i / 14]);
const y = X.map(([x]) => Math.sin(4 * x) + 0.5 * x);

describe('crossValidateGaussianProcess', () => {
  it('predicts held-out points of a smooth 1-D function well, with sensible coverage', () => {
    const folds = crossValidationFolds(15, { folds: 5, seed: 0 });
    const p = crossValidateGaussianProcess(X, y, folds, { seed: 0 });
    const scores = predictiveScores(y, p, folds.length);
    // y spans about 2.2; held-out predictions of a smooth function from 12 of 15 points are off by hundredths.
    expect(scores.rmse).toBeLessThan(0.05);
    expect(scores.r2).toBeGreaterThan(0.99);
    expect(scores.coverage2Sigma).toBeGreaterThanOrEqual(0.8);
    expect(p.std.every((s) => s > 0)).toBe(true);
  });

  it("does not let a held-out row's own value move its prediction (fixed hyperparameters)", () => {
    const folds = crossValidationFolds(15, { folds: 5, seed: 1 });
    const hyperparameters = fitGaussianProcessOnSubsets(X, y, { seed: 0 }).hyperparameters;
    const before = crossValidateGaussianProcess(X, y, folds, { hyperparameters });
    const row = folds[2][0];
    const changed = y.map((v, i) => (i === row ? v + 10 : v));
    const after = crossValidateGaussianProcess(X, changed, folds, { hyperparameters });
    expect(after.mean[row]).toBeCloseTo(before.mean[row], 12);
    expect(after.std[row]).toBeCloseTo(before.std[row], 12);
    // Rows of other folds trained on it and do move.
    const other = folds[0][0];
    expect(Math.abs(after.mean[other] - before.mean[other])).toBeGreaterThan(1e-3);
  });

  it("adds a row's known noise to its predictive std", () => {
    const folds = crossValidationFolds(15, { leaveOneOutUpTo: 15 });
    const noise = y.map((_, i) => (i === 7 ? 0.25 : 0));
    const p = crossValidateGaussianProcess(X, y, folds, { noise, seed: 0 });
    expect(p.std[7]).toBeGreaterThanOrEqual(0.5);
    expect(p.std[6]).toBeLessThan(0.3);
  });
});

describe('seededSubset', () => {
  it('keeps every row when there are few, else `size` distinct rows, ascending and seeded', () => {
    expect(seededSubset(4, 10, 0)).toEqual([0, 1, 2, 3]);
    const subset = seededSubset(100, 20, 3);
    expect(new Set(subset).size).toBe(20);
    expect(subset).toEqual([...subset].sort((a, b) => a - b));
    expect(subset.every((i) => i >= 0 && i < 100)).toBe(true);
    expect(seededSubset(100, 20, 3)).toEqual(subset);
    expect(seededSubset(100, 20, 4)).not.toEqual(subset);
  });
});
