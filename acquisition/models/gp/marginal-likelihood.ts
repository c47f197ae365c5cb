/**
 * Log marginal likelihood of an exact GP and its analytic gradient in log-hyperparameters
 * (Rasmussen & Williams 2006, eq. 2.30 and 5.9):
 *   log p(y) = −½ yᵀα − Σ log Lᵢᵢ − (n/2) log 2π,   α = K⁻¹y,  K = σ_f² k(X, X) + diag(σ_n² + s_i²) = L Lᵀ,
 *   ∂ log p / ∂θ = ½ tr((ααᵀ − K⁻¹) ∂K/∂θ).
 * The known per-point noise s_i² is data, not a hyperparameter: it enters K but no ∂K/∂θ, so the gradient formulas
 * are those without it (evaluated at the K that includes it).
 * The trace is an elementwise sum over pairs, accumulated per dimension without forming n x n x d tensors.
 */
import { NotPositiveDefiniteError } from '../../linalg/errors.js';
import { choleskyWithJitterInto, panelScratchSize } from '../../linalg/cholesky.js';
import {
  choleskySolve, inverseScratchSize, invertLowerTransposedInto, upperTimesTransposeInto,
} from '../../linalg/triangular.js';
import type { Matrix } from '../../linalg/matrix.js';
import { withHeap } from '../../linalg/wasm/runtime.js';
import {
  crossCovarianceTransposed, scaleInputsInto, transposePoints, type KernelName,
} from './kernels.js';
import { logPriorDensity, type ResolvedPriors } from './priors.js';

/** Training inputs (n x d, row-major, unit cube), standardized targets and, optionally, their known noise. */
export interface TrainingSet {
  x: Float64Array;
  y: Float64Array;
  n: number;
  d: number;
  /**
   * Known noise variance s_i² of each target (standardized units, ≥ 0; e.g. the std² of a measurement derived from
   * an image), added to the diagonal on top of the fitted σ_n²: K + diag(σ_n² + s_i²). Absent: every s_i² = 0.
   */
  knownNoise?: Float64Array;
}

/** Log marginal likelihood, its gradient in [log ℓ_1..d, log σ_f², log σ_n²], and the Cholesky jitter used. */
export interface MarginalLikelihood {
  value: number;
  gradient: Float64Array;
  jitter: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

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

/**
 * log p(y | θ) and its gradient; value −∞ (gradient zero) where K is not positive definite even with jitter.
 * One wasm-heap session holds K, its factor (later overwritten by K⁻¹) and L⁻ᵀ, so nothing n x n is copied.
 */
export function logMarginalLikelihood(
  kernel: KernelName, data: TrainingSet, logParams: ArrayLike<number>,
): MarginalLikelihood {
  const { n, d } = data;
  const lengthscales = Array.from({ length: d }, (_, k) => Math.exp(logParams[k]));
  const signal = Math.exp(logParams[d]), noise = Math.exp(logParams[d + 1]);
  // The Cholesky panel scratch is free again by the time the inversion needs its own.
  const scratchSize = Math.max(panelScratchSize(n), inverseScratchSize(n));
  return withHeap(3 * n * n + 2 * n * d + scratchSize, (heap) => {
    let used = 0;
    const take = (length: number) => heap.subarray(used, (used += length));
    const covariance = take(n * n), factor = take(n * n), upper = take(n * n);
    const points = take(n * d), pointsT = take(n * d), scratch = take(scratchSize);
    scaleInputsInto(data.x, d, lengthscales, points);
    crossCovarianceTransposed(kernel, points, transposePoints(points, d, pointsT), d, signal, covariance);
    for (let i = 0; i < n; i++) covariance[i * n + i] += noise;
    addKnownNoise(covariance, n, data.knownNoise);
    let jitter: number;
    try {
      jitter = choleskyWithJitterInto(covariance, factor, n, {}, scratch.subarray(0, panelScratchSize(n)));
    } catch (error) {
      if (error instanceof NotPositiveDefiniteError) return { value: -Infinity, gradient: new Float64Array(d + 2), jitter: NaN };
      throw error;
    }
    const l = { rows: n, cols: n, data: factor };
    const alpha = choleskySolve(l, data.y);
    const value = logLikelihoodFromFactor(l, alpha, data.y);
    invertLowerTransposedInto(factor, upper, n, scratch);
    const inverse = factor; // L is no longer needed: K⁻¹ = L⁻ᵀ L⁻¹ takes its place
    upperTimesTransposeInto(upper, inverse, n);
    const gradient = traceGradient(kernel, points, d, signal, noise, alpha, inverse, covariance);
    return { value, gradient, jitter };
  });
}

/**
 * log p(y | θ) + log p(θ), the MAP objective, and its gradient in [log ℓ_1..d, log σ_f², log σ_n²]; exactly
 * logMarginalLikelihood without priors. Entries in `skip` (held fixed by the fit) get no prior term. The priors are
 * densities of the log-hyperparameters (or of θ; see priors.ts), so their gradients are taken in u = log θ directly.
 */
export function logPosterior(
  kernel: KernelName, data: TrainingSet, logParams: ArrayLike<number>, priors: ResolvedPriors | null,
  skip: ReadonlySet<number> = new Set(),
): MarginalLikelihood {
  const lml = logMarginalLikelihood(kernel, data, logParams);
  if (priors === null) return lml;
  const prior = logPriorDensity(priors, logParams, skip);
  const gradient = new Float64Array(lml.gradient.length);
  for (let i = 0; i < gradient.length; i++) gradient[i] = lml.gradient[i] + prior.gradient[i];
  return { value: lml.value + prior.value, gradient, jitter: lml.jitter };
}

/** Adds the known per-point noise variances to the diagonal of an n x n row-major matrix (nothing when absent). */
export function addKnownNoise(matrix: Float64Array, n: number, knownNoise: Float64Array | null | undefined): void {
  if (!knownNoise) return;
  for (let i = 0; i < n; i++) matrix[i * n + i] += knownNoise[i];
}

/**
 * ½ tr(W ∂K/∂θ) with W = ααᵀ − K⁻¹, summed over pairs i > j (W and ∂K are symmetric) plus the diagonal.
 * The kernel derivative factor g is recovered from the stored covariance c = σ² k instead of another exp:
 * Matern 5/2: g = (5/3)(1 + ρ) e^{−ρ} = (5/3)(1 + ρ) c / (σ² (1 + ρ + ρ²/3)), ρ = √5 r; RBF: g = c / σ².
 */
function traceGradient(
  kernel: KernelName, x: Float64Array, d: number, signal: number, noise: number,
  alpha: Float64Array, inverse: Float64Array, covariance: Float64Array,
): Float64Array {
  const n = alpha.length;
  const perDimension = new Float64Array(d);
  const diff = new Float64Array(d);
  let offDiagonalSignal = 0, diagonal = 0;
  for (let i = 0; i < n; i++) {
    const ai = alpha[i], ri = i * n, xi = i * d;
    diagonal += ai * ai - inverse[ri + i];
    for (let j = 0; j < i; j++) {
      const w = ai * alpha[j] - inverse[ri + j];
      const c = covariance[ri + j];
      offDiagonalSignal += w * c;
      const xj = j * d;
      let r2 = 0;
      for (let k = 0; k < d; k++) {
        const delta = x[xi + k] - x[xj + k];
        diff[k] = delta * delta;
        r2 += diff[k];
      }
      let g: number;
      if (kernel === 'matern52') {
        const rho = Math.sqrt(5 * r2);
        g = ((5 / 3) * (1 + rho) * c) / (signal * (1 + rho + (rho * rho) / 3));
      } else {
        g = c / signal;
      }
      const wg = w * g;
      for (let k = 0; k < d; k++) perDimension[k] += wg * diff[k];
    }
  }
  const gradient = new Float64Array(d + 2);
  for (let k = 0; k < d; k++) gradient[k] = signal * perDimension[k]; // pairs counted once: ½ · 2
  gradient[d] = offDiagonalSignal + 0.5 * signal * diagonal; // Σ_{i>j} w σ²k + ½ σ² Σ W_ii
  gradient[d + 1] = 0.5 * noise * diagonal;
  return gradient;
}
