/**
 * Terms every strategy shares, in log space: outcome constraints (log probability of feasibility), target
 * bands of target objectives that sit next to optimized ones (log probability of landing in the band), and the
 * cost-aware penalty −α · E[log cost]. A multiplicative acquisition α(x)·ΠP_j(x)/c(x)^α becomes
 * log α(x) + Σ log P_j(x) − α log c(x); additive ones (UCB, Thompson) take the same sum as a penalty.
 * For a warped outcome (declared range, or Yeo–Johnson) the probabilities are exact in warped units, because the warp
 * is monotone: P(y ≥ v) = P(z ≥ g(v)) and P(lo ≤ y ≤ hi) = P(g(lo) ≤ z ≤ g(hi)) for z ~ N(μ, σ²) the model's
 * posterior (transform.threshold gives g(v) in standardized units; a negative sign swaps the sides).
 */

import { InvalidObjectiveError } from '../errors.js';
import { logProbabilityOfFeasibility } from '../functions/outcome-constraints.js';
import { logTargetBandProbability, type TargetBand } from '../functions/target-matching.js';
import { logNormalProbabilityBetween } from '../sampling/normal-distribution.js';
import type { OutcomeTransform } from '../space/outcome-transform.js';
import type { OutcomeConstraint } from '../types.js';
import { meanStd, type BeliefState } from './belief.js';
import type { Problem } from './problem.js';
import type { OutcomeModel } from './types.js';

/** Which shared terms a strategy wants. */
export interface AdjustmentOptions {
  /** Add target-band probabilities of target objectives (false for the target strategies themselves). */
  targetBands: boolean;
  costAlpha: number;
  costOutcome?: string;
}

/** The model of an outcome, or a typed error saying it has no measurements yet. */
export function requireModel(state: BeliefState, name: string): OutcomeModel {
  const model = state.models.get(name);
  if (!model) throw new InvalidObjectiveError(`Outcome "${name}" has too few measured values to model`, { outcome: name });
  return model;
}

/**
 * Posterior mean and std of an outcome at X in original units: the affine map, or for a warped outcome the
 * Gauss–Hermite moments of the back-transformed Gaussian (inside the declared range).
 */
export function originalMeanStd(problem: Problem, state: BeliefState, name: string, X: number[][]): { mean: Float64Array; std: Float64Array } {
  const { mean, std } = meanStd(requireModel(state, name), X);
  const transform = problem.outcomes.get(name)!.transform;
  if (!transform.warp) return { mean: mean.map((m) => transform.meanToOriginal(m)), std: std.map((s) => transform.stdToOriginal(s)) };
  const outMean = new Float64Array(mean.length);
  const outStd = new Float64Array(mean.length);
  for (let i = 0; i < mean.length; i++) {
    const moments = transform.toOriginal(mean[i], std[i]);
    outMean[i] = moments.mean;
    outStd[i] = moments.std;
  }
  return { mean: outMean, std: outStd };
}

/** A constraint y op v in the standardized units z of a transform: (op, threshold), the op swapped for a negative sign. */
export function warpedConstraint(transform: OutcomeTransform, op: '<=' | '>=', value: number): { op: '<=' | '>='; value: number } {
  const flipped = op === '<=' ? '>=' : '<=';
  return { op: transform.sign > 0 ? op : flipped, value: transform.threshold(value) };
}

/** The band t ± τ of y as an interval [a, b] of z (a ≤ b; ±∞ where an edge lies outside the declared range). */
export function warpedBand(transform: OutcomeTransform, band: TargetBand): { lower: number; upper: number } {
  const a = transform.threshold(band.target - band.tolerance);
  const b = transform.threshold(band.target + band.tolerance);
  return transform.sign > 0 ? { lower: a, upper: b } : { lower: b, upper: a };
}

/** log P(a ≤ z ≤ b) for z ~ N(mean, std²) (the indicator when std = 0). */
export function logIntervalProbability(mean: number, std: number, lower: number, upper: number): number {
  if (!(std > 0)) return mean >= lower && mean <= upper ? 0 : -Infinity;
  return logNormalProbabilityBetween((lower - mean) / std, (upper - mean) / std);
}

/** log P(c op value) at every row of X, exact in the outcome's modelled units (see the file comment). */
export function logFeasibility(problem: Problem, state: BeliefState, constraint: OutcomeConstraint, X: number[][]): Float64Array {
  const transform = problem.outcomes.get(constraint.name)!.transform;
  const out = new Float64Array(X.length);
  if (!transform.warp) {
    const { mean, std } = originalMeanStd(problem, state, constraint.name, X);
    for (let i = 0; i < X.length; i++) out[i] = logProbabilityOfFeasibility(mean[i], std[i], constraint.op, constraint.value);
    return out;
  }
  const { mean, std } = meanStd(requireModel(state, constraint.name), X);
  const warped = warpedConstraint(transform, constraint.op, constraint.value);
  for (let i = 0; i < X.length; i++) out[i] = logProbabilityOfFeasibility(mean[i], std[i], warped.op, warped.value);
  return out;
}

/** log P(|y − t| ≤ τ) of one objective at every row of X, exact in its modelled units (see the file comment). */
export function logTargetBand(problem: Problem, state: BeliefState, name: string, band: TargetBand, X: number[][]): Float64Array {
  const transform = problem.outcomes.get(name)!.transform;
  const out = new Float64Array(X.length);
  if (!transform.warp) {
    const { mean, std } = originalMeanStd(problem, state, name, X);
    for (let i = 0; i < X.length; i++) out[i] = logTargetBandProbability(mean[i], std[i], band);
    return out;
  }
  const { mean, std } = meanStd(requireModel(state, name), X);
  const { lower, upper } = warpedBand(transform, band);
  for (let i = 0; i < X.length; i++) out[i] = logIntervalProbability(mean[i], std[i], lower, upper);
  return out;
}

/** Sum of the shared log-space terms at every row of X. */
export function logAdjustment(problem: Problem, state: BeliefState, X: number[][], options: AdjustmentOptions): Float64Array {
  const total = new Float64Array(X.length);
  for (const constraint of problem.constraints) {
    const terms = logFeasibility(problem, state, constraint, X);
    for (let i = 0; i < X.length; i++) total[i] += terms[i];
  }
  if (options.targetBands) {
    for (const objective of problem.objectives) {
      if (objective.goal !== 'target') continue;
      if (objective.tolerance === undefined) {
        throw new InvalidObjectiveError(`Target objective "${objective.name}" needs a tolerance when optimized together with other objectives`, { objective: objective.name });
      }
      const terms = logTargetBand(problem, state, objective.name, { target: objective.target!, tolerance: objective.tolerance }, X);
      for (let i = 0; i < X.length; i++) total[i] += terms[i];
    }
  }
  if (options.costOutcome && options.costAlpha !== 0) {
    // The cost model is fit to log cost, so its original-unit mean is E[log c].
    const { mean } = originalMeanStd(problem, state, options.costOutcome, X);
    for (let i = 0; i < X.length; i++) total[i] -= options.costAlpha * mean[i];
  }
  return total;
}

/** Whether measured outcomes satisfy a constraint (false when it was not measured). */
export function satisfies(constraint: OutcomeConstraint, value: number | undefined): boolean {
  if (value === undefined || !Number.isFinite(value)) return false;
  return constraint.op === '<=' ? value <= constraint.value : value >= constraint.value;
}

/** Whether measured outcomes are feasible: every constraint measured and satisfied. */
export function outcomesFeasible(constraints: readonly OutcomeConstraint[], outcomes: Readonly<Record<string, number | undefined>>): boolean {
  return constraints.every((c) => satisfies(c, outcomes[c.name]));
}

/** Whether observation i is feasible (outcomesFeasible). */
export function observationFeasible(problem: Problem, i: number): boolean {
  return outcomesFeasible(problem.constraints, problem.observations[i].outcomes);
}

/** Whether believed point j is feasible by the believed (posterior mean) constraint values. */
export function believedFeasible(problem: Problem, state: BeliefState, j: number): boolean {
  return problem.constraints.every((c) => {
    const z = state.believedZ.get(c.name)?.[j];
    // The believed value maps back pointwise (a warped outcome's median: the same side of the threshold as z).
    return z !== undefined && satisfies(c, problem.outcomes.get(c.name)!.transform.inverse(z));
  });
}
