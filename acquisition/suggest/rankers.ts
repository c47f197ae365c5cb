/**
 * Rankers: for each model-based strategy, a batched ranking function over encoded points (larger is better,
 * log space where the acquisition is a product) and the map from a ranking value to the reported score.
 * Optimized objectives are ranked in standardized signed units (maximize); target objectives in original units.
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
import type { RankFunction, RankGradient } from '../optim/types.js';
import { logNormalCdf, logNormalPdf } from '../sampling/normal-distribution.js';
import { createRandom } from '../sampling/random.js';
import type { StrategyName } from '../strategy-names.js';
import { believedFeasible, logAdjustment, observationFeasible, originalMeanStd, requireModel, type AdjustmentOptions } from './adjustments.js';
import { meanStd, type BeliefState } from './belief.js';
import { optimizedObjectives, targetObjectives } from './default-strategy.js';
import type { Problem } from './problem.js';
import type { ModelFactory } from './types.js';
import { standardizeValues } from '../space/outcome-transform.js';

/** A strategy's ranking function and how its values are reported. */
export interface Ranker {
  rank: RankFunction;
  score(value: number): number;
  /** Gradient of the ranking at one point, where the strategy and the model provide one. */
  gradient?: RankGradient;
}

/** What a ranker is built from. */
export interface RankerContext {
  problem: Problem;
  state: BeliefState;
  strategy: StrategyName;
  beta: number;
  xi: number;
  adjustment: AdjustmentOptions;
  fitModel: ModelFactory;
  /** Seed of this batch item (ParEGO weights). */
  seed: number;
}

/** Builds the ranker of a model-based strategy (not thompson, random or space-filling). */
export function createRanker(context: RankerContext): Ranker {
  switch (context.strategy) {
    case 'expected-improvement':
    case 'log-expected-improvement':
    case 'probability-of-improvement':
    case 'upper-confidence-bound':
      return singleObjectiveRanker(context);
    case 'max-variance':
      return maxVarianceRanker(context);
    case 'target-matching':
    case 'target-distance':
      return targetRanker(context);
    case 'ehvi':
      return ehviRanker(context);
    case 'parego':
      return paregoRanker(context);
    default:
      throw new Error(`No ranker for strategy ${context.strategy}`);
  }
}

/** Largest standardized value of an objective over feasible measured and believed points; null if none. */
export function incumbent(problem: Problem, state: BeliefState, name: string): number | null {
  const data = problem.outcomes.get(name);
  let best: number | null = null;
  data?.rows.forEach((i, k) => {
    if (observationFeasible(problem, i) && (best === null || data.z[k] > best)) best = data.z[k];
  });
  (state.believedZ.get(name) ?? []).forEach((z, j) => {
    if (believedFeasible(problem, state, j) && (best === null || z > best)) best = z;
  });
  return best;
}

/** EI, log-EI, PI and UCB of the one optimized objective, times feasibility (log space). */
function singleObjectiveRanker(context: RankerContext): Ranker {
  const { problem, state, strategy } = context;
  const objective = optimizedObjectives(problem.objectives)[0];
  const model = requireModel(state, objective.name);
  const scale = problem.outcomes.get(objective.name)!.transform.scale;
  const best = incumbent(problem, state, objective.name);
  const rank: RankFunction = (X) => {
    const { mean, std } = meanStd(model, X);
    const values = logAdjustment(problem, state, X, context.adjustment);
    for (let i = 0; i < X.length; i++) {
      if (strategy === 'upper-confidence-bound') values[i] += upperConfidenceBound(mean[i], std[i], context.beta);
      else if (best === null) continue; // nothing feasible yet: rank by probability of feasibility alone
      else if (strategy === 'probability-of-improvement') values[i] += logProbabilityOfImprovement(mean[i], std[i], best, context.xi);
      else values[i] += logExpectedImprovement(mean[i], std[i], best);
    }
    return values;
  };
  const differentiable = model.posteriorGradient && best !== null && !hasAdjustments(problem, context.adjustment);
  const gradient: RankGradient | undefined = differentiable
    ? (x) => singleObjectiveGradient(strategy, model.posteriorGradient!(x), best!, context.beta, context.xi)
    : undefined;
  const score = (value: number): number => {
    if (strategy === 'expected-improvement') return best === null ? Math.exp(value) : Math.exp(value) * scale;
    if (strategy === 'log-expected-improvement') return best === null ? value : value + Math.log(scale);
    if (strategy === 'probability-of-improvement') return Math.exp(value);
    return value;
  };
  return { rank, score, gradient };
}

/** Whether constraints, target bands or cost add terms to the ranking (their gradients are not implemented). */
function hasAdjustments(problem: Problem, adjustment: AdjustmentOptions): boolean {
  const bands = adjustment.targetBands && problem.objectives.some((o) => o.goal === 'target');
  return problem.constraints.length > 0 || bands || (adjustment.costOutcome !== undefined && adjustment.costAlpha !== 0);
}

/**
 * Value and x-gradient of log EI, log PI or UCB from the posterior gradient, by the chain rule through
 * (μ, σ), σ = √v, ∂σ/∂x = (∂v/∂x)/(2σ). With z = (μ − best)/σ and h(z) = φ(z) + zΦ(z):
 * ∂ log EI/∂μ = Φ(z)/(σ h(z)), ∂ log EI/∂σ = φ(z)/(σ h(z)); ∂ log PI/∂μ = φ(z)/(σΦ(z)), ∂ log PI/∂σ = −z φ(z)/(σΦ(z));
 * ∂ UCB/∂μ = 1, ∂ UCB/∂σ = √β. Ratios are taken in log space so they stay finite in the far tail.
 */
export function singleObjectiveGradient(
  strategy: StrategyName,
  posterior: { mean: number; variance: number; meanGradient: ArrayLike<number>; varianceGradient: ArrayLike<number> },
  best: number, beta: number, xi: number,
): { value: number; gradient: Float64Array } {
  const d = posterior.meanGradient.length;
  const std = Math.sqrt(Math.max(posterior.variance, 0));
  const mean = posterior.mean;
  if (!(std > 1e-12)) return { value: -Infinity, gradient: new Float64Array(d) };
  let value: number, byMean: number, byStd: number;
  if (strategy === 'upper-confidence-bound') {
    value = upperConfidenceBound(mean, std, beta);
    byMean = 1;
    byStd = Math.sqrt(beta);
  } else if (strategy === 'probability-of-improvement') {
    const z = (mean - best - xi) / std;
    value = logNormalCdf(z);
    const ratio = Math.exp(logNormalPdf(z) - value);
    byMean = ratio / std;
    byStd = (-z * ratio) / std;
  } else {
    const z = (mean - best) / std;
    const lh = logH(z);
    value = lh + Math.log(std);
    byMean = Math.exp(logNormalCdf(z) - lh) / std;
    byStd = Math.exp(logNormalPdf(z) - lh) / std;
  }
  const gradient = new Float64Array(d);
  for (let k = 0; k < d; k++) gradient[k] = byMean * posterior.meanGradient[k] + (byStd * posterior.varianceGradient[k]) / (2 * std);
  return { value, gradient };
}

/** Pure exploration: Σ standardized posterior variances of the objectives, times feasibility (log space). */
function maxVarianceRanker(context: RankerContext): Ranker {
  const { problem, state } = context;
  const models = problem.objectives.map((o) => requireModel(state, o.name));
  const rank: RankFunction = (X) => {
    const stds = models.map((model) => meanStd(model, X).std);
    const values = logAdjustment(problem, state, X, context.adjustment);
    for (let i = 0; i < X.length; i++) values[i] += Math.log(maxVarianceScore(stds.map((s) => s[i])));
    return values;
  };
  return { rank, score: Math.exp };
}

/** Target matching (log probability of every band) or minus the expected squared scaled distance. */
function targetRanker(context: RankerContext): Ranker {
  const { problem, state, strategy } = context;
  const targets = targetObjectives(problem.objectives);
  const bands = targets.map((o) => ({ target: o.target!, tolerance: o.tolerance ?? 0 }));
  const scales = targets.map((o) => problem.outcomes.get(o.name)?.transform.scale ?? 1);
  const rank: RankFunction = (X) => {
    const posteriors = targets.map((o) => originalMeanStd(problem, state, o.name, X));
    const values = logAdjustment(problem, state, X, context.adjustment);
    for (let i = 0; i < X.length; i++) {
      const means = posteriors.map((p) => p.mean[i]);
      const stds = posteriors.map((p) => p.std[i]);
      values[i] += strategy === 'target-matching'
        ? logTargetProbability(means, stds, bands)
        : -expectedSquaredTargetDistance(means, stds, bands.map((b) => b.target), scales);
    }
    return values;
  };
  return { rank, score: strategy === 'target-matching' ? Math.exp : (v) => v };
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
function ehviRanker(context: RankerContext): Ranker {
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
function paregoRanker(context: RankerContext): Ranker {
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
  let model = context.fitModel(rows.map((i) => problem.observedX[i]), standardize(scalar), context.seed);
  const best = Math.max(...model.posterior(rows.map((i) => problem.observedX[i])).mean);
  if (state.believedX.length > 0) model = model.fantasize(state.believedX, Array.from(model.posterior(state.believedX).mean));
  const rank: RankFunction = (X) => {
    const { mean, std } = meanStd(model, X);
    const values = logAdjustment(problem, state, X, context.adjustment);
    for (let i = 0; i < X.length; i++) values[i] += logExpectedImprovement(mean[i], std[i], best);
    return values;
  };
  return { rank, score: Math.exp };
}

/** (v − mean)/std of a list (std 1 when constant), without overflow. */
function standardize(values: readonly number[]): number[] {
  return Array.from(standardizeValues(values).values);
}
