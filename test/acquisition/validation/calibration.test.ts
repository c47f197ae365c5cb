import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../acquisition/errors.js';
import { crossFittedCalibration } from '../../../acquisition/validation/calibration.js';

const predictions = (mean: number[], std: number[]) => ({ mean: Float64Array.from(mean), std: Float64Array.from(std) });

describe('crossFittedCalibration', () => {
  it('recovers a variance scale of 4 when every residual is 2σ, and doubles every fold\'s σ', () => {
    // y − μ = ±2σ on every row: z² = 4 everywhere, in every fold and its complement.
    const std = [0.5, 1, 2, 3, 0.1, 4];
    const y = std.map((s, i) => (i % 2 === 0 ? 2 * s : -2 * s));
    const { varianceScale, calibrated } = crossFittedCalibration(y, predictions([0, 0, 0, 0, 0, 0], std), [[0, 3], [1, 4], [2, 5]]);
    expect(varianceScale).toBeCloseTo(4, 12);
    calibrated.std.forEach((s, i) => expect(s).toBeCloseTo(2 * std[i], 12));
    expect(Array.from(calibrated.mean)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("rescales each fold by the other folds' residuals only", () => {
    // Fold A (rows 0, 1) has z² = 1, fold B (rows 2, 3) has z² = 9: overall s² = 5, A gets √9 = 3, B gets √1 = 1.
    const y = [1, -1, 3, -3];
    const { varianceScale, calibrated } = crossFittedCalibration(y, predictions([0, 0, 0, 0], [1, 1, 1, 1]), [[0, 1], [2, 3]]);
    expect(varianceScale).toBeCloseTo(5, 12);
    expect(Array.from(calibrated.std)).toEqual([3, 3, 1, 1].map((v) => expect.closeTo(v, 12)));
  });

  it('clamps the scale to [1e-2, 1e2]', () => {
    const exact = crossFittedCalibration([1, 2, 3], predictions([1, 2, 3], [1, 1, 1]), [[0], [1], [2]]);
    expect(exact.varianceScale).toBe(1e-2);
    expect(exact.calibrated.std[0]).toBeCloseTo(0.1, 12);
    const far = crossFittedCalibration([100, -100, 100], predictions([0, 0, 0], [1, 1, 1]), [[0], [1], [2]]);
    expect(far.varianceScale).toBe(1e2);
  });

  it('refuses folds that do not partition the rows', () => {
    const p = predictions([0, 0, 0], [1, 1, 1]);
    expect(() => crossFittedCalibration([0, 1, 2], p, [[0], [1]])).toThrow(InvalidRequestError);
    expect(() => crossFittedCalibration([0, 1, 2], p, [[0, 1], [1, 2]])).toThrow(InvalidRequestError);
    expect(() => crossFittedCalibration([0, 1, 2], p, [[0, 1, 2]])).toThrow(InvalidRequestError);
  });
});
