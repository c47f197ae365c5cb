/**
 * Outcome constraints (Gardner et al. 2014; Gelbart, Snoek & Adams 2014): with an independent Gaussian posterior
 * c ~ N(μ, σ²) for each constrained outcome, the probability of feasibility is
 *
 *   P(c ≤ v) = Φ((v − μ)/σ),   P(c ≥ v) = Φ((μ − v)/σ),
 *
 * and a constrained acquisition is α(x) · Π_j P_j(x) (in log space: log α + Σ_j log P_j).
 */

import { logNormalCdf } from '../sampling/normal-distribution.js';

/** The direction of an outcome constraint (as in OutcomeConstraint.op). */
export type ConstraintOperator = '<=' | '>=';

/** log P(c op value) for c ~ N(mean, std²); the indicator (0 or −Infinity) when std = 0. */
export function logProbabilityOfFeasibility(mean: number, std: number, op: ConstraintOperator, value: number): number {
  const margin = op === '<=' ? value - mean : mean - value;
  if (!(std > 0)) return margin >= 0 ? 0 : -Infinity;
  return logNormalCdf(margin / std);
}

/** P(c op value) for c ~ N(mean, std²). */
export function probabilityOfFeasibility(mean: number, std: number, op: ConstraintOperator, value: number): number {
  return Math.exp(logProbabilityOfFeasibility(mean, std, op, value));
}

/** Multiplies an acquisition value by the probabilities of feasibility of independent constraints. */
export function constrainedAcquisition(score: number, feasibilityProbabilities: readonly number[]): number {
  return feasibilityProbabilities.reduce((product, p) => product * p, score);
}
