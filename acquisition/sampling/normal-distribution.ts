/**
 * The standard normal distribution, accurate in both tails: pdf, cdf, log-cdf, erfc and the scaled erfcx.
 * Everything goes through erfcx(x) = exp(x²) erfc(x), which never underflows, so log Φ(z) stays finite
 * (≈ −z²/2 − log(−z √(2π))) for z down to −1e150.
 */

const SQRT_PI = Math.sqrt(Math.PI);
const SQRT2 = Math.SQRT2;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
/** Below this x the power series of erf is used, above it the continued fraction of erfcx. */
const SERIES_LIMIT = 2.5;
/** Above this x the two-term asymptotic expansion of erfcx is exact to double precision. */
const ASYMPTOTIC_LIMIT = 1e8;

/** Standard normal density φ(z) = exp(−z²/2)/√(2π). */
export function normalPdf(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/** log φ(z) = −z²/2 − log √(2π). */
export function logNormalPdf(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

/** erf(x) for |x| ≤ SERIES_LIMIT by the all-positive series erf(x) = 2/√π e^{−x²} Σ 2ⁿ x^{2n+1}/(2n+1)!!. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 0; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 3);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return ((2 / SQRT_PI) * Math.exp(-x2)) * sum;
}

/**
 * erfcx(x) = exp(x²) erfc(x) for x ≥ SERIES_LIMIT by Laplace's continued fraction
 * erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated with the modified Lentz method.
 */
function erfcxContinuedFraction(x: number): number {
  if (x > ASYMPTOTIC_LIMIT) return (1 - 1 / (2 * x * x)) / (x * SQRT_PI);
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 5000; k++) {
    const a = k / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    d = 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 / (SQRT_PI * f);
}

/** Scaled complementary error function erfcx(x) = exp(x²) erfc(x); finite for all x > −26. */
export function erfcx(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= SERIES_LIMIT) return erfcxContinuedFraction(x);
  if (x >= 0) return Math.exp(x * x) * (1 - erfSeries(x));
  // erfc(−y) = 2 − erfc(y)  ⇒  erfcx(−y) = 2 e^{y²} − erfcx(y).
  return 2 * Math.exp(x * x) - erfcx(-x);
}

/** Complementary error function erfc(x) = 1 − erf(x), with full relative accuracy for large x. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < SERIES_LIMIT) return 1 - erfSeries(x);
  return Math.exp(-x * x) * erfcxContinuedFraction(x);
}

/** Error function erf(x). */
export function erf(x: number): number {
  if (Math.abs(x) < SERIES_LIMIT) return x < 0 ? -erfSeries(-x) : erfSeries(x);
  return x < 0 ? erfc(-x) - 1 : 1 - erfc(x);
}

/** Standard normal cdf Φ(z) = erfc(−z/√2)/2, relatively accurate in the lower tail. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / SQRT2);
}

/**
 * log Φ(z). Lower tail: log(erfcx(−z/√2)/2) − z²/2, finite where Φ underflows (erfcx's continued fraction
 * becomes the asymptotic expansion Φ(z) ≈ φ(z)/(−z) (1 − 1/z² …) for very negative z). Upper tail: log1p(−Φ(−z)).
 */
export function logNormalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z === Infinity) return 0;
  if (z === -Infinity) return -Infinity;
  if (z < -1) return Math.log(0.5 * erfcx(-z / SQRT2)) - 0.5 * z * z;
  if (z > 1) return Math.log1p(-normalCdf(-z));
  return Math.log(normalCdf(z));
}

/** log(1 − eˣ) for x ≤ 0 without cancellation (Mächler, 2012). */
export function log1mexp(x: number): number {
  return x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
}

/** log(Φ(b) − Φ(a)) for a ≤ b, computed on whichever tail keeps both terms away from 1. */
export function logNormalProbabilityBetween(a: number, b: number): number {
  if (!(b > a)) return -Infinity;
  if (b <= 0) return logNormalCdf(b) + log1mexp(logNormalCdf(a) - logNormalCdf(b));
  if (a >= 0) return logNormalCdf(-a) + log1mexp(logNormalCdf(-b) - logNormalCdf(-a));
  // 0 lies inside [a, b]: the mass is at least min(Φ(b) − 1/2, 1/2 − Φ(a)), no cancellation to fear.
  return Math.log(normalCdf(b) - normalCdf(a));
}
