/**
 * Hedge over a portfolio of acquisitions (GP-Hedge: Hoffman, Brochu & de Freitas 2011, "Portfolio allocation for
 * Bayesian optimization", after Freund & Schapire's Hedge): each acquisition nominates a point, and nominee k is
 * taken with probability p_k = exp(η g_k) / Σ_j exp(η g_j) for gains g.
 */

/** Hedge probabilities exp(η g_k) / Σ_j exp(η g_j), computed from g − max g so they never overflow. */
export function hedgeProbabilities(gains: readonly number[], eta: number): number[] {
  if (gains.length === 0) return [];
  const top = Math.max(...gains);
  const weights = gains.map((g) => Math.exp(eta * (g - top)));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

/** The index k with P_{k−1} ≤ u < P_k for cumulative probabilities P (u uniform in [0, 1)); the last index if rounding leaves u above P. */
export function drawIndex(probabilities: readonly number[], u: number): number {
  let cumulative = 0;
  for (let k = 0; k < probabilities.length; k++) {
    cumulative += probabilities[k];
    if (u < cumulative) return k;
  }
  return probabilities.length - 1;
}
