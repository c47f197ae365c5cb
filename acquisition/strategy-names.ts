/**
 * The one place where acquisition strategy names are defined. Each name is a string a caller may pass as
 * `suggest({ strategy })`:
 *
 * - `expected-improvement`: EI of the single objective (ranked by its logarithm, so it never flattens to 0).
 * - `log-expected-improvement`: the same ranking, but the reported score is log EI (Ament et al., 2023).
 * - `probability-of-improvement`: PI = Φ((μ − best − ξ)/σ).
 * - `upper-confidence-bound`: μ + √β σ (maximization; β = 4 by default).
 * - `thompson`: argmax of one joint posterior sample per batch item (multi-objective: random Chebyshev weights).
 * - `max-variance`: pure exploration, the point of largest (standardized) posterior variance.
 * - `target-matching`: probability that every target objective lands within its tolerance.
 * - `target-distance`: minus the expected squared (scaled) distance to the target vector, Σ ((μ − t)² + σ²)/s².
 * - `ehvi`: expected hypervolume improvement, 2 or 3 objectives, exact box decomposition.
 * - `parego`: ParEGO, EI on a random augmented-Chebyshev scalarization of the objectives.
 * - `random`: uniform random points (or pool items).
 * - `space-filling`: scrambled Sobol / greedy maximin design; also what cold start returns.
 *
 * Reported scores: EI in the objective's units (times the probability of feasibility and of target bands);
 * log-EI its natural log; PI, target-matching and max-variance as probabilities/variances (standardized units);
 * UCB, Thompson and target-distance in standardized units, plus the log-probability penalties of constraints;
 * EHVI and ParEGO in standardized units; space-filling the distance to the nearest other point in the unit
 * cube; random 0. Scores rank the items of one response; they are not comparable across strategies.
 */

import { UnknownStrategyError } from './errors.js';

/** Every valid strategy name, in documentation order. */
export const STRATEGY_NAMES = [
  'expected-improvement',
  'log-expected-improvement',
  'probability-of-improvement',
  'upper-confidence-bound',
  'thompson',
  'max-variance',
  'target-matching',
  'target-distance',
  'ehvi',
  'parego',
  'random',
  'space-filling',
] as const;

/** A valid strategy name. */
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** Whether a string is a valid strategy name. */
export function isStrategyName(name: string): name is StrategyName {
  return (STRATEGY_NAMES as readonly string[]).includes(name);
}

/** Returns the name typed as StrategyName, or throws UnknownStrategyError listing the valid ones. */
export function parseStrategyName(name: string): StrategyName {
  if (!isStrategyName(name)) throw new UnknownStrategyError(name, STRATEGY_NAMES);
  return name;
}
