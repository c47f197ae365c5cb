/**
 * The trainer's held-out scoring, now acquisition/validation's (moved from the trainer's own cross-validation module,
 * whose cases are kept here): hand-checked metrics, the coverage of a calibrated Gaussian predictor, and folds that
 * hold out every row once.
 */
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../acquisition/errors.js';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { crossValidationFolds, predictiveScores, trainingRows } from '../../../acquisition/validation/index.js';

describe('held-out scores of the trainer', () => {
  it('computes RMSE, R² and coverage of a hand-checked case', () => {
    // residuals 1, −1, 0.5, −3 against σ = 1: within 1σ: 3 of 4, within 2σ: 3 of 4.
    const m = predictiveScores([1, 2, 3, 4], { mean: Float64Array.from([0, 3, 2.5, 7]), std: Float64Array.from([1, 1, 1, 1]) }, 1);
    expect(m.rmse).toBeCloseTo(Math.sqrt((1 + 1 + 0.25 + 9) / 4), 12);
    expect(m.r2).toBeCloseTo(1 - 11.25 / 5, 12);
    expect(m.coverage1Sigma).toBe(0.75);
    expect(m.coverage2Sigma).toBe(0.75);
    expect(m.meanStd).toBe(1);
  });

  it('a calibrated Gaussian predictor covers about 68% and 95% of held-out points', () => {
    const random = createRandom(3);
    const n = 4000;
    const x = Array.from({ length: n }, (_, i) => i / n);
    const y = x.map((v) => 2 * v + 0.3 * random.normal());
    const folds = crossValidationFolds(n, { folds: 5, seed: 1 });
    const mean = new Float64Array(n);
    const std = new Float64Array(n);
    for (const fold of folds) {
      for (const i of fold) {
        mean[i] = 2 * x[i];
        std[i] = 0.3;
      }
    }
    const metrics = predictiveScores(y, { mean, std }, folds.length);
    expect(metrics.folds).toBe(5);
    expect(metrics.n).toBe(4000);
    expect(metrics.coverage1Sigma).toBeCloseTo(0.683, 1);
    expect(metrics.coverage2Sigma).toBeCloseTo(0.954, 1);
    expect(metrics.rmse).toBeCloseTo(0.3, 1);
    // log N(ε; 0, 0.3²) averages −½ log(2π·0.09) − ½.
    expect(metrics.logDensity).toBeCloseTo(-0.5 * Math.log(2 * Math.PI * 0.09) - 0.5, 1);
  });

  it('every row is held out exactly once, in folds whose sizes differ by at most one', () => {
    const folds = crossValidationFolds(11, { folds: 3 });
    const sizes = folds.map((fold) => fold.length);
    for (const fold of folds) expect(trainingRows(11, fold).length + fold.length).toBe(11);
    expect(folds.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 11 }, (_, i) => i));
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(() => crossValidationFolds(1)).toThrow(InvalidRequestError);
  });
});
