/**
 * Logarithm of expected improvement, computed in log space (Ament, Daulton, Eriksson, Balandat & Bakshy,
 * 2023, "Unexpected improvements to expected improvement for Bayesian optimization"):
 *
 *   log EI = log h(z) + log σ,  z = (μ − best)/σ,  h(z) = φ(z) + z Φ(z).
 *
 * For z ≤ −1, h(z) = φ(z) [1 − |z| √(π/2) erfcx(|z|/√2)], so log h = −z²/2 − log √(2π) + log1mexp(·), which
 * stays finite (and monotone) where EI itself underflows; for z < −100 the bracket is replaced by its asymptotic
 * series 1/z² − 3/z⁴ + 15/z⁶ − 105/z⁸ + 945/z¹⁰, whose truncation error is below double precision there.
 */

import { erfcx, log1mexp, normalCdf, normalPdf } from '../sampling/normal-distribution.js';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const HALF_LOG_PI_OVER_2 = 0.5 * Math.log(Math.PI / 2);
const ASYMPTOTIC_Z = -100;

/** log h(z) with h(z) = φ(z) + z Φ(z), accurate for every finite z. */
export function logH(z: number): number {
  if (z > -1) return Math.log(normalPdf(z) + z * normalCdf(z));
  if (z > ASYMPTOTIC_Z) {
    const a = -z;
    return -0.5 * z * z - LOG_SQRT_2PI + log1mexp(Math.log(erfcx(a / Math.SQRT2) * a) + HALF_LOG_PI_OVER_2);
  }
  const w = 1 / (z * z);
  const bracket = w * (1 + w * (-3 + w * (15 + w * (-105 + w * 945))));
  return -0.5 * z * z - LOG_SQRT_2PI + Math.log(bracket);
}

/** log EI of one point (maximization); −Infinity when σ = 0 and μ ≤ best. */
export function logExpectedImprovement(mean: number, std: number, best: number): number {
  if (!(std > 0)) return Math.log(Math.max(mean - best, 0));
  return logH((mean - best) / std) + Math.log(std);
}

/** log EI of n points. */
export function logExpectedImprovements(mean: ArrayLike<number>, std: ArrayLike<number>, best: number): Float64Array {
  const out = new Float64Array(mean.length);
  for (let i = 0; i < mean.length; i++) out[i] = logExpectedImprovement(mean[i], std[i], best);
  return out;
}
