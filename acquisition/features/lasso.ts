/**
 * LASSO by cyclic coordinate descent on standardized X (Friedman, Hastie & Tibshirani 2010, "glmnet"):
 * minimize (1/2n) ‖y_c − Z β‖² + λ ‖β‖₁, with Z the columns scaled to mean 0 and Σ_i z_ij² = n, y_c = y − ȳ.
 */
import { trainingRows } from '../validation/folds.js';
import { kFoldSplits, meanAndScale, standardizeColumns, toDataset, type Dataset, type StandardizedColumns } from './data.js';
import { FeatureSelectionInputError } from './errors.js';

/** The standardized least-squares problem on a subset of rows. */
export interface LassoProblem {
  z: StandardizedColumns;
  yCentered: Float64Array;
  yMean: number;
  /** Population standard deviation of y on these rows: the unit of the convergence tolerance. */
  yScale: number;
  sampleCount: number;
}

/** Stopping rule and safety limit of coordinate descent. */
export interface CoordinateDescentOptions {
  /** Stop when no coefficient moves more than tolerance × sd(y) in a full sweep (default 1e-7). */
  tolerance?: number;
  /** Give up (LassoConvergenceError) after this many sweeps (default 100,000). */
  maxSweeps?: number;
  /** Per-feature penalty factors w_j: the penalty becomes λ Σ_j w_j |β_j| (default all 1). */
  penaltyFactors?: Float64Array;
}

/** Coordinate descent did not meet its tolerance within maxSweeps. */
export class LassoConvergenceError extends Error {
  override readonly name = 'LassoConvergenceError';
  readonly code = 'lasso_not_converged';
}

/** Builds the standardized problem from the rows of a dataset (all rows when omitted). */
export function lassoProblem(dataset: Dataset, rows?: readonly number[]): LassoProblem {
  const z = standardizeColumns(dataset.columns, rows);
  const { mean, scale } = meanAndScale(dataset.y, rows);
  const sampleCount = rows ? rows.length : dataset.sampleCount;
  const yCentered = new Float64Array(sampleCount);
  for (let r = 0; r < sampleCount; r++) yCentered[r] = dataset.y[rows ? rows[r] : r] - mean;
  return { z, yCentered, yMean: mean, yScale: scale, sampleCount };
}

/** λ_max = max_j |z_jᵀ y_c| / n: the smallest λ at which every coefficient is zero. */
export function lambdaMax(problem: LassoProblem): number {
  let best = 0;
  for (const column of problem.z.columns) best = Math.max(best, Math.abs(dot(column, problem.yCentered)) / problem.sampleCount);
  return best;
}

/** count values log-spaced from `largest` down to ratio × largest (the glmnet path). */
export function lambdaGrid(largest: number, count: number, ratio: number): number[] {
  if (count === 1) return [largest];
  return Array.from({ length: count }, (_, k) => largest * Math.pow(ratio, k / (count - 1)));
}

/** Default λ_min / λ_max of a path: 1e-4 when n > p, 0.01 when n ≤ p (where small λ overfits and converges slowly). */
export function defaultLambdaRatio(sampleCount: number, featureCount: number): number {
  return sampleCount > featureCount ? 1e-4 : 0.01;
}

/**
 * Solves the problem at λ, warm-starting from `beta` (updated in place, standardized scale); `residual` must equal
 * y_c − Z β on entry and is kept so. Full sweeps find the active set, then sweeps over it alone until converged.
 */
export function solveLasso(problem: LassoProblem, lambda: number, beta: Float64Array, residual: Float64Array, options: CoordinateDescentOptions = {}): void {
  const tolerance = (options.tolerance ?? 1e-7) * problem.yScale;
  const maxSweeps = options.maxSweeps ?? 100_000;
  const all = problem.z.columns.map((_, j) => j).filter((j) => !problem.z.isConstant[j]);
  let sweeps = 0;
  for (;;) {
    if (sweeps >= maxSweeps) throw new LassoConvergenceError(`coordinate descent did not converge in ${maxSweeps} sweeps at λ = ${lambda}`);
    const fullChange = sweep(problem, lambda, beta, residual, all, options.penaltyFactors);
    sweeps++;
    if (fullChange < tolerance) return;
    const active = all.filter((j) => beta[j] !== 0);
    let change = Infinity;
    while (change >= tolerance && sweeps < maxSweeps) {
      change = sweep(problem, lambda, beta, residual, active, options.penaltyFactors);
      sweeps++;
    }
  }
}

/**
 * One pass of coordinate updates β_j ← S(z_jᵀ r / n + β_j, λ w_j), S the soft threshold (z_jᵀ z_j / n = 1);
 * returns the largest |Δβ_j|.
 */
function sweep(
  problem: LassoProblem, lambda: number, beta: Float64Array, residual: Float64Array, indices: readonly number[], penaltyFactors?: Float64Array,
): number {
  const n = problem.sampleCount;
  let largest = 0;
  for (const j of indices) {
    const column = problem.z.columns[j];
    const old = beta[j];
    const updated = softThreshold(dot(column, residual) / n + old, penaltyFactors ? lambda * penaltyFactors[j] : lambda);
    const delta = updated - old;
    if (delta !== 0) {
      for (let r = 0; r < n; r++) residual[r] -= delta * column[r];
      beta[j] = updated;
      largest = Math.max(largest, Math.abs(delta));
    }
  }
  return largest;
}

/** Solutions along a decreasing λ path with warm starts: one standardized coefficient vector per λ. */
export function lassoPath(problem: LassoProblem, lambdas: readonly number[], options: CoordinateDescentOptions = {}): Float64Array[] {
  const beta = new Float64Array(problem.z.columns.length);
  const residual = Float64Array.from(problem.yCentered);
  return lambdas.map((lambda) => {
    solveLasso(problem, lambda, beta, residual, options);
    return Float64Array.from(beta);
  });
}

/** A LASSO solution in the units of the original X and y: ŷ = intercept + Σ_j coefficients_j x_j. */
export interface LassoFit {
  lambda: number;
  intercept: number;
  coefficients: Float64Array;
  /** Coefficients per standard deviation of each feature (the scale the penalty acts on). */
  standardizedCoefficients: Float64Array;
}

/** Maps standardized coefficients back: b_j = β_j / sd_j, intercept = ȳ − Σ_j b_j mean_j. */
export function toOriginalScale(problem: LassoProblem, lambda: number, beta: Float64Array): LassoFit {
  const coefficients = new Float64Array(beta.length);
  let intercept = problem.yMean;
  for (let j = 0; j < beta.length; j++) {
    if (beta[j] === 0) continue;
    coefficients[j] = beta[j] / problem.z.scales[j];
    intercept -= coefficients[j] * problem.z.means[j];
  }
  return { lambda, intercept, coefficients, standardizedCoefficients: Float64Array.from(beta) };
}

/** Fits the LASSO at one λ ≥ 0 (reached by a warm-started path from λ_max; λ = 0 gives least squares when n > p). */
export function fitLasso(X: number[][], y: number[], lambda: number, options: CoordinateDescentOptions = {}): LassoFit {
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new FeatureSelectionInputError(`λ must be a finite number ≥ 0, got ${lambda}`);
  const problem = lassoProblem(toDataset(X, y));
  const largest = lambdaMax(problem);
  const path = lambda >= largest ? [lambda] : [...lambdaGrid(largest, 20, 0.01).filter((l) => l > lambda), lambda];
  const betas = lassoPath(problem, path, options);
  return toOriginalScale(problem, lambda, betas[betas.length - 1]);
}

/** Prediction of a fold's coefficients at the given rows: ȳ + Σ_j β_j (x_rj − mean_j)/sd_j. */
function predictRows(dataset: Dataset, problem: LassoProblem, beta: Float64Array, rows: readonly number[]): Float64Array {
  const prediction = new Float64Array(rows.length).fill(problem.yMean);
  beta.forEach((b, j) => {
    if (b === 0) return;
    const column = dataset.columns[j];
    const { means, scales } = problem.z;
    rows.forEach((row, r) => (prediction[r] += (b * (column[row] - means[j])) / scales[j]));
  });
  return prediction;
}

/** Options of crossValidateLasso. */
export interface LassoCrossValidationOptions extends CoordinateDescentOptions {
  folds?: number;
  seed?: number;
  lambdaCount?: number;
  /** λ_min / λ_max of the path (default defaultLambdaRatio). */
  lambdaRatio?: number;
}

/** K-fold cross-validation along one λ path, with the minimum and the one-standard-error choice. */
export interface LassoCrossValidation {
  lambdas: number[];
  meanError: number[];
  standardError: number[];
  indexMin: number;
  /** Largest λ whose CV error is within one standard error of the minimum (Hastie et al., ESL §7.10). */
  indexOneStandardError: number;
  /** Full-data standardized coefficients at every λ. */
  path: Float64Array[];
  problem: LassoProblem;
}

/** K-fold CV (default 5) of the LASSO over a log-spaced λ grid of the full data; folds standardize on their own rows. */
export function crossValidateLasso(dataset: Dataset, options: LassoCrossValidationOptions = {}): LassoCrossValidation {
  const problem = lassoProblem(dataset);
  const n = dataset.sampleCount;
  const lambdas = lambdaGrid(lambdaMax(problem), options.lambdaCount ?? 100, options.lambdaRatio ?? defaultLambdaRatio(n, dataset.featureCount));
  const folds = kFoldSplits(n, Math.min(options.folds ?? 5, n), options.seed ?? 0);
  const errors = folds.map((heldOut) => foldErrors(dataset, trainingRows(n, heldOut), heldOut, lambdas, options));
  const meanError = lambdas.map((_, l) => mean(errors.map((e) => e[l])));
  const standardError = lambdas.map((_, l) => standardDeviation(errors.map((e) => e[l])) / Math.sqrt(folds.length));
  let indexMin = 0;
  meanError.forEach((e, l) => (e < meanError[indexMin] ? (indexMin = l) : undefined));
  const limit = meanError[indexMin] + standardError[indexMin];
  const indexOneStandardError = meanError.findIndex((e) => e <= limit);
  return { lambdas, meanError, standardError, indexMin, indexOneStandardError, path: lassoPath(problem, lambdas, options), problem };
}

/** Held-out mean squared error at every λ of a path fitted on the training rows. */
function foldErrors(dataset: Dataset, training: number[], heldOut: number[], lambdas: number[], options: CoordinateDescentOptions): number[] {
  const problem = lassoProblem(dataset, training);
  return lassoPath(problem, lambdas, options).map((beta) => {
    const prediction = predictRows(dataset, problem, beta, heldOut);
    let squares = 0;
    heldOut.forEach((row, r) => (squares += (dataset.y[row] - prediction[r]) ** 2));
    return squares / heldOut.length;
  });
}

/** Soft threshold S(a, λ) = sign(a) max(|a| − λ, 0). */
function softThreshold(a: number, lambda: number): number {
  return a > lambda ? a - lambda : a < -lambda ? a + lambda : 0;
}

/** Σ_r a_r b_r. */
function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let r = 0; r < a.length; r++) sum += a[r] * b[r];
  return sum;
}

/** Arithmetic mean. */
function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Sample standard deviation (n − 1). */
function standardDeviation(values: number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, values.length - 1));
}
