/**
 * Output standardization per objective. Models are fit to z = (s·y − m)/c, where s = +1 (maximize, target) or
 * −1 (minimize), m and c the mean and standard deviation of s·y over the observations; so every non-target
 * objective is maximized in standardized units. Posterior moments map back by μ_y = s(m + cμ_z), σ_y = cσ_z.
 *
 * Overflow: squaring a value from about 1.3e154 on overflows a double, and so do sums of values near 1.8e308. Every
 * value is therefore divided by a power of two M ≥ half the largest magnitude before it is summed or squared, and
 * the moments are multiplied back by M at the end. A power of two divides and multiplies exactly, so for ordinary
 * data the results are bit for bit those of the textbook formulas; for huge data they stay finite.
 *
 * Warped outcomes (outcome-warp.ts: a declared range, or Yeo–Johnson on request) are standardized the same way after
 * a strictly increasing warp w = g(y): z = (s·g(y) − m)/c. Their posterior maps back by Gauss–Hermite moments of
 * g⁻¹ (toOriginal), and probabilities of thresholds are exact in warped units, as g is monotone:
 * P(y ≥ v) = P(z ≥ threshold(v)) for s = +1.
 */

import type { Objective } from '../types.js';
import { backTransformedMoments, type OutcomeWarp } from './outcome-warp.js';

/**
 * A fitted map between one outcome's original units and the model's standardized, signed units: an optional warp
 * w = g(y), then the affine standardization z = (s·w − offset)/scale (w = y without a warp).
 */
export interface OutcomeTransform {
  /** +1 or −1: the sign that turns the goal into maximization (targets keep +1). */
  sign: number;
  /** Mean of the signed (warped) observations. */
  offset: number;
  /** Standard deviation of the signed (warped) observations (1 when fewer than two distinct values). */
  scale: number;
  /** The warp applied before standardization; null for the plain affine transform. */
  warp: OutcomeWarp | null;
  /** Original value → standardized signed value (values on a bound of a warped outcome are clipped inside first). */
  forward(y: number): number;
  /** A threshold (constraint value, band edge) → standardized units: forward(v), or ±∞ outside a declared range. */
  threshold(v: number): number;
  /** Standardized value → original units, pointwise (the inverse of forward; a warped outcome's posterior median). */
  inverse(z: number): number;
  /** Mean and std in original units of the outcome when z ~ N(mean, std²): affine, or Gauss–Hermite through the warp. */
  toOriginal(mean: number, std: number): { mean: number; std: number };
  /** Standardized mean → original units of the affine part (warped units w for a warped outcome). */
  meanToOriginal(mean: number): number;
  /** Standardized standard deviation → original units of the affine part (warped units w for a warped outcome). */
  stdToOriginal(std: number): number;
}

/** Moments of values divided by `magnitude` (a power of two): offset·magnitude is the mean, scale·magnitude the std. */
export interface ScaledMoments {
  /** The power of two the values were divided by (1 when every value is 0 or there are none). */
  magnitude: number;
  /** Mean of value/magnitude. */
  offset: number;
  /** Standard deviation of value/magnitude; 1/magnitude when the values are constant (so scale·magnitude is 1). */
  scale: number;
}

/** The sign that turns a goal into maximization. */
export function goalSign(goal: Objective['goal']): number {
  return goal === 'minimize' ? -1 : 1;
}

/** The power of two 2^⌊log2 m⌋ of the largest finite magnitude m of values (1 when it is 0 or there is none). */
export function magnitudeOf(values: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    if (a > largest && a !== Infinity) largest = a;
  }
  if (largest === 0) return 1;
  // 2^e is exact for every integer e in [−1022, 1023] and so is its reciprocal; value/2^e then lies in [0.5, 4)
  // whatever log2 rounds to (below 2^−1022 it is smaller, which is harmless).
  return 2 ** Math.max(-1022, Math.min(1023, Math.floor(Math.log2(largest))));
}

/** Mean and (population) standard deviation of values, computed on values/M so that nothing overflows (see file comment). */
export function scaledMoments(values: ArrayLike<number>): ScaledMoments {
  const n = values.length;
  const magnitude = magnitudeOf(values);
  if (n === 0) return { magnitude, offset: 0, scale: 1 / magnitude };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] / magnitude;
  const offset = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i] / magnitude - offset) ** 2;
  const scale = Math.sqrt(squares / n);
  return { magnitude, offset, scale: scale > 0 ? scale : 1 / magnitude };
}

/** Mean and (population) standard deviation of values; the scale is 1 when it would be 0. Finite for every finite input. */
export function standardization(values: readonly number[]): { offset: number; scale: number } {
  if (values.length === 0) return { offset: 0, scale: 1 };
  const m = scaledMoments(values);
  return { offset: m.offset * m.magnitude, scale: m.scale * m.magnitude };
}

/** Standardized values (v − mean)/std of a list, computed without overflow (std 1 when constant). */
export function standardizeValues(values: ArrayLike<number>): { values: Float64Array; offset: number; scale: number } {
  const m = scaledMoments(values);
  const out = new Float64Array(values.length);
  for (let i = 0; i < out.length; i++) out[i] = (values[i] / m.magnitude - m.offset) / m.scale;
  return { values: out, offset: m.offset * m.magnitude, scale: m.scale * m.magnitude };
}

/**
 * Fits the transform of one outcome with the given sign to its observed values; with a warp (fitted to the same
 * values), standardizes the warped values instead. Without one the arithmetic is exactly the affine transform's.
 */
export function fitOutcomeTransform(values: readonly number[], sign = 1, warp: OutcomeWarp | null = null): OutcomeTransform {
  if (warp) return fitWarpedTransform(values, sign, warp);
  const m = scaledMoments(values.map((y) => sign * y));
  const forward = (y: number): number => ((sign * y) / m.magnitude - m.offset) / m.scale;
  const meanToOriginal = (mean: number): number => sign * ((m.offset + m.scale * mean) * m.magnitude);
  const stdToOriginal = (std: number): number => m.scale * std * m.magnitude;
  return {
    sign,
    offset: m.offset * m.magnitude,
    scale: m.scale * m.magnitude,
    warp: null,
    forward,
    threshold: forward,
    inverse: meanToOriginal,
    toOriginal: (mean, std) => ({ mean: meanToOriginal(mean), std: stdToOriginal(std) }),
    meanToOriginal,
    stdToOriginal,
  };
}

/** The transform of a warped outcome: standardization of s·g(y), moments back through g⁻¹ (see the file comment). */
function fitWarpedTransform(values: readonly number[], sign: number, warp: OutcomeWarp): OutcomeTransform {
  const m = scaledMoments(values.map((y) => sign * warp.apply(y)));
  const standardize = (w: number): number => ((sign * w) / m.magnitude - m.offset) / m.scale;
  const meanToOriginal = (mean: number): number => sign * ((m.offset + m.scale * mean) * m.magnitude);
  const inverse = (z: number): number => warp.invert(meanToOriginal(z));
  return {
    sign,
    offset: m.offset * m.magnitude,
    scale: m.scale * m.magnitude,
    warp,
    forward: (y) => standardize(warp.apply(y)),
    threshold: (v) => {
      const w = warp.threshold(v);
      // Outside the range: ±∞ in the direction the sign sends it.
      return Number.isFinite(w) ? standardize(w) : sign * w;
    },
    inverse,
    toOriginal: (mean, std) => backTransformedMoments(inverse, mean, std),
    meanToOriginal,
    stdToOriginal: (std) => m.scale * std * m.magnitude,
  };
}
