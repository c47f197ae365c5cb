/**
 * Rankers: for each model-based strategy, a batched ranking function over encoded points (larger is better,
 * log space where the acquisition is a product) and the map from a ranking value to the reported score.
 * Optimized objectives are ranked in standardized signed units (maximize); target objectives in original units.
 * Which strategy uses which ranker is declared once, in registry.ts.
 */

import { InvalidObjectiveError } from '../errors.js';
import { boxDecomposition, paretoFront } from '../functions/hypervolume.js';
import { expectedHypervolumeImprovement } from '../functions/expected-hypervolume-improvement.js';
import { logExpectedImprovement, logH } from '../functions/log-expected-improvement.js';
import { maxVarianceScore } from '../functions/max-variance.js';
import { augmentedChebyshev, sampleSimplexWeights } from '../functions/parego.js';
import { logProbabilityOfImprovement } from '../functions/probability-of-improvement.js';
import { expectedSquaredTargetDistance, logTargetProbability } from '../functions/target-matching.js';
import { upperConfidenceBound } from '../functions/upper-confidence-bound.js';
import type { BoundFunction, MultiBoundFunction } from '../optim/pruned-pool.js';
import type { MultiRankFunction, RankFunction, RankGradient } from '../optim/types.js';
import { logNormalCdf, logNormalPdf } from '../sampling/normal-distribution.js';
import { createRandom } from '../sampling/random.js';
import { believedFeasible, logAdjustment, observationFeasible, originalMeanStd, requireModel, type AdjustmentOptions } from './adjustments.js';
import { meanStd, type BeliefState } from './belief.js';
import { optimizedObjectives, targetObjectives } from './default-strategy.js';
import type { Problem } from './problem.js';
import type { ModelFactory, OutcomeModel } from './types.js';
import { standardizeValues } from '../space/outcome-transform.js';
import { EXACT_GP_MAX_ROWS, subsetOfData } from './subset.js';
import { adjustmentOutcomes, boundable, logAdjustmentUpper, logTargetBandUpper, meanStdUpper, originalMeanStdUpper } from './bounds.js';
import { hasWarpedTarget, targetScale, warpedTargetMatchingRanker } from './warped-targets.js';

/** A strategy's ranking function and how its values are reported. */
export interface Ranker {
  rank: RankFunction;
  score(value: number): number;
  /** Gradient of the ranking at one point, where the strategy and the model provide one. */
  gradient?: RankGradient;
  /**
   * An upper bound on rank(X) row by row from posterior means and variance bounds (bounds.ts), where the strategy
   * and every model it reads provide one: pool mode then computes exact values only where a bound can still win.
   */
  bound?: BoundFunction;
}

/** What a ranker is built from. */
export interface RankerContext {
  problem: Problem;
  state: BeliefState;
  beta: number;
  xi: number;
  adjustment: AdjustmentOptions;
  fitModel: ModelFactory;
  /** Seed of this batch item (ParEGO weights, noisy EI's joint draws). */
  seed: number;
  /**
   * Single-objective acquisitions read the predictive std √(σ² + σ_n²) of a new measurement instead of the latent
   * σ (as scikit-learn's GP with a white-noise kernel predicts), σ_n² the model's fitted noise variance (0 for a
   * model that reports none). Default false.
   */
  stdIncludesNoise?: boolean;
}

/** Posterior mean and variance at one point with their x-gradients (OutcomeModel.posteriorGradient). */
export interface PointPosteriorGradient {
  mean: number;
  variance: number;
  meanGradient: ArrayLike<number>;
  varianceGradient: ArrayLike<number>;
}

/** Value and x-gradient of a single-objective ranking at one point, given the incumbent, β and ξ. */
export type SingleObjectiveGradient = (posterior: PointPosteriorGradient, best: number, beta: number, xi: number) => { value: number; gradient: Float64Array };

/** One single-objective acquisition: its ranking value per point, that value's x-gradient, and its reported score. */
export interface SingleObjectiveAcquisition {
  /** Whether it compares with the incumbent (while nothing feasible was measured it ranks by feasibility alone). */
  usesIncumbent: boolean;
  /** Ranking value from the posterior at one point (log space for EI and PI; `best` is unused without an incumbent). */
  value(mean: number, std: number, best: number, beta: number, xi: number): number;
  /** The largest `value` over σ ∈ [0, stdUpper] at this mean (bounds.ts; NaN where there is none: never prunes). */
  upper(mean: number, stdUpper: number, best: number, beta: number, xi: number): number;
  gradient: SingleObjectiveGradient;
  /** Reported score of a ranking value; `scale` is the objective's standardization scale. */
  score(value: number, best: number | null, scale: number): number;
}

/** Largest standardized value of an objective over feasible measured and believed points; null if none. */
export function incumbent(problem: Problem, state: BeliefState, name: string): number | null {
  let best: number | null = null;
  // A loop, not Math.max(...): a campaign may hold more results than a call takes arguments.
  for (const z of incumbentCandidates(problem, state, name).z) if (best === null || z > best) best = z;
  return best;
}

/** The feasible measured points of an objective and the feasible believed points: encoded x and standardized value. */
export function incumbentCandidates(problem: Problem, state: BeliefState, name: string): { X: number[][]; z: number[] } {
  const data = problem.outcomes.get(name);
  const X: number[][] = [], z: number[] = [];
  data?.rows.forEach((i, k) => {
    if (!observationFeasible(problem, i)) return;
    X.push(data.X[k]);
    z.push(data.z[k]);
  });
  (state.believedZ.get(name) ?? []).forEach((value, j) => {
    if (!believedFeasible(problem, state, j)) return;
    X.push(state.believedX[j]);
    z.push(value);
  });
  return { X, z };
}

/** The model's noise variance where the ranking asks for the predictive std of a measurement, else 0. */
export function addedNoiseVariance(model: OutcomeModel, context: RankerContext): number {
  return context.stdIncludesNoise ? model.hyperparameters?.noiseVariance ?? 0 : 0;
}

/** √(σ² + extra) of each std (extra ≥ 0 a variance; the same array when extra is 0). */
export function widenStd(std: Float64Array, extra: number): Float64Array {
  return extra > 0 ? std.map((s) => Math.sqrt(s * s + extra)) : std;
}

/**
 * A single-objective acquisition (EI, log-EI, PI, UCB) of the one optimized objective, times feasibility (log space).
 * `best` overrides the incumbent (the best feasible measured or believed value) where a strategy defines its own.
 */
export function singleObjectiveRanker(
  context: RankerContext, acquisition: SingleObjectiveAcquisition, best: number | null = incumbent(context.problem, context.state, optimizedObjectives(context.problem.objectives)[0].name),
): Ranker {
  const { problem } = context;
  const terms = singleObjectiveTerms(context);
  const objective = optimizedObjectives(problem.objectives)[0];
  const scale = problem.outcomes.get(objective.name)!.transform.scale;
  const rank: RankFunction = (X) => acquisitionValues(acquisition, terms.exact(X), best, context, 'value');
  const { model, noise } = terms;
  const differentiable = model.posteriorGradient && best !== null && !hasAdjustments(problem, context.adjustment);
  const gradient: RankGradient | undefined = differentiable
    ? (x) => {
      const posterior = model.posteriorGradient!(x);
      return acquisition.gradient({ ...posterior, variance: posterior.variance + noise }, best!, context.beta, context.xi);
    }
    : undefined;
  const upper = terms.upper;
  const bound: BoundFunction | undefined = upper ? (X, tight) => acquisitionValues(acquisition, upper(X, tight), best, context, 'upper') : undefined;
  return { rank, score: (value) => acquisition.score(value, best, scale), gradient, bound };
}

/**
 * The members of a single-objective portfolio (gp-hedge) of one batch item, ranked together: `members` are their own
 * rankers (as singleObjectiveRanker builds them: scores, gradients, continuous mode), `rank` gives every member's
 * values from one posterior of the objective and one pass of the shared log terms, and `bound` every member's upper
 * bounds from one bound pass (each acquisition is monotone in σ at a fixed μ, bounds.ts, so one σ⁺ serves all).
 * Member k's arrays equal members[k].rank and .bound exactly.
 */
export interface PortfolioRankers {
  members: Ranker[];
  rank: MultiRankFunction;
  bound?: MultiBoundFunction;
}

/** PortfolioRankers of these acquisitions for one batch item (see PortfolioRankers). */
export function portfolioRankers(context: RankerContext, acquisitions: readonly SingleObjectiveAcquisition[]): PortfolioRankers {
  const best = incumbent(context.problem, context.state, optimizedObjectives(context.problem.objectives)[0].name);
  const terms = singleObjectiveTerms(context);
  const upper = terms.upper;
  return {
    members: acquisitions.map((acquisition) => singleObjectiveRanker(context, acquisition, best)),
    rank: (X) => {
      const exact = terms.exact(X);
      return acquisitions.map((acquisition) => acquisitionValues(acquisition, exact, best, context, 'value'));
    },
    bound: upper
      ? (X, tight) => {
        const bounds = upper(X, tight);
        return acquisitions.map((acquisition) => acquisitionValues(acquisition, bounds, best, context, 'upper'));
      }
      : undefined,
  };
}

/** What a single-objective acquisition reads at each row: the objective's mean and std, and the shared log terms. */
interface SingleObjectiveRows {
  mean: Float64Array;
  std: Float64Array;
  adjustment: Float64Array;
}

/**
 * The objective's model and added noise variance, its exact rows (posterior mean, std widened by the noise where
 * asked, logAdjustment) and, where every model read has a posterior bound, their upper counterparts (exact mean,
 * σ⁺ widened alike, logAdjustmentUpper: bounds.ts).
 */
function singleObjectiveTerms(context: RankerContext): {
  model: OutcomeModel;
  noise: number;
  exact(X: number[][]): SingleObjectiveRows;
  upper?: (X: number[][], tight?: boolean) => SingleObjectiveRows;
} {
  const { problem, state } = context;
  const objective = optimizedObjectives(problem.objectives)[0];
  const model = requireModel(state, objective.name);
  const noise = addedNoiseVariance(model, context);
  const exact = (X: number[][]): SingleObjectiveRows => {
    const posterior = meanStd(model, X);
    return { mean: posterior.mean, std: widenStd(posterior.std, noise), adjustment: logAdjustment(problem, state, X, context.adjustment) };
  };
  const upper = (X: number[][], tight = false): SingleObjectiveRows => {
    const bound = meanStdUpper(model, X, tight);
    return { mean: bound.mean, std: widenStd(bound.std, noise), adjustment: logAdjustmentUpper(problem, state, X, context.adjustment, tight) };
  };
  return { model, noise, exact, ...(boundable(state, [objective.name, ...adjustmentOutcomes(problem, context.adjustment)]) ? { upper } : {}) };
}

/**
 * An acquisition's ranking values (`value`) or upper bounds (`upper`, from bound rows) at the rows: the shared log
 * terms plus the acquisition; while nothing feasible was measured an incumbent-based one ranks by the log terms alone.
 */
function acquisitionValues(
  acquisition: SingleObjectiveAcquisition, rows: SingleObjectiveRows, best: number | null, context: RankerContext, which: 'value' | 'upper',
): Float64Array {
  const values = Float64Array.from(rows.adjustment);
  if (acquisition.usesIncumbent && best === null) return values;
  const { mean, std } = rows;
  for (let i = 0; i < values.length; i++) values[i] += acquisition[which](mean[i], std[i], best ?? 0, context.beta, context.xi);
  return values;
}

/** Whether constraints, target bands or cost add terms to the ranking (their gradients are not implemented). */
function hasAdjustments(problem: Problem, adjustment: AdjustmentOptions): boolean {
  const bands = adjustment.targetBands && problem.objectives.some((o) => o.goal === 'target');
  return problem.constraints.length > 0 || bands || (adjustment.costOutcome !== undefined && adjustment.costAlpha !== 0);
}

/**
 * Value and x-gradient of a ranking from the posterior gradient, by the chain rule through (μ, σ), σ = √v,
 * ∂σ/∂x = (∂v/∂x)/(2σ); `partials` gives the value and its derivatives in μ and σ.
 */
function chainRule(
  posterior: PointPosteriorGradient,
  partials: (mean: number, std: number) => { value: number; byMean: number; byStd: number },
): { value: number; gradient: Float64Array } {
  const d = posterior.meanGradient.length;
  const std = Math.sqrt(Math.max(posterior.variance, 0));
  if (!(std > 1e-12)) return { value: -Infinity, gradient: new Float64Array(d) };
  const { value, byMean, byStd } = partials(posterior.mean, std);
  const gradient = new Float64Array(d);
  for (let k = 0; k < d; k++) gradient[k] = byMean * posterior.meanGradient[k] + (byStd * posterior.varianceGradient[k]) / (2 * std);
  return { value, gradient };
}

/**
 * log EI and its gradient. With z = (μ − best)/σ and h(z) = φ(z) + zΦ(z): ∂ log EI/∂μ = Φ(z)/(σ h(z)),
 * ∂ log EI/∂σ = φ(z)/(σ h(z)). Ratios are taken in log space so they stay finite in the far tail.
 */
export const logExpectedImprovementGradient: SingleObjectiveGradient = (posterior, best) =>
  chainRule(posterior, (mean, std) => {
    const z = (mean - best) / std;
    const lh = logH(z);
    return { value: lh + Math.log(std), byMean: Math.exp(logNormalCdf(z) - lh) / std, byStd: Math.exp(logNormalPdf(z) - lh) / std };
  });

/** log PI and its gradient: ∂ log PI/∂μ = φ(z)/(σΦ(z)), ∂ log PI/∂σ = −z φ(z)/(σΦ(z)), z = (μ − best − ξ)/σ. */
export const logProbabilityOfImprovementGradient: SingleObjectiveGradient = (posterior, best, _beta, xi) =>
  chainRule(posterior, (mean, std) => {
    const z = (mean - best - xi) / std;
    const value = logNormalCdf(z);
    const ratio = Math.exp(logNormalPdf(z) - value);
    return { value, byMean: ratio / std, byStd: (-z * ratio) / std };
  });

/** UCB and its gradient: ∂ UCB/∂μ = 1, ∂ UCB/∂σ = √β. */
export const upperConfidenceBoundGradient: SingleObjectiveGradient = (posterior, _best, beta) =>
  chainRule(posterior, (mean, std) => ({ value: upperConfidenceBound(mean, std, beta), byMean: 1, byStd: Math.sqrt(beta) }));

/** Expected improvement, ranked by log EI; reported as EI in the objective's units (warped units for a ranged objective: the model's scale). */
export const EXPECTED_IMPROVEMENT: SingleObjectiveAcquisition = {
  usesIncumbent: true,
  value: (mean, std, best) => logExpectedImprovement(mean, std, best),
  // ∂ log EI/∂σ = φ(z)/(σ h(z)) > 0.
  upper: (mean, stdUpper, best) => logExpectedImprovement(mean, stdUpper, best),
  gradient: logExpectedImprovementGradient,
  score: (value, best, scale) => (best === null ? Math.exp(value) : Math.exp(value) * scale),
};

/** The same ranking as EXPECTED_IMPROVEMENT, reported as log EI (natural log, objective's units; warped units for a ranged objective). */
export const LOG_EXPECTED_IMPROVEMENT: SingleObjectiveAcquisition = {
  ...EXPECTED_IMPROVEMENT,
  score: (value, best, scale) => (best === null ? value : value + Math.log(scale)),
};

/** Probability of improving on the incumbent by ξ, ranked by its logarithm, reported as a probability. */
export const PROBABILITY_OF_IMPROVEMENT: SingleObjectiveAcquisition = {
  usesIncumbent: true,
  value: (mean, std, best, _beta, xi) => logProbabilityOfImprovement(mean, std, best, xi),
  // ∂ log PI/∂σ = −z φ(z)/(σΦ(z)): positive below best + ξ; above it PI ≤ 1.
  upper: (mean, stdUpper, best, _beta, xi) => (mean - best - xi >= 0 ? 0 : logProbabilityOfImprovement(mean, stdUpper, best, xi)),
  gradient: logProbabilityOfImprovementGradient,
  score: (value) => Math.exp(value),
};

/** μ + √β σ in standardized units (plus the log penalties); needs no incumbent. */
export const UPPER_CONFIDENCE_BOUND: SingleObjectiveAcquisition = {
  usesIncumbent: false,
  value: (mean, std, _best, beta) => upperConfidenceBound(mean, std, beta),
  upper: (mean, stdUpper, _best, beta) => (beta >= 0 ? upperConfidenceBound(mean, stdUpper, beta) : Number.NaN),
  gradient: upperConfidenceBoundGradient,
  score: (value) => value,
};

/** Pure exploration: Σ standardized posterior variances of the objectives, times feasibility (log space). */
export function maxVarianceRanker(context: RankerContext): Ranker {
  const { problem, state } = context;
  const models = problem.objectives.map((o) => requireModel(state, o.name));
  const rank: RankFunction = (X) => {
    const stds = models.map((model) => meanStd(model, X).std);
    const values = logAdjustment(problem, state, X, context.adjustment);
    for (let i = 0; i < X.length; i++) values[i] += Math.log(maxVarianceScore(stds.map((s) => s[i])));
    return values;
  };
  const names = [...problem.objectives.map((o) => o.name), ...adjustmentOutcomes(problem, context.adjustment)];
  // Σσ² is increasing in every σ: the value at the upper bounds.
  const bound: BoundFunction | undefined = boundable(state, names)
    ? (X, tight) => {
      const stds = models.map((model) => meanStdUpper(model, X, tight).std);
      const values = logAdjustmentUpper(problem, state, X, context.adjustment, tight);
      for (let i = 0; i < X.length; i++) values[i] += Math.log(maxVarianceScore(stds.map((s) => s[i])));
      return values;
    }
    : undefined;
  return { rank, score: Math.exp, bound };
}

/** Target matching: log probability that every target objective lands in its band (reported as that probability). */
export function targetMatchingRanker(context: RankerContext): Ranker {
  // Warped targets: band probabilities exact in warped units (warped-targets.ts).
  if (hasWarpedTarget(context.problem)) return warpedTargetMatchingRanker(context);
  return targetRanker(
    context, (means, stds, bands) => logTargetProbability(means, stds, bands), Math.exp,
    (means, stdUppers, bands) => bands.reduce((sum, band, j) => sum + logTargetBandUpper(means[j], stdUppers[j], band), 0),
  );
}

/** Target distance: minus the expected squared scaled distance to the target vector (reported as is). */
export function targetDistanceRanker(context: RankerContext): Ranker {
  const distance = (means: number[], stds: number[], bands: { target: number }[], scales: number[]): number =>
    -expectedSquaredTargetDistance(means, stds, bands.map((b) => b.target), scales);
  // Decreasing in every σ: the value at σ = 0.
  return targetRanker(context, distance, (v) => v, (means, stdUppers, bands, scales) => distance(means, stdUppers.map(() => 0), bands, scales));
}

/** A ranking of the target objectives' posteriors (original units) at each point, plus the shared log terms. */
function targetRanker(
  context: RankerContext,
  value: (means: number[], stds: number[], bands: { target: number; tolerance: number }[], scales: number[]) => number,
  score: (value: number) => number,
  upper: (means: number[], stdUppers: number[], bands: { target: number; tolerance: number }[], scales: number[]) => number,
): Ranker {
  const { problem, state } = context;
  const targets = targetObjectives(problem.objectives);
  const bands = targets.map((o) => ({ target: o.target!, tolerance: o.tolerance ?? 0 }));
  const scales = targets.map((o) => targetScale(problem, o.name));
  const rank: RankFunction = (X) => {
    const posteriors = targets.map((o) => originalMeanStd(problem, state, o.name, X));
    const values = logAdjustment(problem, state, X, context.adjustment);
    for (let i = 0; i < X.length; i++) {
      const means = posteriors.map((p) => p.mean[i]);
      const stds = posteriors.map((p) => p.std[i]);
      values[i] += value(means, stds, bands, scales);
    }
    return values;
  };
  // A warped target's original-unit mean depends on σ too (bounds.ts): no bound, every candidate ranked exactly.
  const bound: BoundFunction | undefined = !hasWarpedTarget(problem) && boundable(state, [...targets.map((o) => o.name), ...adjustmentOutcomes(problem, context.adjustment)])
    ? (X, tight) => {
      const posteriors = targets.map((o) => originalMeanStdUpper(problem, state, o.name, X, tight));
      const values = logAdjustmentUpper(problem, state, X, context.adjustment, tight);
      for (let i = 0; i < X.length; i++) values[i] += upper(posteriors.map((p) => p.mean[i]), posteriors.map((p) => p.std[i]), bands, scales);
      return values;
    }
    : undefined;
  return { rank, score, bound };
}

/** Standardized objective vectors of feasible measured points (all objectives measured) and believed points. */
function objectiveVectors(problem: Problem, state: BeliefState, names: readonly string[]): { feasible: number[][]; all: number[][] } {
  const feasible: number[][] = [];
  const all: number[][] = [];
  problem.observations.forEach((o, i) => {
    if (!names.every((n) => Number.isFinite(o.outcomes[n]))) return;
    const z = names.map((n) => problem.outcomes.get(n)!.transform.forward(o.outcomes[n]));
    all.push(z);
    if (observationFeasible(problem, i)) feasible.push(z);
  });
  state.believedX.forEach((_, j) => {
    if (believedFeasible(problem, state, j)) feasible.push(names.map((n) => state.believedZ.get(n)![j]));
  });
  return { feasible, all };
}

/** Reference point for hypervolume: per objective, the worst observed value minus 10% of the observed range. */
export function referencePoint(points: readonly number[][], k: number): number[] {
  if (points.length === 0) throw new InvalidObjectiveError('Hypervolume needs at least one observation with every objective measured');
  return Array.from({ length: k }, (_, j) => {
    const values = points.map((p) => p[j]);
    const lo = Math.min(...values);
    const range = Math.max(...values) - lo;
    return lo - 0.1 * (range > 0 ? range : 1);
  });
}

/** The reference value of one objective from the request, or a typed error if it is missing or not finite. */
function requireReference(reference: Record<string, number>, name: string): number {
  const value = reference[name];
  if (!Number.isFinite(value)) throw new InvalidObjectiveError(`referencePoint needs a finite value for objective "${name}"`, { objective: name });
  return value;
}

/** EHVI of the optimized objectives over the (feasible, believed) front, times feasibility (log space). */
export function ehviRanker(context: RankerContext): Ranker {
  const { problem, state } = context;
  const names = optimizedObjectives(problem.objectives).map((o) => o.name);
  const models = names.map((n) => requireModel(state, n));
  const { feasible, all } = objectiveVectors(problem, state, names);
  const given = problem.request.options?.referencePoint;
  const reference = given ? names.map((n) => problem.outcomes.get(n)!.transform.forward(requireReference(given, n))) : referencePoint(all, names.length);
  const boxes = boxDecomposition(paretoFront(feasible), reference);
  const rank: RankFunction = (X) => {
    const posteriors = models.map((m) => meanStd(m, X));
    const values = logAdjustment(problem, state, X, context.adjustment);
    for (let i = 0; i < X.length; i++) {
      values[i] += Math.log(expectedHypervolumeImprovement(posteriors.map((p) => p.mean[i]), posteriors.map((p) => p.std[i]), boxes));
    }
    return values;
  };
  return { rank, score: Math.exp };
}

/**
 * ParEGO: draw weights for this batch item (times the objectives' `weight`, renormalized), scalarize the measured objectives (normalized to [0, 1] over the
 * observations) by the augmented Chebyshev function, fit a model to the scalar, condition it on the believed
 * points, and rank by its log EI (times feasibility).
 */
export function paregoRanker(context: RankerContext): Ranker {
  const { problem, state } = context;
  const names = optimizedObjectives(problem.objectives).map((o) => o.name);
  const rows = problem.observations.flatMap((o, i) => (names.every((n) => Number.isFinite(o.outcomes[n])) ? [i] : []));
  if (rows.length < 2) throw new InvalidObjectiveError('ParEGO needs at least two observations with every objective measured');
  const z = rows.map((i) => names.map((n) => problem.outcomes.get(n)!.transform.forward(problem.observations[i].outcomes[n])));
  const lo = names.map((_, j) => Math.min(...z.map((v) => v[j])));
  const hi = names.map((_, j) => Math.max(...z.map((v) => v[j])));
  const normalize = (v: readonly number[]): number[] => v.map((x, j) => (hi[j] > lo[j] ? (x - lo[j]) / (hi[j] - lo[j]) : 0.5));
  // Objective weights (default 1) tilt the random simplex weights toward the more important objectives.
  const importance = optimizedObjectives(problem.objectives).map((o) => o.weight ?? 1);
  const drawn = sampleSimplexWeights(names.length, createRandom(context.seed)).map((w, j) => w * importance[j]);
  const weights = drawn.map((w) => w / drawn.reduce((a, b) => a + b, 0));
  const scalar = z.map((v) => augmentedChebyshev(normalize(v), weights));
  const target = standardize(scalar);
  // Above EXACT_GP_MAX_ROWS the scalarization's GP sees the subset of data (subset.ts), as every per-outcome GP does.
  const fitted = rows.length > EXACT_GP_MAX_ROWS ? subsetOfData(target) : rows.map((_, k) => k);
  let model = context.fitModel(fitted.map((k) => problem.observedX[rows[k]]), fitted.map((k) => target[k]), context.seed);
  const best = Math.max(...model.posterior(rows.map((i) => problem.observedX[i])).mean);
  if (state.believedX.length > 0) model = model.fantasize(state.believedX, Array.from(model.posterior(state.believedX).mean));
  const rank: RankFunction = (X) => {
    const { mean, std } = meanStd(model, X);
    const values = logAdjustment(problem, state, X, context.adjustment);
    for (let i = 0; i < X.length; i++) values[i] += logExpectedImprovement(mean[i], std[i], best);
    return values;
  };
  const bound: BoundFunction | undefined = model.posteriorBound && boundable(state, adjustmentOutcomes(problem, context.adjustment))
    ? (X, tight) => {
      const { mean, std } = meanStdUpper(model, X, tight);
      const values = logAdjustmentUpper(problem, state, X, context.adjustment, tight);
      for (let i = 0; i < X.length; i++) values[i] += logExpectedImprovement(mean[i], std[i], best);
      return values;
    }
    : undefined;
  return { rank, score: Math.exp, bound };
}

/** (v − mean)/std of a list (std 1 when constant), without overflow. */
function standardize(values: readonly number[]): number[] {
  return Array.from(standardizeValues(values).values);
}
