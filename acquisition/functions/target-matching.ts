/**
 * Target matching, the "invert the model" case: which parameters give the intended properties?
 * With independent Gaussian posteriors y_j ~ N(μ_j, σ_j²), targets t_j and tolerances τ_j:
 *
 *   P(every |y_j − t_j| ≤ τ_j) = Π_j [Φ((t_j + τ_j − μ_j)/σ_j) − Φ((t_j − τ_j − μ_j)/σ_j)],
 *   E‖(y − t)/s‖² = Σ_j ((μ_j − t_j)² + σ_j²)/s_j²   (s_j a scale per objective, default 1).
 *
 * The probability is computed in log space (log Φ(b) − Φ(a) on the far tail) so that it ranks points far away
 * from the target band instead of flattening to 0.
 */

import { logNormalProbabilityBetween } from '../sampling/normal-distribution.js';

/** A target band for one objective: value ± tolerance. */
export interface TargetBand {
  target: number;
  tolerance: number;
}

/** log P(|y − t| ≤ τ) for one objective y ~ N(mean, std²). */
export function logTargetBandProbability(mean: number, std: number, band: TargetBand): number {
  const lower = band.target - band.tolerance;
  const upper = band.target + band.tolerance;
  if (!(std > 0)) return mean >= lower && mean <= upper ? 0 : -Infinity;
  return logNormalProbabilityBetween((lower - mean) / std, (upper - mean) / std);
}

/** log of the probability that every objective lands in its band (independent posteriors). */
export function logTargetProbability(means: readonly number[], stds: readonly number[], bands: readonly TargetBand[]): number {
  let total = 0;
  for (let j = 0; j < bands.length; j++) total += logTargetBandProbability(means[j], stds[j], bands[j]);
  return total;
}

/** Probability that every objective lands within its tolerance of its target. */
export function targetProbability(means: readonly number[], stds: readonly number[], bands: readonly TargetBand[]): number {
  return Math.exp(logTargetProbability(means, stds, bands));
}

/** Expected squared scaled distance to the target vector, Σ ((μ_j − t_j)² + σ_j²)/s_j². Lower is better. */
export function expectedSquaredTargetDistance(
  means: readonly number[],
  stds: readonly number[],
  targets: readonly number[],
  scales?: readonly number[],
): number {
  let total = 0;
  for (let j = 0; j < targets.length; j++) {
    const s = scales ? scales[j] : 1;
    // Divided before squaring: (μ − t)² itself overflows from a distance of about 1e154.
    total += ((means[j] - targets[j]) / s) ** 2 + (stds[j] / s) ** 2;
  }
  return total;
}
