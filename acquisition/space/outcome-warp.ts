/**
 * Output warps: a strictly increasing map w = g(y) applied to an outcome before sign and standardization
 * (outcome-transform.ts), so that the Gaussian model lives where a Gaussian fits and predictions respect the outcome's
 * physical range.
 *
 * - Two-sided range [lo, hi]: w = logit(u), u = (y − lo)/(hi − lo) clipped into [ε, 1 − ε]; back, y = lo + (hi − lo)·σ(w)
 *   always lies inside the range.
 * - Lower bound only: w = log(max(y − lo, δ)); back, y = lo + eʷ > lo.  Upper bound only: w = −log(max(hi − y, δ)).
 * - No range, on request: Yeo–Johnson (Yeo & Johnson 2000, Biometrika 87:954) of the standardized values
 *   x = (y − m₀)/s₀, its λ by maximum likelihood on the observations (the normal profile likelihood).
 *
 * The clip. A value recorded exactly on a bound would map to ±∞; it is placed ε inside, where (as a fraction of the
 * range, or of the largest distance to the bound seen for one-sided ranges) ε = min(10⁻³, half the smallest positive
 * distance of any observation to that bound). 10⁻³: a reading on the bound is a reading at the instrument's
 * resolution, which for a reported score or fraction is about three significant digits, so the clip moves it by
 * less than its own rounding. Half the smallest distance: the clipped value stays closer to the bound than every
 * interior observation, so the warp never reorders the data it is fitted to. Thresholds (constraint values, target
 * band edges) on a bound get the same clip, so that they sit where the data on that bound sit; thresholds strictly
 * outside the range map to ±∞ (a constraint there is always or never met).
 *
 * Back-transformed moments: with z ~ N(μ, σ²) in warped units, y = g⁻¹(z) is not Gaussian; its mean and standard
 * deviation are E[g⁻¹(μ + σX)] and the spread around it for X ~ N(0, 1), computed by 32-node Gauss–Hermite
 * quadrature (exact for polynomials up to degree 63; for the smooth, bounded or exponential g⁻¹ used here the error is
 * far below the model's own). The mean is a weighted average of values inside the range, so it lies inside it too.
 */

import { InvalidObjectiveError } from '../errors.js';
import type { Objective, OutcomeConstraint } from '../types.js';

/** An outcome's declared physical range (either bound optional; lowerBound < upperBound when both are given). */
export interface OutcomeRange {
  lowerBound?: number;
  upperBound?: number;
}

/** Which warp an outcome is modelled on. */
export type OutcomeWarpKind = 'logit' | 'log' | 'log-upper' | 'yeo-johnson';

/** A fitted strictly increasing warp w = g(y) of one outcome and its inverse. */
export interface OutcomeWarp {
  kind: OutcomeWarpKind;
  /** g(y) of an observed value; values on (or beyond) a bound are clipped ε inside first (see the file comment). */
  apply(y: number): number;
  /** g⁻¹(w): original units, inside the declared range for every finite w. */
  invert(w: number): number;
  /** g(v) of a threshold: −∞ strictly below the range, +∞ strictly above it, else apply(v). */
  threshold(v: number): number;
  /** dg/dy at an observed value (after the clip): carries a known noise std into warped units (delta method). */
  slope(y: number): number;
  /** The clip ε (fraction of the range for logit; absolute shift δ for log) or Yeo–Johnson's λ, for reports and tests. */
  readonly parameter: number;
}

/** How much of the range a value on a bound is moved inside, at most (see the file comment). */
export const MAX_BOUND_CLIP = 1e-3;

/** The warp a declared range asks for: logit for two bounds, log for one; null without a range. */
export function rangeWarp(range: OutcomeRange, values: readonly number[]): OutcomeWarp | null {
  const { lowerBound: lo, upperBound: hi } = range;
  if (lo !== undefined && hi !== undefined) return logitWarp(lo, hi, values);
  if (lo !== undefined) return logWarp(lo, 1, values);
  if (hi !== undefined) return logWarp(hi, -1, values);
  return null;
}

/** min(cap, half the smallest positive entry of gaps); `fallback` when no gap is positive. */
function clipFor(gaps: readonly number[], cap: number, fallback: number): number {
  let smallest = Infinity;
  for (const g of gaps) if (g > 0 && g < smallest) smallest = g;
  return smallest === Infinity ? fallback : Math.min(cap, smallest / 2);
}

/** Logistic function 1/(1 + e^−w), without overflow on either side. */
export function logistic(w: number): number {
  if (w >= 0) return 1 / (1 + Math.exp(-w));
  const e = Math.exp(w);
  return e / (1 + e);
}

/** logit((y − lo)/(hi − lo)) with the fraction clipped into [ε, 1 − ε] (see the file comment). */
export function logitWarp(lo: number, hi: number, values: readonly number[]): OutcomeWarp {
  const width = hi - lo;
  const fractions = values.map((y) => (y - lo) / width);
  const epsilon = clipFor(fractions.flatMap((u) => [u, 1 - u]), MAX_BOUND_CLIP, MAX_BOUND_CLIP);
  const clipped = (y: number): number => Math.min(1 - epsilon, Math.max(epsilon, (y - lo) / width));
  const apply = (y: number): number => {
    const u = clipped(y);
    return Math.log(u) - Math.log1p(-u);
  };
  return {
    kind: 'logit',
    parameter: epsilon,
    apply,
    // Near the upper bound hi − (hi − lo)·σ(−w) keeps the digits that lo + (hi − lo)·σ(w) would round away.
    invert: (w) => (w <= 0 ? lo + width * logistic(w) : hi - width * logistic(-w)),
    threshold: (v) => (v < lo ? -Infinity : v > hi ? Infinity : apply(v)),
    slope: (y) => {
      const u = clipped(y);
      return 1 / (width * u * (1 - u));
    },
  };
}

/** log(max(y − b, δ)) for a lower bound b (side +1) or −log(max(b − y, δ)) for an upper one (side −1). */
export function logWarp(bound: number, side: 1 | -1, values: readonly number[]): OutcomeWarp {
  const gaps = values.map((y) => side * (y - bound));
  // A loop, not Math.max(...gaps): an outcome may have more values than a call takes arguments.
  let largest = 0;
  for (const g of gaps) if (g > largest) largest = g;
  // No value off the bound: every observation maps to the same w whatever δ is; 1 keeps w = 0.
  const delta = clipFor(gaps, MAX_BOUND_CLIP * largest, 1);
  const distance = (y: number): number => Math.max(delta, side * (y - bound));
  const apply = (y: number): number => side * Math.log(distance(y));
  return {
    kind: side === 1 ? 'log' : 'log-upper',
    parameter: delta,
    apply,
    invert: (w) => bound + side * Math.exp(side * w),
    threshold: (v) => (side * (v - bound) < 0 ? side * -Infinity : apply(v)),
    slope: (y) => 1 / distance(y),
  };
}

/** Yeo–Johnson ψ(λ, x): ((1+x)^λ − 1)/λ for x ≥ 0 (log(1+x) at λ = 0); −((1−x)^(2−λ) − 1)/(2−λ) for x < 0 (−log(1−x) at λ = 2). */
export function yeoJohnson(x: number, lambda: number): number {
  if (x >= 0) return Math.abs(lambda) < 1e-8 ? Math.log1p(x) : Math.expm1(lambda * Math.log1p(x)) / lambda;
  const mu = 2 - lambda;
  return Math.abs(mu) < 1e-8 ? -Math.log1p(-x) : -Math.expm1(mu * Math.log1p(-x)) / mu;
}

/** The inverse of yeoJohnson in x (λ ∈ [0, 2], where ψ maps the real line onto itself). */
export function yeoJohnsonInverse(w: number, lambda: number): number {
  if (w >= 0) return Math.abs(lambda) < 1e-8 ? Math.expm1(w) : Math.expm1(Math.log1p(lambda * w) / lambda);
  const mu = 2 - lambda;
  return Math.abs(mu) < 1e-8 ? -Math.expm1(-w) : -Math.expm1(Math.log1p(-mu * w) / mu);
}

/** ∂ψ/∂x: (1+x)^(λ−1) for x ≥ 0, (1−x)^(1−λ) for x < 0. */
export function yeoJohnsonSlope(x: number, lambda: number): number {
  return x >= 0 ? Math.exp((lambda - 1) * Math.log1p(x)) : Math.exp((1 - lambda) * Math.log1p(-x));
}

/**
 * Profile log-likelihood of λ for normal ψ(λ, x): −n/2 · log σ̂²(λ) + (λ − 1) Σ sign(xᵢ) log(1 + |xᵢ|)
 * (Yeo & Johnson 2000, eq. 3.1, with the mean and variance at their maximum-likelihood values).
 */
export function yeoJohnsonLogLikelihood(x: readonly number[], lambda: number): number {
  const n = x.length;
  const psi = x.map((v) => yeoJohnson(v, lambda));
  const mean = psi.reduce((a, b) => a + b, 0) / n;
  const variance = psi.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  let jacobian = 0;
  for (const v of x) jacobian += Math.sign(v) * Math.log1p(Math.abs(v));
  return -0.5 * n * Math.log(variance) + (lambda - 1) * jacobian;
}

/**
 * λ's search interval. On [0, 2] ψ maps the real line onto the real line, so a Gaussian in warped units has an inverse
 * image everywhere and finite back-transformed moments (outside it one side of ψ's image is a half-line and the
 * Gaussian puts mass beyond it); the interval is symmetric about λ = 1 (no warp), as ψ(−x, λ) = −ψ(x, 2 − λ).
 */
export const YEO_JOHNSON_LAMBDA_RANGE: readonly [number, number] = [0, 2];

/** λ maximizing yeoJohnsonLogLikelihood on YEO_JOHNSON_LAMBDA_RANGE: a grid of 41 then golden-section refinement. */
export function fitYeoJohnsonLambda(x: readonly number[]): number {
  // Fewer than three distinct values say nothing about skew: no warp.
  if (new Set(x).size < 3) return 1;
  const [a, b] = YEO_JOHNSON_LAMBDA_RANGE;
  const f = (lambda: number): number => {
    const value = yeoJohnsonLogLikelihood(x, lambda);
    return Number.isFinite(value) ? value : -Infinity;
  };
  const steps = 40;
  let best = 1;
  let bestValue = f(1);
  for (let k = 0; k <= steps; k++) {
    const lambda = a + ((b - a) * k) / steps;
    const value = f(lambda);
    if (value > bestValue) [best, bestValue] = [lambda, value];
  }
  let lo = Math.max(a, best - (b - a) / steps);
  let hi = Math.min(b, best + (b - a) / steps);
  const ratio = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 80 && hi - lo > 1e-10; i++) {
    const c = hi - ratio * (hi - lo);
    const d = lo + ratio * (hi - lo);
    if (f(c) >= f(d)) hi = d;
    else lo = c;
  }
  const refined = (lo + hi) / 2;
  return f(refined) >= bestValue ? refined : best;
}

/** Yeo–Johnson of the standardized values (y − m₀)/s₀, λ fitted to the observations (see the file comment). */
export function yeoJohnsonWarp(values: readonly number[]): OutcomeWarp {
  const n = values.length;
  const centre = n > 0 ? values.reduce((a, b) => a + b, 0) / n : 0;
  const spread = n > 0 ? Math.sqrt(values.reduce((a, b) => a + (b - centre) ** 2, 0) / n) : 0;
  const scale = spread > 0 && Number.isFinite(spread) ? spread : 1;
  const lambda = fitYeoJohnsonLambda(values.map((y) => (y - centre) / scale));
  const apply = (y: number): number => yeoJohnson((y - centre) / scale, lambda);
  return {
    kind: 'yeo-johnson',
    parameter: lambda,
    apply,
    invert: (w) => centre + scale * yeoJohnsonInverse(w, lambda),
    threshold: apply,
    slope: (y) => yeoJohnsonSlope((y - centre) / scale, lambda) / scale,
  };
}

/** Throws InvalidObjectiveError unless a declared range has finite bounds with lowerBound < upperBound and a finite width. */
export function validateRange(range: OutcomeRange, what: string, details: Record<string, unknown>): void {
  const { lowerBound: lo, upperBound: hi } = range;
  for (const [key, value] of [['lowerBound', lo], ['upperBound', hi]] as const) {
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value))) {
      throw new InvalidObjectiveError(`${what} needs a finite ${key}, got ${String(value)}`, details);
    }
  }
  if (lo !== undefined && hi !== undefined && !(lo < hi)) {
    throw new InvalidObjectiveError(`${what} has lowerBound ${lo} not below upperBound ${hi}`, { ...details, lowerBound: lo, upperBound: hi });
  }
  // The logit warp divides by hi − lo and maps back through lo + (hi − lo)·σ(w): both need a finite width.
  if (lo !== undefined && hi !== undefined && !Number.isFinite(hi - lo)) {
    throw new InvalidObjectiveError(`${what} has a range [${lo}, ${hi}] whose width overflows a double; declare a narrower range`, { ...details, lowerBound: lo, upperBound: hi });
  }
}

/** Whether v lies in the declared range (bounds included). */
export function insideRange(range: OutcomeRange, v: number): boolean {
  return !(range.lowerBound !== undefined && v < range.lowerBound) && !(range.upperBound !== undefined && v > range.upperBound);
}

/** The range in words, e.g. "[0, 1]", "[0, ∞)". */
export function describeRange(range: OutcomeRange): string {
  return `${range.lowerBound === undefined ? '(−∞' : `[${range.lowerBound}`}, ${range.upperBound === undefined ? '∞)' : `${range.upperBound}]`}`;
}

/**
 * The declared range of each outcome that has one: from its objective and/or its constraints, which must agree where
 * several declare one. Throws InvalidObjectiveError for a malformed range, a target outside its objective's range,
 * or a constraint value outside its outcome's range (always or never met: most likely a typo).
 */
export function outcomeRanges(objectives: readonly Objective[], constraints: readonly OutcomeConstraint[]): Map<string, OutcomeRange> {
  const ranges = new Map<string, OutcomeRange>();
  const declare = (name: string, range: OutcomeRange, what: string, details: Record<string, unknown>): void => {
    if (range.lowerBound === undefined && range.upperBound === undefined) return;
    validateRange(range, what, details);
    const known = ranges.get(name);
    if (known && (known.lowerBound !== range.lowerBound || known.upperBound !== range.upperBound)) {
      throw new InvalidObjectiveError(`Outcome "${name}" is declared with two ranges, ${describeRange(known)} and ${describeRange(range)}`, { outcome: name });
    }
    ranges.set(name, { lowerBound: range.lowerBound, upperBound: range.upperBound });
  };
  for (const o of objectives) declare(o.name, o, `Objective "${o.name}"`, { objective: o.name });
  for (const c of constraints) declare(c.name, c, `The constraint on "${c.name}"`, { constraint: c.name });
  for (const o of objectives) {
    const range = ranges.get(o.name);
    if (range && o.goal === 'target' && !insideRange(range, o.target!)) {
      throw new InvalidObjectiveError(`Target ${o.target} of objective "${o.name}" lies outside its range ${describeRange(range)}`, { objective: o.name });
    }
  }
  for (const c of constraints) {
    const range = ranges.get(c.name);
    if (range && !insideRange(range, c.value)) {
      throw new InvalidObjectiveError(`Constraint value ${c.value} on "${c.name}" lies outside its range ${describeRange(range)}`, { constraint: c.name });
    }
  }
  return ranges;
}

/** Number of Gauss–Hermite nodes of back-transformed moments. */
export const GAUSS_HERMITE_NODES = 32;

/**
 * Nodes xᵢ and weights wᵢ with Σ wᵢ f(xᵢ) ≈ E[f(X)], X ~ N(0, 1) (probabilists' Gauss–Hermite): the roots of the
 * orthonormal Hermite polynomial hₙ (recurrence h_{k+1} = (x h_k − √k h_{k−1})/√(k+1)), bracketed on a fine grid and
 * refined by bisection, with wᵢ = 1/(n h_{n−1}(xᵢ)²).
 */
export function gaussHermite(n: number): { nodes: Float64Array; weights: Float64Array } {
  const evaluate = (x: number): [number, number] => {
    let previous = 0;
    let current = 1;
    for (let k = 0; k < n; k++) {
      const next = (x * current - Math.sqrt(k) * previous) / Math.sqrt(k + 1);
      previous = current;
      current = next;
    }
    return [current, previous];
  };
  // Every root of hₙ lies within ±√(4n + 2) (the classical bound for the physicists' roots, times √2 ≥ what is needed).
  const limit = Math.sqrt(2 * (4 * n + 2)) + 1;
  const gridSteps = 2000 * n;
  const nodes: number[] = [];
  let a = -limit;
  let fa = evaluate(a)[0];
  for (let k = 1; k <= gridSteps; k++) {
    const b = -limit + (2 * limit * k) / gridSteps;
    const fb = evaluate(b)[0];
    if (fa === 0) nodes.push(a);
    else if (fa * fb < 0) {
      let lo = a;
      let hi = b;
      let flo = fa;
      for (let i = 0; i < 200 && hi - lo > 0; i++) {
        const mid = (lo + hi) / 2;
        if (mid === lo || mid === hi) break;
        const fm = evaluate(mid)[0];
        if (fm === 0) [lo, hi] = [mid, mid];
        else if (flo * fm < 0) hi = mid;
        else [lo, flo] = [mid, fm];
      }
      nodes.push((lo + hi) / 2);
    }
    [a, fa] = [b, fb];
  }
  if (nodes.length !== n) throw new Error(`Gauss–Hermite: found ${nodes.length} of ${n} nodes`);
  const weights = nodes.map((x) => 1 / (n * evaluate(x)[1] ** 2));
  const total = weights.reduce((s, w) => s + w, 0);
  return { nodes: Float64Array.from(nodes), weights: Float64Array.from(weights.map((w) => w / total)) };
}

const RULE = gaussHermite(GAUSS_HERMITE_NODES);

/**
 * Mean and standard deviation of y = inverse(z) for z ~ N(mean, std²), by Gauss–Hermite quadrature (see the file
 * comment); inverse(mean) and 0 when std is 0. The mean is kept within the smallest and largest node value, so
 * rounding cannot push it past a bound.
 */
export function backTransformedMoments(inverse: (z: number) => number, mean: number, std: number): { mean: number; std: number } {
  if (!(std > 0)) return { mean: inverse(mean), std: 0 };
  const { nodes, weights } = RULE;
  const values = new Float64Array(nodes.length);
  let m = 0;
  let lowest = Infinity;
  let highest = -Infinity;
  for (let i = 0; i < nodes.length; i++) {
    const y = inverse(mean + std * nodes[i]);
    values[i] = y;
    m += weights[i] * y;
    if (y < lowest) lowest = y;
    if (y > highest) highest = y;
  }
  m = Math.min(highest, Math.max(lowest, m));
  let variance = 0;
  for (let i = 0; i < nodes.length; i++) variance += weights[i] * (values[i] - m) ** 2;
  return { mean: m, std: Math.sqrt(variance) };
}
