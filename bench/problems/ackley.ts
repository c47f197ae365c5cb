/**
 * Ackley (1987), 5-D, minimize on [−5, 10]⁵ (the box of Eriksson et al. 2019, so the optimum is off-centre):
 * f = −20 exp(−0.2 √(Σx²/d)) − exp(Σ cos(2πx)/d) + 20 + e, f* = 0 at the origin.
 */

import { boxParameters, vector, type BenchmarkProblem } from './types.js';

/** The Ackley function. */
export function ackley(x: readonly number[]): number {
  const d = x.length;
  const squares = x.reduce((s, v) => s + v * v, 0) / d;
  const cosines = x.reduce((s, v) => s + Math.cos(2 * Math.PI * v), 0) / d;
  return -20 * Math.exp(-0.2 * Math.sqrt(squares)) - Math.exp(cosines) + 20 + Math.E;
}

export const ackleyProblem: BenchmarkProblem = {
  name: 'Ackley (5-D)',
  parameters: boxParameters(5, -5, 10),
  objectives: [{ name: 'f', goal: 'minimize' }],
  evaluate: (p) => ({ f: ackley(vector(p, 5)) }),
  optimum: 0,
};
