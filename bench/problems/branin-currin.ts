/**
 * Branin–Currin (Belakaria et al. 2019), two objectives on [0, 1]², both minimized: the Branin function on the
 * rescaled box (15x1 − 5, 15x2) and Currin's exponential function
 * f2 = (1 − exp(−1/(2x2))) (2300x1³ + 1900x1² + 2092x1 + 60)/(100x1³ + 500x1² + 4x1 + 20).
 * Hypervolume against the reference point (18, 6) (minimization), maximum ≈ 59.36.
 */

import { branin } from './branin.js';
import type { BenchmarkProblem } from './types.js';

/** Currin's exponential function on [0, 1]². */
export function currin(x1: number, x2: number): number {
  const factor = x2 > 0 ? 1 - Math.exp(-1 / (2 * x2)) : 1;
  return (factor * (2300 * x1 ** 3 + 1900 * x1 ** 2 + 2092 * x1 + 60)) / (100 * x1 ** 3 + 500 * x1 ** 2 + 4 * x1 + 20);
}

export const braninCurrinProblem: BenchmarkProblem = {
  name: 'BraninCurrin (2-D, 2 objectives)',
  parameters: [
    { name: 'x0', type: 'continuous', min: 0, max: 1 },
    { name: 'x1', type: 'continuous', min: 0, max: 1 },
  ],
  objectives: [
    { name: 'branin', goal: 'minimize' },
    { name: 'currin', goal: 'minimize' },
  ],
  evaluate: (p) => {
    const x1 = Number(p.x0), x2 = Number(p.x1);
    return { branin: branin(15 * x1 - 5, 15 * x2), currin: currin(x1, x2) };
  },
  hypervolume: { reference: [18, 6], max: 59.36011874867746 },
};
