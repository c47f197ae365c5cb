/**
 * Output standardization per objective. Models are fit to z = (s·y − m)/c, where s = +1 (maximize, target) or
 * −1 (minimize), m and c the mean and standard deviation of s·y over the observations; so every non-target
 * objective is maximized in standardized units. Posterior moments map back by μ_y = s(m + cμ_z), σ_y = cσ_z.
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

/** The sign that turns a goal into maximization. */
export function goalSign(goal: Objective['goal']): number {
  return goal === 'minimize' ? -1 : 1;
}

/** Mean and (population) standard deviation of values; the scale is 1 when it would be 0. */
export function standardization(values: readonly number[]): { offset: number; scale: number } {
  if (values.length === 0) return { offset: 0, scale: 1 };
  const offset = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - offset) ** 2, 0) / values.length;
  const scale = Math.sqrt(variance);
  return { offset, scale: scale > 0 ? scale : 1 };
}

/** Fits the transform of one outcome with the given sign to its observed values. */
export function fitOutcomeTransform(values: readonly number[], sign = 1): OutcomeTransform {
  const { offset, scale } = standardization(values.map((y) => sign * y));
  return {
    sign,
    offset,
    scale,
    forward: (y) => (sign * y - offset) / scale,
    meanToOriginal: (mean) => sign * (offset + scale * mean),
    stdToOriginal: (std) => scale * std,
  };
}
