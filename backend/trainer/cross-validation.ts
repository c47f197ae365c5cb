/**
 * K-fold cross-validation of a probabilistic regressor: held-out RMSE, R² and calibration of the predicted standard
 * deviation (fraction of held-out observations inside μ ± σ and μ ± 2σ; a calibrated Gaussian gives 0.683 and 0.954).
 */
import { createRandom } from '../../acquisition/index.js';
import { TrainingDataError } from './errors.js';

/** Predicted mean and standard deviation of an observation at each of n points. */
export interface PredictiveMoments {
  mean: ArrayLike<number>;
  std: ArrayLike<number>;
}

/** Fits on (X, y) and returns a predictor of held-out moments. */
export type FitPredict = (trainX: number[][], trainY: number[], testX: number[][], fold: number) => PredictiveMoments;

/** Cross-validated metrics. */
export interface RegressionMetrics {
  folds: number;
  n: number;
  rmse: number;
  /** 1 − SSE/SST over all held-out points (SST about the mean of y). */
  r2: number;
  /** Fraction of held-out y within μ ± σ. */
  coverage1Sigma: number;
  /** Fraction of held-out y within μ ± 2σ. */
  coverage2Sigma: number;
  /** Mean predicted σ on held-out points (sharpness). */
  meanStd: number;
}

/** Runs K-fold CV (K = min(folds, n), rows shuffled with the seed) and pools the held-out predictions. */
export function crossValidate(X: number[][], y: number[], fitPredict: FitPredict, folds = 5, seed = 0): RegressionMetrics {
  const n = y.length;
  if (X.length !== n) throw new TrainingDataError(`X has ${X.length} rows but y has ${n} values`);
  const k = Math.min(folds, n);
  if (k < 2) throw new TrainingDataError(`cross-validation needs at least 2 observations, got ${n}`);
  const fold = foldAssignment(n, k, seed);
  const mean = new Float64Array(n);
  const std = new Float64Array(n);
  for (let f = 0; f < k; f++) {
    const train = indicesWhere(fold, (g) => g !== f);
    const test = indicesWhere(fold, (g) => g === f);
    const moments = fitPredict(train.map((i) => X[i]), train.map((i) => y[i]), test.map((i) => X[i]), f);
    test.forEach((i, j) => {
      mean[i] = moments.mean[j];
      std[i] = moments.std[j];
    });
  }
  return { folds: k, n, ...regressionMetrics(y, mean, std) };
}

/** RMSE, R², ±1σ/±2σ coverage and mean σ of predictions against observations. */
export function regressionMetrics(y: ArrayLike<number>, mean: ArrayLike<number>, std: ArrayLike<number>): Omit<RegressionMetrics, 'folds' | 'n'> {
  const n = y.length;
  let yMean = 0;
  for (let i = 0; i < n; i++) yMean += y[i] / n;
  let sse = 0, sst = 0, within1 = 0, within2 = 0, stdSum = 0;
  for (let i = 0; i < n; i++) {
    const residual = Math.abs(y[i] - mean[i]);
    sse += residual ** 2;
    sst += (y[i] - yMean) ** 2;
    if (residual <= std[i]) within1++;
    if (residual <= 2 * std[i]) within2++;
    stdSum += std[i];
  }
  return {
    rmse: Math.sqrt(sse / n),
    r2: sst > 0 ? 1 - sse / sst : Number.NaN,
    coverage1Sigma: within1 / n,
    coverage2Sigma: within2 / n,
    meanStd: stdSum / n,
  };
}

/** Fold index of each row: a seeded shuffle dealt round-robin, so fold sizes differ by at most one. */
function foldAssignment(n: number, k: number, seed: number): Int32Array {
  const random = createRandom(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = random.integer(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const fold = new Int32Array(n);
  order.forEach((row, position) => {
    fold[row] = position % k;
  });
  return fold;
}

/** Indices whose fold satisfies the predicate. */
function indicesWhere(fold: Int32Array, predicate: (g: number) => boolean): number[] {
  const out: number[] = [];
  fold.forEach((g, i) => {
    if (predicate(g)) out.push(i);
  });
  return out;
}
