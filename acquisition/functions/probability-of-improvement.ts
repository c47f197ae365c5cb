/**
 * Probability of improvement (Kushner 1964), for maximization:
 *
 *   PI(μ, σ; best, ξ) = P(f > best + ξ) = Φ((μ − best − ξ)/σ),
 *
 * and the indicator [μ > best + ξ] when σ = 0. `logProbabilityOfImprovement` ranks without underflow.
 */

import { logNormalCdf, normalCdf } from '../sampling/normal-distribution.js';

/** PI of one point; ξ ≥ 0 is the minimum improvement that counts (default 0). */
export function probabilityOfImprovement(mean: number, std: number, best: number, xi = 0): number {
  if (!(std > 0)) return mean > best + xi ? 1 : 0;
  return normalCdf((mean - best - xi) / std);
}

/** log PI of one point, finite far in the lower tail. */
export function logProbabilityOfImprovement(mean: number, std: number, best: number, xi = 0): number {
  if (!(std > 0)) return mean > best + xi ? 0 : -Infinity;
  return logNormalCdf((mean - best - xi) / std);
}
