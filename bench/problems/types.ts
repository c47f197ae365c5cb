/** The shape of a benchmark problem: a design space, goals, and a black-box function to evaluate. */

import type { Objective, OutcomeConstraint, Outcomes, Parameter, ParamValues } from '../../acquisition/types.js';

/** One optimization benchmark problem. */
export interface BenchmarkProblem {
  name: string;
  parameters: Parameter[];
  objectives: Objective[];
  constraints?: OutcomeConstraint[];
  /** Evaluates the black box at one point. */
  evaluate(params: ParamValues): Outcomes;
  /** Best achievable value of the single objective (single-objective problems), in its own units. */
  optimum?: number;
  /** Reference point (objective units, signed as the goals) and maximum hypervolume (multi-objective problems). */
  hypervolume?: { reference: number[]; max: number };
}

/** Continuous parameters x0..x{d−1} on [lo, hi]. */
export function boxParameters(d: number, lo: number, hi: number): Parameter[] {
  return Array.from({ length: d }, (_, i) => ({ name: `x${i}`, type: 'continuous' as const, min: lo, max: hi }));
}

/** The numeric values x0..x{d−1} of a parameter record. */
export function vector(params: ParamValues, d: number): number[] {
  return Array.from({ length: d }, (_, i) => Number(params[`x${i}`]));
}
