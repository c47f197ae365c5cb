/**
 * Hartmann 6-D (Hartman 1973), minimize on [0, 1]⁶: f = −Σ_i α_i exp(−Σ_j A_ij (x_j − P_ij)²),
 * f* = −3.32237 at (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573).
 */

import { boxParameters, vector, type BenchmarkProblem } from './types.js';

const ALPHA = [1.0, 1.2, 3.0, 3.2];
const A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((row) => row.map((v) => v * 1e-4));

/** The Hartmann 6-D function. */
export function hartmann6(x: readonly number[]): number {
  let total = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += A[i][j] * (x[j] - P[i][j]) ** 2;
    total -= ALPHA[i] * Math.exp(-inner);
  }
  return total;
}

export const hartmann6Problem: BenchmarkProblem = {
  name: 'Hartmann6 (6-D)',
  parameters: boxParameters(6, 0, 1),
  objectives: [{ name: 'f', goal: 'minimize' }],
  evaluate: (p) => ({ f: hartmann6(vector(p, 6)) }),
  optimum: -3.322368011415515,
};
