/** Synthetic sparse regression problems with known informative features, shared by the feature-selection tests. */
import { createRandom } from '../../../acquisition/sampling/random.js';

/** A problem: X (n x p), y, names x0..x{p−1}, and the indices that really enter y. */
export interface SyntheticProblem {
  X: number[][];
  y: number[];
  names: string[];
  informative: number[];
}

/** y = Σ_k coefficients_k x_{informative_k} + noise · ε, with x and ε standard normal. */
export function sparseLinearProblem(n: number, p: number, seed: number, informative = [0, 5, 12], coefficients = [1, -1, 1], noise = 0.5): SyntheticProblem {
  const random = createRandom(seed);
  const X = Array.from({ length: n }, () => Array.from({ length: p }, () => random.normal()));
  const y = X.map((row) => informative.reduce((s, j, k) => s + coefficients[k] * row[j], 0) + noise * random.normal());
  return { X, y, names: X[0].map((_, j) => `x${j}`), informative };
}

/** y = sin(2π x0) + 4 (x3 − ½)² + 2 x0 x5 + 0.1 ε, with x uniform on [0, 1]: only 0, 3, 5 matter. */
export function sparseNonlinearProblem(n: number, p: number, seed: number): SyntheticProblem {
  const random = createRandom(seed);
  const X = Array.from({ length: n }, () => Array.from({ length: p }, () => random.uniform()));
  const y = X.map((row) => Math.sin(2 * Math.PI * row[0]) + 4 * (row[3] - 0.5) ** 2 + 2 * row[0] * row[5] + 0.1 * random.normal());
  return { X, y, names: X[0].map((_, j) => `x${j}`), informative: [0, 3, 5] };
}

/** Names of the selected entries, sorted. */
export function selectedNames(result: { name: string; selected: boolean }[]): string[] {
  return result.filter((f) => f.selected).map((f) => f.name).sort();
}

/** Names of the given indices, sorted. */
export function namesOf(problem: SyntheticProblem): string[] {
  return problem.informative.map((j) => problem.names[j]).sort();
}
