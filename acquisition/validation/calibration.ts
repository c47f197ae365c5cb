/** Variance calibration of held-out predictions, cross-fitted so that the calibrated scores stay honest. */
import { InvalidRequestError } from '../errors.js';
import type { HeldOutPredictions } from './types.js';

/** Bounds of the variance scale: a model off by more than 10× in σ is not rescued by calibration. */
export const VARIANCE_SCALE_BOUNDS: readonly [number, number] = [1e-2, 1e2];

/** s² = (sum of z²) / count, clamped to VARIANCE_SCALE_BOUNDS. */
function clampedScale(sum: number, count: number): number {
  return Math.min(VARIANCE_SCALE_BOUNDS[1], Math.max(VARIANCE_SCALE_BOUNDS[0], sum / count));
}

/**
 * Variance scaling from standardized residuals z_i = (y_i − μ_i)/σ_i (Kuleshov et al. 2018 in its simplest, one-parameter
 * form): varianceScale = s² = mean z² over all rows, the final model's factor on its predictive variance. The held-out
 * predictions are calibrated by cross-fitting: each fold's σ is multiplied by √s² of the OTHER folds' rows, so no row's
 * own residual sets its own calibration and the calibrated scores remain out-of-sample. `folds` must partition the rows.
 */
export function crossFittedCalibration(
  y: ArrayLike<number>, predictions: HeldOutPredictions, folds: readonly (readonly number[])[],
): { varianceScale: number; calibrated: HeldOutPredictions } {
  const n = y.length;
  if (predictions.mean.length !== n || predictions.std.length !== n) {
    throw new InvalidRequestError(`${n} values but ${predictions.mean.length} means and ${predictions.std.length} stds`);
  }
  const seen = new Uint8Array(n);
  for (const fold of folds) {
    for (const i of fold) {
      if (!Number.isInteger(i) || i < 0 || i >= n || seen[i] === 1) throw new InvalidRequestError(`folds must partition the ${n} rows; row ${i} is out of range or repeated`);
      seen[i] = 1;
    }
  }
  if (seen.includes(0) || folds.some((fold) => fold.length === n)) {
    throw new InvalidRequestError(`folds must hold out every one of the ${n} rows once, and each fold must leave other rows to calibrate on`);
  }
  const z2 = Float64Array.from({ length: n }, (_, i) => {
    const s = predictions.std[i];
    if (!(s > 0) || !Number.isFinite(s)) throw new InvalidRequestError(`predictive std of row ${i} is ${s}; it must be finite and positive`, { row: i });
    return ((y[i] - predictions.mean[i]) / s) ** 2;
  });
  const total = z2.reduce((a, b) => a + b, 0);
  const std = new Float64Array(n);
  for (const fold of folds) {
    const own = fold.reduce((a, i) => a + z2[i], 0);
    const factor = Math.sqrt(clampedScale(total - own, n - fold.length));
    for (const i of fold) std[i] = predictions.std[i] * factor;
  }
  return { varianceScale: clampedScale(total, n), calibrated: { mean: Float64Array.from(predictions.mean), std } };
}
