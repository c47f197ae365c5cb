/**
 * Cheap upper bounds on ranking values, for bound-and-prune pool ranking (optim/pruned-pool.ts). Each uses the exact
 * posterior mean and an upper bound σ⁺ on the posterior standard deviation (OutcomeModel.posteriorBound), and takes
 * the largest value the ranking term can reach for any σ in [0, σ⁺] — by its monotonicity in σ for a fixed μ:
 * - log EI, UCB (β ≥ 0), Σσ² (max-variance): increasing in σ, so the value at σ⁺;
 * - log PI, log P(feasible): increasing in σ while the mean is short of the threshold (value at σ⁺), else at most 0;
 * - log P(in target band): 0 when the mean is inside the band; outside, increasing in σ up to
 *   σ*² = (b² − a²) / (2 ln(b/a)) (a, b the distances to the near and far edge) and decreasing after, so the value at
 *   min(σ⁺, σ*);
 * - −Σ ((μ − t)² + σ²)/s² (target distance): decreasing in σ, so the value at σ = 0;
 * - the cost penalty −α E[log c] reads only the mean.
 * EHVI has no such bound here (its ranking is not monotone in each σ in general): it ranks exhaustively, and so does
 * any ranking whose models lack posteriorBound (e.g. test mocks). Thompson sampling draws from a random subset and is
 * not pruned. Original units go through the outcome transform's meanToOriginal(μ) and stdToOriginal(σ): the bounds
 * hold while the latter is increasing in σ and the former reads μ alone (the affine transforms of outcome-transform.ts).
 * A warped outcome's original-unit mean depends on σ as well (Gauss–Hermite moments), so its terms are bounded in
 * warped units instead, where the posterior is Gaussian and the probabilities exact (adjustments.ts): the same
 * monotonicity arguments hold there, with an asymmetric band [a, b] of z (its near and far edges as above, and
 * increasing in σ up to σ⁺ when the far edge is infinite). originalMeanStdUpper refuses a warped outcome; the target
 * rankers (rankers.ts) therefore build no bound for warped targets and rank them exhaustively.
 */

import { logProbabilityOfFeasibility } from '../functions/outcome-constraints.js';
import { logTargetBandProbability, type TargetBand } from '../functions/target-matching.js';
import { logNormalProbabilityBetween } from '../sampling/normal-distribution.js';
import type { OutcomeConstraint } from '../types.js';
import { requireModel, warpedBand, warpedConstraint, type AdjustmentOptions } from './adjustments.js';
import type { BeliefState, MeanStd } from './belief.js';
import type { Problem } from './problem.js';
import type { OutcomeModel } from './types.js';

/** Exact posterior mean and an upper bound on the posterior std of a model at the rows of X (standardized units). */
export function meanStdUpper(model: OutcomeModel, X: number[][], tight = false): MeanStd {
  if (!model.posteriorBound) throw new Error('meanStdUpper needs a model with posteriorBound');
  const { mean, varianceUpper } = model.posteriorBound(X, tight);
  const std = new Float64Array(varianceUpper.length);
  for (let i = 0; i < std.length; i++) std[i] = Math.sqrt(Math.max(varianceUpper[i], 0));
  return { mean, std };
}

/** Mean and std bound of an outcome at X in original units (the outcome transform must be affine: see the file comment). */
export function originalMeanStdUpper(problem: Problem, state: BeliefState, name: string, X: number[][], tight = false): MeanStd {
  const transform = problem.outcomes.get(name)!.transform;
  if (transform.warp) throw new Error(`originalMeanStdUpper: outcome "${name}" is warped; bound it in warped units`);
  const { mean, std } = meanStdUpper(requireModel(state, name), X, tight);
  return { mean: mean.map((m) => transform.meanToOriginal(m)), std: std.map((s) => transform.stdToOriginal(s)) };
}

/** The outcomes whose models the shared log-space terms read (adjustments.ts), for the given options. */
export function adjustmentOutcomes(problem: Problem, options: AdjustmentOptions): string[] {
  const names = problem.constraints.map((c) => c.name);
  if (options.targetBands) for (const o of problem.objectives) if (o.goal === 'target') names.push(o.name);
  if (options.costOutcome && options.costAlpha !== 0) names.push(options.costOutcome);
  return names;
}

/** Whether every named outcome has a model that gives a posterior bound (otherwise a ranking cannot be pruned). */
export function boundable(state: BeliefState, names: readonly string[]): boolean {
  return names.every((name) => state.models.get(name)?.posteriorBound !== undefined);
}

/** Upper bound of log P(c op value) for c ~ N(μ, σ²) over σ ∈ [0, σ⁺]. */
export function logFeasibilityUpper(mean: number, stdUpper: number, op: '<=' | '>=', value: number): number {
  const margin = op === '<=' ? value - mean : mean - value;
  return margin >= 0 ? 0 : logProbabilityOfFeasibility(mean, stdUpper, op, value);
}

/** Upper bound of log P(|y − t| ≤ τ) for y ~ N(μ, σ²) over σ ∈ [0, σ⁺] (see the file comment). */
export function logTargetBandUpper(mean: number, stdUpper: number, band: TargetBand): number {
  const near = Math.abs(mean - band.target) - band.tolerance;
  if (near <= 0) return 0;
  const far = near + 2 * band.tolerance;
  if (!(far > near)) return -Infinity; // a zero-width band is never hit
  const peak = Math.sqrt((far * far - near * near) / (2 * Math.log(far / near)));
  // Where the peak is not a finite number (extreme ratios), the bound gives up rather than risk being too low.
  if (!Number.isFinite(peak)) return 0;
  return logTargetBandProbability(mean, Math.min(stdUpper, peak), band);
}

/** Upper bound of log P(a ≤ z ≤ b) for z ~ N(μ, σ²) over σ ∈ [0, σ⁺] (an asymmetric band; see the file comment). */
export function logIntervalUpper(mean: number, stdUpper: number, lower: number, upper: number): number {
  if (mean >= lower && mean <= upper) return 0;
  if (!(upper > lower)) return -Infinity;
  const near = mean < lower ? lower - mean : mean - upper;
  const far = mean < lower ? upper - mean : mean - lower;
  const sigma = far === Infinity ? stdUpper : Math.min(stdUpper, Math.sqrt((far * far - near * near) / (2 * Math.log(far / near))));
  // Where the peak is not a finite number (extreme ratios), the bound gives up rather than risk being too low.
  if (!Number.isFinite(sigma)) return 0;
  if (!(sigma > 0)) return -Infinity;
  return logNormalProbabilityBetween((lower - mean) / sigma, (upper - mean) / sigma);
}

/** Upper bound of adjustments.ts logFeasibility over σ ∈ [0, σ⁺] at every row of X. */
function logFeasibilityTermUpper(problem: Problem, state: BeliefState, constraint: OutcomeConstraint, X: number[][], tight: boolean): Float64Array {
  const transform = problem.outcomes.get(constraint.name)!.transform;
  const out = new Float64Array(X.length);
  if (!transform.warp) {
    const { mean, std } = originalMeanStdUpper(problem, state, constraint.name, X, tight);
    for (let i = 0; i < X.length; i++) out[i] = logFeasibilityUpper(mean[i], std[i], constraint.op, constraint.value);
    return out;
  }
  const { mean, std } = meanStdUpper(requireModel(state, constraint.name), X, tight);
  const warped = warpedConstraint(transform, constraint.op, constraint.value);
  for (let i = 0; i < X.length; i++) out[i] = logFeasibilityUpper(mean[i], std[i], warped.op, warped.value);
  return out;
}

/** Upper bound of adjustments.ts logTargetBand over σ ∈ [0, σ⁺] at every row of X. */
export function logTargetBandTermUpper(problem: Problem, state: BeliefState, name: string, band: TargetBand, X: number[][], tight: boolean): Float64Array {
  const transform = problem.outcomes.get(name)!.transform;
  const out = new Float64Array(X.length);
  if (!transform.warp) {
    const { mean, std } = originalMeanStdUpper(problem, state, name, X, tight);
    for (let i = 0; i < X.length; i++) out[i] = logTargetBandUpper(mean[i], std[i], band);
    return out;
  }
  const { mean, std } = meanStdUpper(requireModel(state, name), X, tight);
  const { lower, upper } = warpedBand(transform, band);
  for (let i = 0; i < X.length; i++) out[i] = logIntervalUpper(mean[i], std[i], lower, upper);
  return out;
}

/** Upper bound of the shared log-space terms (adjustments.ts logAdjustment) at every row of X. */
export function logAdjustmentUpper(
  problem: Problem, state: BeliefState, X: number[][], options: AdjustmentOptions, tight = false,
): Float64Array {
  const total = new Float64Array(X.length);
  for (const constraint of problem.constraints) {
    const terms = logFeasibilityTermUpper(problem, state, constraint, X, tight);
    for (let i = 0; i < X.length; i++) total[i] += terms[i];
  }
  if (options.targetBands) {
    for (const objective of problem.objectives) {
      // Without a tolerance the exact ranking throws; the bound leaves that to it.
      if (objective.goal !== 'target' || objective.tolerance === undefined) continue;
      const terms = logTargetBandTermUpper(problem, state, objective.name, { target: objective.target!, tolerance: objective.tolerance }, X, tight);
      for (let i = 0; i < X.length; i++) total[i] += terms[i];
    }
  }
  if (options.costOutcome && options.costAlpha !== 0) {
    const { mean } = originalMeanStdUpper(problem, state, options.costOutcome, X, tight);
    for (let i = 0; i < X.length; i++) total[i] -= options.costAlpha * mean[i];
  }
  return total;
}
