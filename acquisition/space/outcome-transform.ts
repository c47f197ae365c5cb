/**
 * Output standardization per objective. Models are fit to z = (s·y − m)/c, where s = +1 (maximize, target) or
 * −1 (minimize), m and c the mean and standard deviation of s·y over the observations; so every non-target
 * objective is maximized in standardized units. Posterior moments map back by μ_y = s(m + cμ_z), σ_y = cσ_z.
 *
 * Overflow: squaring a value from about 1.3e154 on overflows a double, and so do sums of values near 1.8e308. Every
 * value is therefore divided by a power of two M ≥ half the largest magnitude before it is summed or squared, and
 * the moments are multiplied back by M at the end. A power of two divides and multiplies exactly, so for ordinary
 * data the results are bit for bit those of the textbook formulas; for huge data they stay finite.
 */

import type { Objective } from '../types.js';

/** A fitted affine map between one objective's original units and the model's standardized, signed units. */
export interface OutcomeTransform {
  /** +1 or −1: the sign that turns the goal into maximization (targets keep +1). */
  sign: number;
  /** Mean of the signed observations. */
  offset: number;
  /** Standard deviation of the signed observations (1 when fewer than two distinct values). */
  scale: number;
  /** Original value → standardized signed value. */
  forward(y: number): number;
  /** Standardized mean → original units. */
  meanToOriginal(mean: number): number;
  /** Standardized standard deviation → original units. */
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

/** Fits the transform of one outcome with the given sign to its observed values. */
export function fitOutcomeTransform(values: readonly number[], sign = 1): OutcomeTransform {
  const m = scaledMoments(values.map((y) => sign * y));
  return {
    sign,
    offset: m.offset * m.magnitude,
    scale: m.scale * m.magnitude,
    forward: (y) => ((sign * y) / m.magnitude - m.offset) / m.scale,
    meanToOriginal: (mean) => sign * ((m.offset + m.scale * mean) * m.magnitude),
    stdToOriginal: (std) => m.scale * std * m.magnitude,
  };
}
