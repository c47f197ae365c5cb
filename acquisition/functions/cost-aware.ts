/**
 * Cost-aware acquisition (Snoek, Larochelle & Adams 2012, "EI per second"; Lee et al. 2020, cost-cooling α):
 *
 *   α_cost(x) = α(x) / c(x)^a,   in log space: log α(x) − a · log c(x),
 *
 * with a ∈ [0, 1] trading value against the (predicted) cost of the experiment.
 */

/** Score divided by cost^alpha (cost > 0). */
export function costAwareScore(score: number, cost: number, alpha = 1): number {
  return score / Math.pow(cost, alpha);
}

/** log of the cost-aware score from log score and log cost. */
export function logCostAwareScore(logScore: number, logCost: number, alpha = 1): number {
  return logScore - alpha * logCost;
}
