/**
 * Per-objective reasons for a suggested point, read off its predictive N(μ, σ²) per outcome (original units), so that
 * a lab sees what each objective expects there:
 *
 * - target with a band [lo, hi] = t ± τ:  P(lo ≤ y ≤ hi) = Φ((hi − μ)/σ) − Φ((lo − μ)/σ);
 * - target without a tolerance:           E|y − t| = σ √(2/π) e^(−d²/2σ²) + d (1 − 2Φ(−d/σ)),  d = μ − t (folded normal);
 * - maximize / minimize:                  expected improvement over the best feasible measured value (the engine's
 *                                         incumbent: every outcome constraint measured and met), in the objective's units,
 *                                         EI = σ (φ(z) + z Φ(z)) with z = (μ − best)/σ (sign-flipped for minimize), and
 *                                         the probability of improvement Φ(z);
 * - outcome constraint c op v:            P(c ≤ v) = Φ((v − μ)/σ), P(c ≥ v) = Φ((μ − v)/σ).
 *
 * σ is the std of the latent outcome the engine reports, without measurement noise: the probabilities are those of
 * the model's mean response, a little sharper than those of one noisy measurement.
 *
 * An outcome with a declared range (lowerBound/upperBound) is modelled on a warped scale, and its reported μ, σ are
 * the moments of a non-Gaussian predictive inside the range (space/outcome-warp.ts). Only μ and σ reach this module,
 * so its band and constraint probabilities use N(μ, σ²) truncated to the range: P(band ∩ range)/P(range), which puts
 * no mass where the outcome cannot be (a constraint beyond the range is met with probability 1 or 0). This is an
 * approximation for display; the engine itself ranks by the exact probabilities in warped units (adjustments.ts).
 * Expected improvements keep the Gaussian formula.
 */

import { expectedImprovement } from '../functions/expected-improvement.js';
import { probabilityOfFeasibility } from '../functions/outcome-constraints.js';
import { probabilityOfImprovement } from '../functions/probability-of-improvement.js';
import { logNormalProbabilityBetween, normalCdf } from '../sampling/normal-distribution.js';
import { outcomeRanges, type OutcomeRange } from '../space/outcome-warp.js';
import type { Objective, OutcomeConstraint } from '../types.js';
import { outcomesFeasible } from './adjustments.js';
import type { Observation } from './types.js';

/** Why one objective or constraint speaks for a point (see the file comment for each formula). */
export type OutcomeReason =
  | { outcome: string; kind: 'target-band'; lower: number; upper: number; probability: number }
  | { outcome: string; kind: 'target-distance'; target: number; expectedDistance: number }
  | { outcome: string; kind: 'improvement'; goal: 'maximize' | 'minimize'; best: number; expectedImprovement: number; probability: number }
  | { outcome: string; kind: 'constraint'; op: '<=' | '>='; value: number; probability: number };

/** P(lo ≤ y ≤ hi) = Φ((hi − μ)/σ) − Φ((lo − μ)/σ) for y ~ N(μ, σ²), accurate in the tails; the indicator when σ = 0. */
export function bandProbability(mean: number, std: number, lower: number, upper: number): number {
  if (!(upper >= lower)) return 0;
  if (!(std > 0)) return mean >= lower && mean <= upper ? 1 : 0;
  return Math.exp(logNormalProbabilityBetween((lower - mean) / std, (upper - mean) / std));
}

/**
 * P(lo ≤ y ≤ hi) for y ~ N(μ, σ²) truncated to a declared range: P(band ∩ range)/P(range) (bandProbability without a
 * range; 0 when the range itself has no mass under the Gaussian).
 */
export function rangedBandProbability(mean: number, std: number, lower: number, upper: number, range: OutcomeRange | undefined): number {
  if (!range) return bandProbability(mean, std, lower, upper);
  const lo = range.lowerBound ?? -Infinity;
  const hi = range.upperBound ?? Infinity;
  const inside = bandProbability(mean, std, lo, hi);
  if (!(inside > 0)) return 0;
  return Math.min(1, bandProbability(mean, std, Math.max(lower, lo), Math.min(upper, hi)) / inside);
}

/** E|y − t| for y ~ N(μ, σ²): σ √(2/π) exp(−d²/2σ²) + d (1 − 2Φ(−d/σ)), d = μ − t (the folded normal's mean). */
export function expectedAbsoluteDeviation(mean: number, std: number, target: number): number {
  const d = mean - target;
  if (!(std > 0)) return Math.abs(d);
  const z = d / std;
  return std * Math.sqrt(2 / Math.PI) * Math.exp(-0.5 * z * z) + d * (1 - 2 * normalCdf(-z));
}

/** Expected improvement over `best` and its probability, for a maximized (y − best) or minimized (best − y) objective. */
export function improvementOver(mean: number, std: number, best: number, goal: 'maximize' | 'minimize'): { expected: number; probability: number } {
  const [m, b] = goal === 'maximize' ? [mean, best] : [-mean, -best];
  return { expected: expectedImprovement(m, std, b), probability: probabilityOfImprovement(m, std, b) };
}

/**
 * The best measured value of each maximized or minimized objective: max or min over the observations that measured it
 * and are feasible by the engine's rule (adjustments.ts outcomesFeasible, as its incumbent); absent while none is.
 */
export function bestMeasured(objectives: readonly Objective[], constraints: readonly OutcomeConstraint[], observations: readonly Observation[]): Record<string, number> {
  const best: Record<string, number> = {};
  const feasible = observations.filter((o) => outcomesFeasible(constraints, o.outcomes));
  for (const objective of objectives) {
    if (objective.goal === 'target') continue;
    const pick = objective.goal === 'maximize' ? Math.max : Math.min;
    for (const o of feasible) {
      const value = o.outcomes[objective.name];
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      best[objective.name] = objective.name in best ? pick(best[objective.name], value) : value;
    }
  }
  return best;
}

/**
 * The reasons of one point: one per objective and constraint that has a finite prediction (none at a cold start), in
 * the order objectives then constraints; an improvement needs a measured best of its objective.
 */
export function outcomeReasons(
  objectives: readonly Objective[], constraints: readonly OutcomeConstraint[], prediction: { mean: Record<string, number>; std: Record<string, number> },
  best: Record<string, number>,
): OutcomeReason[] {
  const reasons: OutcomeReason[] = [];
  const ranges = outcomeRanges(objectives, constraints);
  const predicted = (name: string): [number, number] | undefined => {
    const mean = prediction.mean[name];
    const std = prediction.std[name];
    return Number.isFinite(mean) && Number.isFinite(std) ? [mean, std] : undefined;
  };
  for (const objective of objectives) {
    const p = predicted(objective.name);
    if (!p) continue;
    const [mean, std] = p;
    if (objective.goal === 'target') {
      const target = objective.target!;
      if (objective.tolerance !== undefined) {
        const lower = target - objective.tolerance;
        const upper = target + objective.tolerance;
        reasons.push({ outcome: objective.name, kind: 'target-band', lower, upper, probability: rangedBandProbability(mean, std, lower, upper, ranges.get(objective.name)) });
      } else reasons.push({ outcome: objective.name, kind: 'target-distance', target, expectedDistance: expectedAbsoluteDeviation(mean, std, target) });
    } else if (objective.name in best) {
      const { expected, probability } = improvementOver(mean, std, best[objective.name], objective.goal);
      reasons.push({ outcome: objective.name, kind: 'improvement', goal: objective.goal, best: best[objective.name], expectedImprovement: expected, probability });
    }
  }
  for (const constraint of constraints) {
    const p = predicted(constraint.name);
    if (!p) continue;
    const range = ranges.get(constraint.name);
    const probability = range
      ? rangedBandProbability(p[0], p[1], constraint.op === '>=' ? constraint.value : -Infinity, constraint.op === '<=' ? constraint.value : Infinity, range)
      : probabilityOfFeasibility(p[0], p[1], constraint.op, constraint.value);
    reasons.push({ outcome: constraint.name, kind: 'constraint', op: constraint.op, value: constraint.value, probability });
  }
  return reasons;
}
