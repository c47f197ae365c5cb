/**
 * Upper confidence bound (Srinivas, Krause, Kakade & Seeger 2010), for maximization:
 *
 *   UCB(μ, σ; β) = μ + √β σ.
 */

/** UCB of one point; β ≥ 0 weights exploration (β = 4 gives μ + 2σ). */
export function upperConfidenceBound(mean: number, std: number, beta = 4): number {
  return mean + Math.sqrt(beta) * std;
}

/** Lower confidence bound μ − √β σ (the pessimistic counterpart, for minimization in original units). */
export function lowerConfidenceBound(mean: number, std: number, beta = 4): number {
  return mean - Math.sqrt(beta) * std;
}
