/**
 * Log marginal likelihood of an exact GP and its analytic gradient in log-hyperparameters
 * (Rasmussen & Williams 2006, eq. 2.30 and 5.9):
 *   log p(y) = −½ yᵀα − Σ log Lᵢᵢ − (n/2) log 2π,   α = K⁻¹y,  K = L Lᵀ,
 *   ∂ log p / ∂θ = ½ tr((ααᵀ − K⁻¹) ∂K/∂θ).
 * The trace is an elementwise sum over pairs, accumulated per dimension without forming n x n x d tensors.
 */
import { NotPositiveDefiniteError } from '../../linalg/errors.js';
import { choleskyWithJitter } from '../../linalg/cholesky.js';
import { choleskyInverse, choleskySolve } from '../../linalg/triangular.js';
import type { Matrix } from '../../linalg/matrix.js';
import {
  correlation, covarianceMatrix, radialDerivativeFactor, scaleInputs, type KernelName,
} from './kernels.js';

/** Training inputs (n x d, row-major, unit cube) and standardized targets. */
export interface TrainingSet {
  x: Float64Array;
  y: Float64Array;
  n: number;
  d: number;
}

/** Log marginal likelihood, its gradient in [log ℓ_1..d, log σ_f², log σ_n²], and the Cholesky jitter used. */
export interface MarginalLikelihood {
  value: number;
  gradient: Float64Array;
  jitter: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

/** Cholesky factor of K(θ) with adaptive jitter, and α = K⁻¹ y; null if K is not positive definite at all. */
export function factorCovariance(
  kernel: KernelName, data: TrainingSet, logParams: ArrayLike<number>,
): { factor: Matrix; alpha: Float64Array; jitter: number } | null {
  const { n, d } = data;
  const lengthscales = Array.from({ length: d }, (_, k) => Math.exp(logParams[k]));
  const scaled = scaleInputs(data.x, d, lengthscales);
  const k = covarianceMatrix(kernel, scaled, d, Math.exp(logParams[d]), Math.exp(logParams[d + 1]));
  try {
    const { factor, jitter } = choleskyWithJitter({ rows: n, cols: n, data: k });
    return { factor, alpha: choleskySolve(factor, data.y), jitter };
  } catch (error) {
    if (error instanceof NotPositiveDefiniteError) return null;
    throw error;
  }
}

/** log p(y | θ) from a Cholesky factor and α. */
export function logLikelihoodFromFactor(factor: Matrix, alpha: Float64Array, y: Float64Array): number {
  const n = y.length;
  let fit = 0, logDet = 0;
  for (let i = 0; i < n; i++) {
    fit += y[i] * alpha[i];
    logDet += Math.log(factor.data[i * n + i]);
  }
  return -0.5 * fit - logDet - 0.5 * n * LOG_2PI;
}

/** log p(y | θ) and its gradient; value −∞ (gradient zero) where K is not positive definite even with jitter. */
export function logMarginalLikelihood(
  kernel: KernelName, data: TrainingSet, logParams: ArrayLike<number>,
): MarginalLikelihood {
  const { d } = data;
  const factored = factorCovariance(kernel, data, logParams);
  if (factored === null) return { value: -Infinity, gradient: new Float64Array(d + 2), jitter: NaN };
  const { factor, alpha, jitter } = factored;
  const value = logLikelihoodFromFactor(factor, alpha, data.y);
  const inverse = choleskyInverse(factor);
  const gradient = traceGradient(kernel, data, logParams, alpha, inverse.data);
  return { value, gradient, jitter };
}

/** ½ tr(W ∂K/∂θ) with W = ααᵀ − K⁻¹, summed over pairs i > j (W and ∂K are symmetric) plus the diagonal. */
function traceGradient(
  kernel: KernelName, data: TrainingSet, logParams: ArrayLike<number>, alpha: Float64Array, inverse: Float64Array,
): Float64Array {
  const { n, d } = data;
  const lengthscales = Array.from({ length: d }, (_, k) => Math.exp(logParams[k]));
  const signal = Math.exp(logParams[d]), noise = Math.exp(logParams[d + 1]);
  const x = scaleInputs(data.x, d, lengthscales);
  const perDimension = new Float64Array(d);
  let offDiagonalSignal = 0, diagonal = 0;
  for (let i = 0; i < n; i++) {
    const ai = alpha[i], ri = i * n, xi = i * d;
    diagonal += ai * ai - inverse[ri + i];
    for (let j = 0; j < i; j++) {
      const w = ai * alpha[j] - inverse[ri + j];
      const xj = j * d;
      let r2 = 0;
      for (let k = 0; k < d; k++) {
        const diff = x[xi + k] - x[xj + k];
        r2 += diff * diff;
      }
      offDiagonalSignal += w * correlation(kernel, r2);
      const wg = w * radialDerivativeFactor(kernel, r2);
      for (let k = 0; k < d; k++) {
        const diff = x[xi + k] - x[xj + k];
        perDimension[k] += wg * diff * diff;
      }
    }
  }
  const gradient = new Float64Array(d + 2);
  for (let k = 0; k < d; k++) gradient[k] = signal * perDimension[k]; // pairs counted once: ½ · 2
  gradient[d] = signal * (offDiagonalSignal + 0.5 * diagonal);
  gradient[d + 1] = 0.5 * noise * diagonal;
  return gradient;
}
