/**
 * Pure exploration (uncertainty sampling for regression): the score of a point is its posterior variance,
 *
 *   MV(σ_1..σ_k) = Σ_j σ_j²   (summed over independent objectives, in standardized units),
 *
 * so the next experiment is where the surrogate knows least.
 */

/** Sum of the posterior variances of independent objectives at one point. */
export function maxVarianceScore(stds: readonly number[]): number {
  let total = 0;
  for (const std of stds) total += std * std;
  return total;
}
