/** Scores of held-out Gaussian predictions (log density, RMSE, R², coverage) and paired comparisons of two models. */
import { InvalidRequestError } from '../errors.js';
import type { HeldOutPredictions, PairedComparison, PredictiveScores } from './types.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Throws unless predictions match y in length and every std is finite and positive. */
function checkPredictions(y: ArrayLike<number>, predictions: HeldOutPredictions): void {
  const n = y.length;
  if (predictions.mean.length !== n || predictions.std.length !== n) {
    throw new InvalidRequestError(`${n} values but ${predictions.mean.length} means and ${predictions.std.length} stds`);
  }
  for (let i = 0; i < n; i++) {
    const s = predictions.std[i];
    if (!(s > 0) || !Number.isFinite(s)) throw new InvalidRequestError(`predictive std of row ${i} is ${s}; it must be finite and positive`, { row: i });
  }
}

/** Per-row Gaussian log predictive density: log N(y_i; μ_i, σ_i²) = −½ log 2π − log σ_i − (y_i − μ_i)² / (2σ_i²). */
export function pointLogDensities(y: ArrayLike<number>, predictions: HeldOutPredictions): Float64Array {
  checkPredictions(y, predictions);
  return Float64Array.from({ length: y.length }, (_, i) => {
    const z = (y[i] - predictions.mean[i]) / predictions.std[i];
    return -HALF_LOG_2PI - Math.log(predictions.std[i]) - 0.5 * z * z;
  });
}

/** Mean log density, RMSE, R² = 1 − SSE/SST (NaN for constant y), ±1σ/±2σ coverage and mean σ of held-out predictions. */
export function predictiveScores(y: ArrayLike<number>, predictions: HeldOutPredictions, folds: number): PredictiveScores {
  const n = y.length;
  if (n === 0) throw new InvalidRequestError('scores need at least one held-out row');
  const logDensities = pointLogDensities(y, predictions);
  let yMean = 0;
  for (let i = 0; i < n; i++) yMean += y[i] / n;
  let logDensity = 0, sse = 0, sst = 0, within1 = 0, within2 = 0, stdSum = 0;
  for (let i = 0; i < n; i++) {
    const residual = Math.abs(y[i] - predictions.mean[i]);
    const s = predictions.std[i];
    logDensity += logDensities[i];
    sse += residual * residual;
    sst += (y[i] - yMean) ** 2;
    if (residual <= s) within1++;
    if (residual <= 2 * s) within2++;
    stdSum += s;
  }
  return {
    n,
    folds,
    logDensity: logDensity / n,
    rmse: Math.sqrt(sse / n),
    r2: sst > 0 ? 1 - sse / sst : Number.NaN,
    coverage1Sigma: within1 / n,
    coverage2Sigma: within2 / n,
    meanStd: stdSum / n,
  };
}

/** Mean of d_i = a_i − b_i over paired rows and its standard error s_d / √n (s_d the sample std, n − 1 in the denominator). */
export function pairedComparison(a: ArrayLike<number>, b: ArrayLike<number>): PairedComparison {
  const n = a.length;
  if (b.length !== n) throw new InvalidRequestError(`paired comparison of ${n} and ${b.length} values`);
  if (n < 2) throw new InvalidRequestError(`a paired comparison needs at least 2 rows, got ${n}`);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += (a[i] - b[i]) / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (a[i] - b[i] - mean) ** 2;
  return { n, meanDifference: mean, standardError: Math.sqrt(squares / (n - 1) / n) };
}
