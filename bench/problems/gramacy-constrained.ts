/**
 * Gramacy et al. (2016) constrained toy problem, 2-D on [0, 1]²: minimize f = x1 + x2 subject to
 * c1 = 1.5 − x1 − 2x2 − 0.5 sin(2π(x1² − 2x2)) ≤ 0 and c2 = x1² + x2² − 1.5 ≤ 0; f* ≈ 0.5998 at (0.1954, 0.4044).
 */

import type { BenchmarkProblem } from './types.js';

/** The objective and both constraint values at (x1, x2). */
export function gramacy(x1: number, x2: number): { f: number; c1: number; c2: number } {
  return {
    f: x1 + x2,
    c1: 1.5 - x1 - 2 * x2 - 0.5 * Math.sin(2 * Math.PI * (x1 * x1 - 2 * x2)),
    c2: x1 * x1 + x2 * x2 - 1.5,
  };
}

export const gramacyProblem: BenchmarkProblem = {
  name: 'Gramacy constrained (2-D)',
  parameters: [
    { name: 'x0', type: 'continuous', min: 0, max: 1 },
    { name: 'x1', type: 'continuous', min: 0, max: 1 },
  ],
  objectives: [{ name: 'f', goal: 'minimize' }],
  constraints: [
    { name: 'c1', op: '<=', value: 0 },
    { name: 'c2', op: '<=', value: 0 },
  ],
  evaluate: (p) => gramacy(Number(p.x0), Number(p.x1)),
  optimum: 0.5997950949615,
};
