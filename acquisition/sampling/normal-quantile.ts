/**
 * The standard normal quantile Φ⁻¹(p), for turning (quasi-)uniform points into normal ones: a rational start
 * (Abramowitz & Stegun 1964, 26.2.23, error < 4.5e-4) refined by Halley steps on the lower-tail cdf, which converge
 * cubically to the precision of normalCdf.
 */

import { normalCdf, normalPdf } from './normal-distribution.js';

/** Φ⁻¹(p) for p in (0, 1); −∞ at 0, +∞ at 1, NaN outside. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  // Work in the lower tail, where Φ(z) = p is relatively accurate, and mirror.
  return p <= 0.5 ? lowerQuantile(p) : -lowerQuantile(1 - p);
}

/** Φ⁻¹(p) for p in (0, 1/2]: A&S 26.2.23 then Halley's iteration z ← z − r/(1 + z r/2), r = (Φ(z) − p)/φ(z). */
function lowerQuantile(p: number): number {
  const t = Math.sqrt(-2 * Math.log(p));
  let z = -(t - (2.515517 + t * (0.802853 + t * 0.010328)) / (1 + t * (1.432788 + t * (0.189269 + t * 0.001308))));
  for (let step = 0; step < 3; step++) {
    const density = normalPdf(z);
    if (!(density > 0)) break;
    const r = (normalCdf(z) - p) / density;
    z -= r / (1 + 0.5 * z * r);
  }
  return z;
}
