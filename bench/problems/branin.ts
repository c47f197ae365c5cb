/**
 * Branin–Hoo (Dixon & Szegő 1978), 2-D, minimize over x1 ∈ [−5, 10], x2 ∈ [0, 15]:
 * f = (x2 − 5.1x1²/(4π²) + 5x1/π − 6)² + 10(1 − 1/(8π)) cos x1 + 10; three global minima, f* = 0.397887.
 */

import type { BenchmarkProblem } from './types.js';

/** The Branin function. */
export function branin(x1: number, x2: number): number {
  const b = 5.1 / (4 * Math.PI * Math.PI);
  const c = 5 / Math.PI;
  const t = 1 / (8 * Math.PI);
  return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
}

export const braninProblem: BenchmarkProblem = {
  name: 'Branin (2-D)',
  parameters: [
    { name: 'x0', type: 'continuous', min: -5, max: 10 },
    { name: 'x1', type: 'continuous', min: 0, max: 15 },
  ],
  objectives: [{ name: 'f', goal: 'minimize' }],
  evaluate: (p) => ({ f: branin(Number(p.x0), Number(p.x1)) }),
  optimum: 0.39788735772973816,
};
