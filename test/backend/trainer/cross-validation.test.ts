import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { crossValidate, regressionMetrics } from '../../../backend/trainer/cross-validation.js';
import { TrainingDataError } from '../../../backend/trainer/errors.js';

describe('cross-validation metrics', () => {
  it('computes RMSE, R² and coverage of a hand-checked case', () => {
    // residuals 1, −1, 0.5, −3 against σ = 1: within 1σ: 3 of 4, within 2σ: 3 of 4.
    const m = regressionMetrics([1, 2, 3, 4], [0, 3, 2.5, 7], [1, 1, 1, 1]);
    expect(m.rmse).toBeCloseTo(Math.sqrt((1 + 1 + 0.25 + 9) / 4), 12);
    expect(m.r2).toBeCloseTo(1 - 11.25 / 5, 12);
    expect(m.coverage1Sigma).toBe(0.75);
    expect(m.coverage2Sigma).toBe(0.75);
    expect(m.meanStd).toBe(1);
  });

  it('a calibrated Gaussian predictor covers about 68% and 95% of held-out points', () => {
    const random = createRandom(3);
    const X = Array.from({ length: 4000 }, (_, i) => [i / 4000]);
    const y = X.map(([x]) => 2 * x + 0.3 * random.normal());
    const metrics = crossValidate(X, y, (_trainX, _trainY, testX) => ({ mean: testX.map(([x]) => 2 * x), std: testX.map(() => 0.3) }), 5, 1);
    expect(metrics.folds).toBe(5);
    expect(metrics.n).toBe(4000);
    expect(metrics.coverage1Sigma).toBeCloseTo(0.683, 1);
    expect(metrics.coverage2Sigma).toBeCloseTo(0.954, 1);
    expect(metrics.rmse).toBeCloseTo(0.3, 1);
  });

  it('every row is held out exactly once, in folds whose sizes differ by at most one', () => {
    const seen: number[] = [];
    const sizes: number[] = [];
    const X = Array.from({ length: 11 }, (_, i) => [i]);
    crossValidate(X, X.map(([i]) => i), (trainX, _y, testX) => {
      expect(trainX.length + testX.length).toBe(11);
      sizes.push(testX.length);
      seen.push(...testX.map(([i]) => i));
      return { mean: testX.map(() => 0), std: testX.map(() => 1) };
    }, 3);
    expect(seen.sort((a, b) => a - b)).toEqual(X.map(([i]) => i));
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(() => crossValidate([[0]], [1], () => ({ mean: [0], std: [1] }))).toThrow(TrainingDataError);
  });
});
