/**
 * Batch selection for model-based strategies. Pending points are believed first; then each batch item is the
 * maximizer of the strategy's ranking among points that are neither measured, pending nor already chosen
 * (compared by decoded parameter values), after which it is believed too (Kriging believer, see belief.ts).
 * Pool mode ranks every available candidate for the first item and then re-ranks only the best
 * `poolRescoreSize` (believing a point lowers EI/UCB/variance only near it, so the winners stay among them);
 * strategies whose ranking changes per item (poolRescore 'whole-pool' in registry.ts, e.g. ParEGO) re-rank the
 * whole pool every time. Large pools are ranked by bound-and-prune (optim/pruned-pool.ts, bounds.ts): exact posterior
 * variances only for candidates whose optimistic bound can still reach the ones kept, with the very same picks.
 */

import { DesignSpaceExhaustedError } from '../errors.js';
import { maximizeOverDesignSpace } from '../optim/continuous.js';
import { argmaxAllowed, rankInChunks, rankSeveralInChunks, topAllowed } from '../optim/pool.js';
import { PRUNED_BATCH, rankByBoundAndPrune, rankSeveralByBoundAndPrune } from '../optim/pruned-pool.js';
import { createRandom } from '../sampling/random.js';
import { ACQUISITION_STRATEGIES, type StrategyName } from './registry.js';
import type { AdjustmentOptions } from './adjustments.js';
import { believe, initialBelief, type BeliefState } from './belief.js';
import type { Problem } from './problem.js';
import { portfolioRankers, type PortfolioRankers, type Ranker, type RankerContext } from './rankers.js';
import { requireModel } from './adjustments.js';
import { optimizedObjectives } from './default-strategy.js';
import { drawIndex, hedgeProbabilities } from '../functions/portfolio.js';
import { availablePool } from './space-filling.js';
import { thompsonCandidates, thompsonChoice } from './thompson.js';
import type { ModelFactory, OutcomeModel } from './types.js';

/** Resolved settings of one selection run. */
export interface SelectionSettings {
  strategy: StrategyName;
  count: number;
  seed: number;
  beta: number;
  xi: number;
  /** Single-objective acquisitions rank by the predictive std including the model's noise (StrategyOptions.stdIncludesNoise). */
  stdIncludesNoise?: boolean;
  adjustment: AdjustmentOptions;
  fitModel: ModelFactory;
  rawSamples: number;
  restarts: number;
  poolRescoreSize: number;
  thompsonCandidates: number;
  gradientRefinement: boolean;
  /** Pool ranking by bound-and-prune where the strategy allows it (default true; false: every candidate exactly). */
  pruning?: boolean;
  /** Reports each chosen item (see SuggestEngineOptions.onProgress). */
  onProgress?: (done: number, total: number) => void;
}

/** One chosen point: encoded x, ranking value, reported score, pool index in pool mode. */
export interface ChosenPoint {
  x: number[];
  score: number;
  poolIndex?: number;
}

/** Seed of batch item i, derived from the request seed. */
export function itemSeed(seed: number, item: number): number {
  return (Math.imul(seed >>> 0, 2654435761) + Math.imul(item + 1, 40503)) >>> 0;
}

/** Selects a batch with a model-based strategy (continuous or pool mode). */
export function selectBatch(problem: Problem, models: Map<string, OutcomeModel>, settings: SelectionSettings): ChosenPoint[] {
  const state = believe(initialBelief(models), problem.pendingX);
  return problem.pool ? selectFromPool(problem, state, settings) : selectContinuous(problem, state, settings);
}

/** What the rankers of one batch item are built from. */
function rankerContext(problem: Problem, state: BeliefState, settings: SelectionSettings, item: number): RankerContext {
  return {
    problem, state, beta: settings.beta, xi: settings.xi, adjustment: settings.adjustment, fitModel: settings.fitModel, seed: itemSeed(settings.seed, item),
    ...(settings.stdIncludesNoise ? { stdIncludesNoise: true } : {}),
  };
}

/** The ranker of one batch item (its strategy must pick by a ranker). */
function rankerFor(problem: Problem, state: BeliefState, settings: SelectionSettings, item: number): Ranker {
  const pick = ACQUISITION_STRATEGIES[settings.strategy].pick;
  if (pick.kind !== 'ranker') throw new Error(`Strategy ${settings.strategy} picks by ${pick.kind}, not by a ranker`);
  return pick.ranker(rankerContext(problem, state, settings, item));
}

/**
 * A portfolio's pick for one batch item: every member's nominee (`nominate` maximizes each member's ranker over what
 * is still available), then one nominee drawn with the Hedge probabilities of their gains. The engine keeps no state
 * between requests, so the gain of a nominee is GP-Hedge's reward, the posterior mean of the objective there (standardized),
 * under the current model alone rather than summed over past rounds: recomputable from the observations, where
 * replaying every past round's nominees would refit and re-rank the pool once per past observation.
 */
function portfolioChoice(
  problem: Problem, state: BeliefState, settings: SelectionSettings, item: number, nominate: (portfolio: PortfolioRankers) => (ChosenPoint | null)[],
): ChosenPoint | null {
  const pick = ACQUISITION_STRATEGIES[settings.strategy].pick;
  if (pick.kind !== 'portfolio') throw new Error(`Strategy ${settings.strategy} picks by ${pick.kind}, not by a portfolio`);
  const context = rankerContext(problem, state, settings, item);
  const nominees = nominate(portfolioRankers(context, pick.members)).filter((p): p is ChosenPoint => p !== null);
  if (nominees.length === 0) return null;
  const model = requireModel(state, optimizedObjectives(problem.objectives)[0].name);
  const gains = Array.from(model.posterior(nominees.map((p) => p.x)).mean);
  const chosen = drawIndex(hedgeProbabilities(gains, pick.eta), createRandom(context.seed + 17).uniform());
  return { ...nominees[chosen], score: gains[chosen] };
}

/** Continuous mode: multi-start maximization per item, skipping points that decode to excluded values. */
function selectContinuous(problem: Problem, initial: BeliefState, settings: SelectionSettings): ChosenPoint[] {
  const excluded = new Set(problem.excludedKeys);
  const keyOf = (x: number[]): string => problem.encoding.key(problem.encoding.decode(x));
  const chosen: ChosenPoint[] = [];
  const pickRule = ACQUISITION_STRATEGIES[settings.strategy].pick;
  let state = initial;
  for (let item = 0; item < settings.count; item++) {
    const seed = itemSeed(settings.seed, item);
    let pick: ChosenPoint | null = null;
    const maximize = (ranker: Ranker): ChosenPoint | null => {
      const ranked = maximizeOverDesignSpace(ranker.rank, problem.encoding, {
        seed,
        rawSamples: settings.rawSamples,
        restarts: settings.restarts,
        around: bestMeasured(problem, ranker.rank, 5),
        gradient: settings.gradientRefinement ? ranker.gradient : undefined,
      });
      const best = ranked.find((point) => !excluded.has(keyOf(point.x)));
      return best ? { x: best.x, score: ranker.score(best.value) } : null;
    };
    if (pickRule.kind === 'thompson') {
      const candidates = thompsonCandidates(problem, settings.thompsonCandidates, seed);
      const choice = thompsonChoice(problem, state, candidates, (i) => !excluded.has(keyOf(candidates[i])), settings.adjustment, seed);
      if (choice) pick = { x: candidates[choice.index], score: choice.value };
    } else if (pickRule.kind === 'portfolio') {
      pick = portfolioChoice(problem, state, settings, item, (portfolio) => portfolio.members.map(maximize));
    } else {
      pick = maximize(rankerFor(problem, state, settings, item));
    }
    if (!pick) throw new DesignSpaceExhaustedError(settings.count, chosen.length);
    chosen.push(pick);
    excluded.add(keyOf(pick.x));
    state = believe(state, [pick.x]);
    settings.onProgress?.(chosen.length, settings.count);
  }
  return chosen;
}

/** The measured points with the highest ranking values (starting points for local perturbations). */
function bestMeasured(problem: Problem, rank: (X: number[][]) => Float64Array, count: number): number[][] {
  if (problem.observedX.length === 0) return [];
  const values = rank(problem.observedX);
  return topAllowed(values, count, () => true).map((i) => problem.observedX[i]);
}

/** Pool mode: rank available candidates, believe the winner, re-rank the shortlist. */
function selectFromPool(problem: Problem, initial: BeliefState, settings: SelectionSettings): ChosenPoint[] {
  const pool = problem.pool!;
  const pickRule = ACQUISITION_STRATEGIES[settings.strategy].pick;
  const available = availablePool(problem);
  const taken = new Set<number>();
  const chosen: ChosenPoint[] = [];
  let shortlist: number[] = available;
  let state = initial;
  for (let item = 0; item < Math.min(settings.count, available.length); item++) {
    const seed = itemSeed(settings.seed, item);
    let pick: ChosenPoint | null = null;
    if (pickRule.kind === 'thompson') {
      const subset = randomSubset(available.filter((i) => !taken.has(i)), settings.thompsonCandidates, seed);
      const choice = thompsonChoice(problem, state, subset.map((i) => pool[i].x), () => true, settings.adjustment, seed);
      if (choice) pick = { x: pool[subset[choice.index]].x, score: choice.value, poolIndex: subset[choice.index] };
    } else if (pickRule.kind === 'portfolio') {
      // Every member ranks the whole available pool (its best is all it needs: keep 1, which prunes the most), all
      // from one posterior pass.
      const candidates = available.filter((i) => !taken.has(i));
      pick = portfolioChoice(problem, state, settings, item, (portfolio) => rankPoolTogether(candidates.map((i) => pool[i].x), portfolio, settings.pruning)
        .map((values, k) => {
          const best = argmaxAllowed(values, () => true);
          return best >= 0 ? { x: pool[candidates[best]].x, score: portfolio.members[k].score(values[best]), poolIndex: candidates[best] } : null;
        }));
    } else {
      const ranker = rankerFor(problem, state, settings, item);
      let candidates = (pickRule.kind === 'ranker' && pickRule.poolRescore === 'whole-pool' ? available : shortlist).filter((i) => !taken.has(i));
      // A batch larger than the shortlist goes back to the whole pool once the shortlist is used up.
      if (candidates.length === 0) candidates = available.filter((i) => !taken.has(i));
      const keep = item === 0 && pickRule.kind === 'ranker' && pickRule.poolRescore === 'shortlist' && settings.count > 1 ? settings.poolRescoreSize : 1;
      const values = rankPool(candidates.map((i) => pool[i].x), ranker, keep, settings.pruning);
      // The shortlist serves the later items only.
      if (item === 0 && settings.count > 1) shortlist = topAllowed(values, settings.poolRescoreSize, () => true).map((k) => candidates[k]);
      const best = argmaxAllowed(values, () => true);
      if (best >= 0) pick = { x: pool[candidates[best]].x, score: ranker.score(values[best]), poolIndex: candidates[best] };
    }
    if (!pick) break;
    chosen.push(pick);
    taken.add(pick.poolIndex!);
    // The last pick is not believed: no item reads that state (it costs a posterior and a factor extension per model).
    if (chosen.length < Math.min(settings.count, available.length)) state = believe(state, [pick.x]);
    settings.onProgress?.(chosen.length, Math.min(settings.count, available.length));
  }
  return chosen;
}

/**
 * Ranking values of pool rows for picking the `keep` best: by bound-and-prune (optim/pruned-pool.ts) where the ranker
 * has a bound and the pool is large enough for it to pay, otherwise every value. The pruned values equal the exhaustive
 * ones wherever they can matter (the `keep` best and their order); the rest read −Infinity.
 */
function rankPool(X: number[][], ranker: Ranker, keep: number, pruning: boolean | undefined): Float64Array {
  if (!ranker.bound || !prunes(X.length, keep, pruning)) return rankInChunks(X, ranker.rank);
  return rankByBoundAndPrune(X, ranker.rank, ranker.bound, keep).values;
}

/**
 * Every portfolio member's values of pool rows for picking its best, under rankPool's rules, from shared passes: one
 * posterior per row (and one bound pass, pruned for all members together: optim/pruned-pool.ts) serves every member.
 */
function rankPoolTogether(X: number[][], portfolio: PortfolioRankers, pruning: boolean | undefined): Float64Array[] {
  const members = portfolio.members.length;
  if (!portfolio.bound || !prunes(X.length, 1, pruning)) return rankSeveralInChunks(X, portfolio.rank, members);
  return rankSeveralByBoundAndPrune(X, portfolio.rank, portfolio.bound, members, 1).values;
}

/** Whether a pool of `size` rows is ranked by bound-and-prune to keep its `keep` best (the ranking has a bound). */
function prunes(size: number, keep: number, pruning: boolean | undefined): boolean {
  // Keeping half the pool or more leaves little to prune: the bound pass would only add to the exact one.
  return pruning !== false && size >= MIN_PRUNED_POOL && 2 * keep < size;
}

/** Pools from this size on are ranked by bound-and-prune (below it the bound's own pass costs more than it saves). */
export const MIN_PRUNED_POOL = 4 * PRUNED_BATCH;

/** A seeded random subset of at most `size` indices (all of them when there are fewer). */
function randomSubset(indices: number[], size: number, seed: number): number[] {
  if (indices.length <= size) return indices;
  const rng = createRandom(seed + 11);
  const copy = indices.slice();
  for (let i = 0; i < size; i++) {
    const j = i + rng.integer(copy.length - i);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, size);
}

