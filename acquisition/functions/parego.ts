/**
 * ParEGO (Knowles 2006): turn k objectives into one by a random augmented Chebyshev scalarization, then run EI
 * on the scalar. With objectives normalized to [0, 1] (to be maximized) and weights λ on the simplex:
 *
 *   s_λ(y) = min_j λ_j y_j + ρ Σ_j λ_j y_j,   ρ = 0.05,
 *
 * whose maximizers over random λ cover the whole Pareto front, convex or not.
 */

import type { RandomSource } from '../sampling/random.js';

/** Uniform random weights on the (k−1)-simplex (normalized exponential draws). */
export function sampleSimplexWeights(k: number, rng: RandomSource): number[] {
  const draws = Array.from({ length: k }, () => -Math.log(1 - rng.uniform()));
  const total = draws.reduce((a, b) => a + b, 0);
  return draws.map((d) => d / total);
}

/** Augmented Chebyshev scalarization of normalized objective values (all maximized). */
export function augmentedChebyshev(values: readonly number[], weights: readonly number[], rho = 0.05): number {
  let worst = Infinity;
  let sum = 0;
  for (let j = 0; j < values.length; j++) {
    const weighted = weights[j] * values[j];
    worst = Math.min(worst, weighted);
    sum += weighted;
  }
  return worst + rho * sum;
}
