/**
 * The acquisition strategies of suggest(), one entry each: the one list of valid names (the API validates against
 * it, see strategy-names.ts), and everything suggest() needs to know about a strategy: what it ranks by, whether it
 * needs a model, which objectives it serves, the options it reads and their defaults, how it treats pending points,
 * how it picks points (its ranker and gradient, a joint posterior draw, or a model-free design).
 *
 * Reported scores rank the items of one response; they are not comparable across strategies. Every model-based
 * ranking also carries the shared log-space terms of adjustments.ts (outcome constraints, target bands where
 * `targetBands`, cost).
 */

import type { Objective } from '../types.js';
import { optimizedObjectives, targetObjectives } from './default-strategy.js';
import { noisyExpectedImprovementRanker } from './noisy-ranker.js';
import {
  EXPECTED_IMPROVEMENT, LOG_EXPECTED_IMPROVEMENT, PROBABILITY_OF_IMPROVEMENT, UPPER_CONFIDENCE_BOUND,
  ehviRanker, maxVarianceRanker, paregoRanker, singleObjectiveRanker, targetDistanceRanker, targetMatchingRanker,
  type Ranker, type RankerContext, type SingleObjectiveAcquisition, type SingleObjectiveGradient,
} from './rankers.js';
import type { Problem } from './problem.js';
import { randomDesign, spaceFillingDesign, type DesignPoint } from './space-filling.js';
import type { BetaSchedule } from './types.js';

/** UCB's exploration weight β when the request gives none (μ + 2σ, standardized units). */
export const DEFAULT_BETA = 4;
/** PI's minimum improvement ξ when the request gives none (standardized units). */
export const DEFAULT_XI = 0.01;
/**
 * GP-Hedge's learning rate η on gains in standardized units: 1, the rate of Hoffman et al.'s experiments and of common
 * implementations; with posterior means that differ by a fraction of a standard deviation it keeps every member in play.
 */
export const HEDGE_ETA = 1;

/**
 * How a strategy picks points:
 * - `design`: a model-free design of all `count` points at once;
 * - `ranker`: each batch item maximizes the ranker over the design space or the pool. In pool mode `shortlist`
 *   re-ranks only the best candidates of the first item after it, `whole-pool` re-ranks every candidate each time
 *   (for rankings that change per item, such as ParEGO's weights);
 * - `thompson`: each item is the argmax of one joint posterior draw (thompson.ts);
 * - `portfolio`: each member acquisition nominates its best point (over the whole available pool, or the design
 *   space), and a seeded Hedge draw picks one nominee (select.ts, functions/portfolio.ts). In pool mode the members
 *   share one posterior pass: the means and variance bounds once, pruned for all together (rankers.ts
 *   portfolioRankers, optim/pruned-pool.ts), so the portfolio costs about one member.
 */
export type PickRule =
  | { kind: 'design'; design(problem: Problem, count: number, seed: number): DesignPoint[] }
  | { kind: 'ranker'; ranker(context: RankerContext): Ranker; poolRescore: 'shortlist' | 'whole-pool' }
  | { kind: 'thompson' }
  | { kind: 'portfolio'; members: readonly SingleObjectiveAcquisition[]; eta: number };

/** One acquisition strategy (see the file comment). */
export interface AcquisitionStrategy {
  /** What it ranks by, and the units of its reported score. */
  description: string;
  /**
   * 'model': one model per outcome is fit, and below coldStartThreshold observations a space-filling design is
   * returned instead; 'none': fits nothing, works on any data, its items carry no predictions.
   */
  needs: 'model' | 'none';
  /** Why it cannot serve these objectives, or null when it can. */
  unsupported(objectives: readonly Objective[]): string | null;
  /** The StrategyOptions it reads, with their defaults. */
  defaults: Readonly<{ beta?: number; xi?: number; betaSchedule?: BetaSchedule; stdIncludesNoise?: boolean }>;
  /** Whether the band probabilities of target objectives multiply its ranking (not for the target strategies, which rank by them). */
  targetBands: boolean;
  /**
   * Pending points are never suggested again, and besides: 'believed', added to the models at their posterior mean
   * (Kriging believer, belief.ts); 'covered', the design keeps away from them as from measured points; 'excluded', nothing more.
   */
  pending: 'believed' | 'covered' | 'excluded';
  pick: PickRule;
  /** The closed-form x-gradient of its ranking value (L-BFGS refinement of continuous starts), if it has one. */
  gradient?: SingleObjectiveGradient;
  /**
   * What one batch item costs against the service's inline budget, in units of a continuous item (the service answers
   * inline while count × cost ≤ its sync limit, else runs the batch as a background job). Absent: DEFAULT_BATCH_ITEM_COST.
   */
  batchItemCost?: Readonly<{ pool: number; continuous: number }>;
}

/**
 * A continuous item optimizes over the design space (cost 1); a pool item re-ranks a shortlist of one fixed
 * candidate set with a model updated by a rank-one belief, cheap enough to answer any pool batch inline.
 */
export const DEFAULT_BATCH_ITEM_COST: Readonly<{ pool: number; continuous: number }> = { pool: 0, continuous: 1 };

/** The inline-budget cost of one batch item of this strategy (see AcquisitionStrategy.batchItemCost). */
export function batchItemCost(name: StrategyName, pool: boolean): number {
  const cost = ACQUISITION_STRATEGIES[name].batchItemCost ?? DEFAULT_BATCH_ITEM_COST;
  return pool ? cost.pool : cost.continuous;
}

/** Why a single-objective strategy cannot serve these objectives, or null. */
function oneOptimized(objectives: readonly Objective[]): string | null {
  const optimized = optimizedObjectives(objectives).length;
  return optimized === 1 ? null : `it needs exactly one objective to maximize or minimize, found ${optimized}`;
}

/** The entry of a single-objective acquisition ranked over the design space or pool. */
function singleObjective(description: string, acquisition: SingleObjectiveAcquisition, defaults: AcquisitionStrategy['defaults']): AcquisitionStrategy {
  return {
    description,
    needs: 'model',
    unsupported: oneOptimized,
    defaults,
    targetBands: true,
    pending: 'believed',
    pick: { kind: 'ranker', ranker: (context) => singleObjectiveRanker(context, acquisition), poolRescore: 'shortlist' },
    gradient: acquisition.gradient,
  };
}

/** Why a target strategy cannot serve these objectives, or null. */
function targetsPresent(objectives: readonly Objective[]): string | null {
  return targetObjectives(objectives).length === 0 ? 'no objective has goal "target"' : null;
}

/** The entries, typed by their literal names (which give StrategyName). */
const ENTRIES = {
  'expected-improvement': singleObjective(
    'EI of the single objective, ranked by its logarithm so it never flattens to 0; score: EI in the objective\'s units (for an objective with a declared range, of its warped value g(y) (logit or log units, space/outcome-warp.ts), not of y itself)',
    EXPECTED_IMPROVEMENT, { stdIncludesNoise: false },
  ),
  'log-expected-improvement': singleObjective(
    'the same ranking as expected-improvement; score: log EI (Ament et al., 2023), of the warped value for an objective with a declared range',
    LOG_EXPECTED_IMPROVEMENT, { stdIncludesNoise: false },
  ),
  'probability-of-improvement': singleObjective(
    'PI = Φ((μ − best − ξ)/σ), ξ = 0.01 by default; score: the probability',
    PROBABILITY_OF_IMPROVEMENT, { xi: DEFAULT_XI, stdIncludesNoise: false },
  ),
  'upper-confidence-bound': singleObjective(
    'μ + √β σ (maximization; β = 4 by default, or by options.betaSchedule: Srinivas et al. 2010, Kandasamy et al. 2019); score: standardized units',
    UPPER_CONFIDENCE_BOUND, { beta: DEFAULT_BETA, betaSchedule: 'constant', stdIncludesNoise: false },
  ),
  'noisy-expected-improvement': {
    description: 'log noisy EI (Letham et al. 2019, q = 1): EI averaged over 128 fixed joint draws of the latent values at the measured points, so a noisy best measurement is not taken at face value; score: NEI in the objective\'s units (for an objective with a declared range, of its warped value g(y) (logit or log units, space/outcome-warp.ts), not of y itself)',
    needs: 'model',
    unsupported: oneOptimized,
    defaults: {},
    targetBands: true,
    pending: 'believed',
    pick: { kind: 'ranker', ranker: noisyExpectedImprovementRanker, poolRescore: 'shortlist' },
    // Each item re-draws the incumbent over a baseline that grows with the batch's believed points (noisy-ranker.ts),
    // so a pool item costs as much as a continuous one and a large pool batch runs as a background job.
    batchItemCost: { pool: 1, continuous: 1 },
  },
  'gp-hedge': {
    description: 'GP-Hedge portfolio (Hoffman et al. 2011) of EI, PI and UCB: each nominates its best point, one is drawn with probability ∝ exp(η μ(nominee)) from the current model (stateless); score: the standardized posterior mean at the pick',
    needs: 'model',
    unsupported: oneOptimized,
    defaults: { beta: DEFAULT_BETA, xi: DEFAULT_XI, betaSchedule: 'constant', stdIncludesNoise: false },
    targetBands: true,
    pending: 'believed',
    pick: { kind: 'portfolio', members: [EXPECTED_IMPROVEMENT, PROBABILITY_OF_IMPROVEMENT, UPPER_CONFIDENCE_BOUND], eta: HEDGE_ETA },
  },
  thompson: {
    description: 'argmax of one joint posterior sample per batch item; score: the sampled value, standardized units',
    needs: 'model',
    unsupported: oneOptimized,
    defaults: {},
    targetBands: true,
    pending: 'believed',
    pick: { kind: 'thompson' },
  },
  'max-variance': {
    description: 'pure exploration, the point of largest standardized posterior variance; score: that variance',
    needs: 'model',
    unsupported: () => null,
    defaults: {},
    targetBands: true,
    pending: 'believed',
    pick: { kind: 'ranker', ranker: maxVarianceRanker, poolRescore: 'shortlist' },
  },
  'target-matching': {
    description: 'probability that every target objective lands within its tolerance; score: that probability',
    needs: 'model',
    unsupported: (objectives) => targetsPresent(objectives)
      ?? (targetObjectives(objectives).some((o) => o.tolerance === undefined) ? 'every target objective needs a tolerance (or use target-distance)' : null),
    defaults: {},
    targetBands: false,
    pending: 'believed',
    pick: { kind: 'ranker', ranker: targetMatchingRanker, poolRescore: 'shortlist' },
  },
  'target-distance': {
    description: 'minus the expected squared scaled distance to the target vector, Σ ((μ − t)² + σ²)/s²; score: as ranked',
    needs: 'model',
    unsupported: targetsPresent,
    defaults: {},
    targetBands: false,
    pending: 'believed',
    pick: { kind: 'ranker', ranker: targetDistanceRanker, poolRescore: 'shortlist' },
  },
  ehvi: {
    description: 'expected hypervolume improvement of 2 or 3 objectives, exact box decomposition; score: standardized units',
    needs: 'model',
    unsupported: (objectives) => {
      const optimized = optimizedObjectives(objectives).length;
      return optimized >= 2 && optimized <= 3 ? null : `it needs two or three objectives to maximize or minimize, found ${optimized}`;
    },
    defaults: {},
    targetBands: true,
    pending: 'believed',
    pick: { kind: 'ranker', ranker: ehviRanker, poolRescore: 'shortlist' },
  },
  parego: {
    description: 'ParEGO: EI on a random augmented-Chebyshev scalarization of the objectives, new weights per item; score: standardized units',
    needs: 'model',
    unsupported: (objectives) => {
      const optimized = optimizedObjectives(objectives).length;
      return optimized >= 2 ? null : `it needs at least two objectives to maximize or minimize, found ${optimized}`;
    },
    defaults: {},
    targetBands: true,
    pending: 'believed',
    pick: { kind: 'ranker', ranker: paregoRanker, poolRescore: 'whole-pool' },
  },
  random: {
    description: 'uniform random new points (or pool items); score: 0',
    needs: 'none',
    unsupported: () => null,
    defaults: {},
    targetBands: false,
    pending: 'excluded',
    pick: { kind: 'design', design: randomDesign },
  },
  'space-filling': {
    description: 'scrambled Sobol / greedy maximin design, also what cold start returns; score: distance to the nearest other point in the unit cube',
    needs: 'none',
    unsupported: () => null,
    defaults: {},
    targetBands: false,
    pending: 'covered',
    pick: { kind: 'design', design: spaceFillingDesign },
  },
} satisfies Record<string, AcquisitionStrategy>;

/** A valid acquisition strategy name: a key of the registry. */
export type StrategyName = keyof typeof ENTRIES;

/** Every acquisition strategy, by name, in documentation order. */
export const ACQUISITION_STRATEGIES: Readonly<Record<StrategyName, AcquisitionStrategy>> = ENTRIES;

/** The strategy that model-based strategies fall back to below coldStartThreshold observations. */
export const COLD_START_STRATEGY: StrategyName = 'space-filling';

/** Whether suggest() fits models for this strategy (false: a model-free design whose items carry no predictions). */
export function strategyNeedsModel(name: StrategyName): boolean {
  return ACQUISITION_STRATEGIES[name].needs === 'model';
}
