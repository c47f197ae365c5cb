/**
 * Expected improvement (Močkus 1975; Jones, Schonlau & Welch 1998), for maximization:
 *
 *   EI(μ, σ; best) = E[max(f − best, 0)] = σ · h(z),  z = (μ − best)/σ,  h(z) = φ(z) + z Φ(z),
 *
 * and EI = max(μ − best, 0) when σ = 0. EI underflows to 0 once z < −38 or so, which flattens the
 * acquisition landscape; rank by `logExpectedImprovement` (Ament et al., 2023) instead, as suggest() does.
 */

import { logH } from './log-expected-improvement.js';
import { normalCdf, normalPdf } from '../sampling/normal-distribution.js';

/** EI of one point with posterior mean and standard deviation, relative to the incumbent `best` (maximization). */
export function expectedImprovement(mean: number, std: number, best: number): number {
  if (!(std > 0)) return Math.max(mean - best, 0);
  const z = (mean - best) / std;
  if (z > -1) return std * (normalPdf(z) + z * normalCdf(z));
  return std * Math.exp(logH(z));
}

/** EI of n points (arrays of means and standard deviations of length n). */
export function expectedImprovements(mean: ArrayLike<number>, std: ArrayLike<number>, best: number): Float64Array {
  const out = new Float64Array(mean.length);
  for (let i = 0; i < mean.length; i++) out[i] = expectedImprovement(mean[i], std[i], best);
  return out;
}
