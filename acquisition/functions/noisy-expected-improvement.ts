/**
 * Noisy expected improvement for one point (q = 1; Letham, Karrer, Ottoni & Bakshy 2019, "Constrained Bayesian
 * optimization with noisy experiments"), ranked in log space (Ament et al. 2023). With noisy measurements the
 * incumbent is uncertain, so EI is averaged over the joint posterior of the latent values f(B) at the baseline
 * (measured) points:
 *
 *   NEI(x) = E_{f(B)} [ EI(x | f(B); max f(B)) ],
 *
 * where f(x) | f(B) is Gaussian. Over S fixed joint draws f_s(B) = μ_B + L_B ε_s, and with u = L_B⁻¹ Cov(f(B), f(x)):
 *
 *   f(x) | f_s(B) ~ N(μ + uᵀε_s, σ² − ‖u‖²),   NEI ≈ (1/S) Σ_s EI(μ + uᵀε_s, √(σ² − ‖u‖²); max_j f_s(b_j)),
 *
 * EI in closed form per draw (partially analytic: only f(B) is sampled). The draws are antithetic pairs (ε, −ε) of a
 * scrambled Sobol sequence mapped through Φ⁻¹, so they are deterministic given the seed and their mean is exactly 0.
 * Without noise the draws collapse onto the data and NEI is EI with best = max y.
 */

import { logExpectedImprovement } from './log-expected-improvement.js';
import { normalQuantile } from '../sampling/normal-quantile.js';
import { createSobolSequence } from '../sampling/sobol.js';

/**
 * Joint draws S of f(B): 128, the sample count of BoTorch's MC acquisition functions (qLogNEI), here with lower
 * variance since f(x) is integrated exactly; 64 Sobol points (a power of two keeps the net balanced) and their negatives.
 */
export const NOISY_EI_SAMPLES = 128;

/**
 * S antithetic quasi-random standard normal vectors of dimension m, S x m row-major: rows s < S/2 are Φ⁻¹ of a
 * scrambled Sobol sequence (each coordinate moved to the centre of its 2⁻³² cell, so never 0), rows s + S/2 their negatives.
 */
export function antitheticNormalSamples(count: number, dimension: number, seed: number): Float64Array {
  if (!(Number.isInteger(count) && count >= 2 && count % 2 === 0)) throw new RangeError(`count must be a positive even integer, got ${count}`);
  const half = count / 2;
  const out = new Float64Array(count * dimension);
  if (dimension === 0) return out;
  const sobol = createSobolSequence(dimension, { seed });
  for (let s = 0; s < half; s++) {
    const point = sobol.next();
    for (let j = 0; j < dimension; j++) {
      const z = normalQuantile(point[j] + 2 ** -33);
      out[s * dimension + j] = z;
      out[(s + half) * dimension + j] = -z;
    }
  }
  return out;
}

/**
 * log of (1/S) Σ_s EI(μ + t_s, σ_c; b_s) for shifts t_s and incumbents b_s (length S), by a stable log-sum-exp of
 * the per-draw log EI; −∞ when every draw has no chance of improving. `scratch` (length ≥ S) spares an allocation per call.
 */
export function logNoisyExpectedImprovement(
  mean: number, conditionalStd: number, shifts: ArrayLike<number>, bests: ArrayLike<number>, scratch: Float64Array = new Float64Array(shifts.length),
): number {
  const S = shifts.length;
  const logs = scratch;
  let top = -Infinity;
  for (let s = 0; s < S; s++) {
    logs[s] = logExpectedImprovement(mean + shifts[s], conditionalStd, bests[s]);
    if (logs[s] > top) top = logs[s];
  }
  if (top === -Infinity) return -Infinity;
  let sum = 0;
  for (let s = 0; s < S; s++) sum += Math.exp(logs[s] - top);
  return top + Math.log(sum / S);
}

/**
 * log of Scarf's bound E[(Y − b)⁺] ≤ ½(√(V + Δ²) + Δ), Δ = μ − b, for ANY Y with mean μ and variance ≤ V (Scarf
 * 1958; Lo 1987), written as V / (2(√(V + Δ²) − Δ)) when Δ < 0 to avoid cancellation. It bounds the sample average
 * of noisy EI from μ and a variance bound alone (pool pruning), since that average is E[(Y − b)⁺] of a mixture.
 */
export function logImprovementBound(mean: number, variance: number, best: number): number {
  const delta = mean - best;
  if (!(variance > 0)) return Math.log(Math.max(delta, 0));
  const root = Math.sqrt(variance + delta * delta);
  return delta >= 0 ? Math.log(0.5 * (root + delta)) : Math.log(variance) - Math.log(2 * (root - delta));
}

/**
 * An upper bound on the largest eigenvalue of the draws' second-moment matrix (1/S) Σ_s ε_s ε_sᵀ, S x m draws:
 * (trace A^(2^k))^(1/2^k) ≥ λ_max(A) for the PSD Gram matrix A of the smaller side (same nonzero eigenvalues),
 * with k = 6 repeated squarings (each renormalized by its trace), within a factor rank^(1/64) (and 1 + 1e-10) of λ_max.
 */
export function secondMomentNormBound(samples: Float64Array, count: number, dimension: number): number {
  if (count === 0 || dimension === 0) return 0;
  const size = Math.min(count, dimension);
  let a: Float64Array = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      if (dimension <= count) for (let r = 0; r < count; r++) s += samples[r * dimension + i] * samples[r * dimension + j];
      else for (let c = 0; c < dimension; c++) s += samples[i * dimension + c] * samples[j * dimension + c];
      a[i * size + j] = s / count;
      a[j * size + i] = s / count;
    }
  }
  // A_0 = A, A_{k+1} = (A_k / tr A_k)² = A^(2^(k+1)) / C_{k+1} with log C_{k+1} = 2 (log C_k + log tr A_k);
  // then log λ_max ≤ (log C_K + log tr A_K) / 2^K.
  const squarings = 6;
  let logC = 0;
  for (let step = 0; step < squarings; step++) {
    const trace = traceOf(a, size);
    if (!(trace > 0)) return 0;
    for (let i = 0; i < a.length; i++) a[i] /= trace;
    logC = 2 * (logC + Math.log(trace));
    a = square(a, size);
  }
  // The relative margin covers the round-off of the products.
  return Math.exp((logC + Math.log(traceOf(a, size))) / 2 ** squarings) * (1 + 1e-10);
}

/** tr(A) of an n x n row-major matrix. */
function traceOf(a: Float64Array, n: number): number {
  let t = 0;
  for (let i = 0; i < n; i++) t += a[i * n + i];
  return t;
}

/** A² of a symmetric n x n row-major matrix. */
function square(a: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k] * a[k * n + j];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}
