/**
 * Target matching when a target objective is warped (a declared range, or Yeo–Johnson): the probability of landing in
 * each band is computed exactly in warped units (adjustments.ts logTargetBand: P(g(t − τ) ≤ z ≤ g(t + τ))), not from
 * a Gaussian with the back-transformed moments, and bounded there for pool pruning (bounds.ts logTargetBandTermUpper).
 * Without a warp rankers.ts targetMatchingRanker keeps its own path, unchanged.
 */

import type { BoundFunction } from '../optim/pruned-pool.js';
import type { RankFunction } from '../optim/types.js';
import { logAdjustment, logTargetBand } from './adjustments.js';
import { adjustmentOutcomes, boundable, logAdjustmentUpper, logTargetBandTermUpper } from './bounds.js';
import { targetObjectives } from './default-strategy.js';
import type { Problem } from './problem.js';
import type { Ranker, RankerContext } from './rankers.js';
import { standardization } from '../space/outcome-transform.js';

/** Whether any target objective is modelled on a warped scale. */
export function hasWarpedTarget(problem: Problem): boolean {
  return targetObjectives(problem.objectives).some((o) => problem.outcomes.get(o.name)?.transform.warp);
}

/** Log probability that every target objective lands in its band, exact in warped units, plus the shared log terms. */
export function warpedTargetMatchingRanker(context: RankerContext): Ranker {
  const { problem, state } = context;
  const targets = targetObjectives(problem.objectives);
  const bands = targets.map((o) => ({ target: o.target!, tolerance: o.tolerance ?? 0 }));
  const rank: RankFunction = (X) => {
    const values = logAdjustment(problem, state, X, context.adjustment);
    targets.forEach((o, j) => {
      const terms = logTargetBand(problem, state, o.name, bands[j], X);
      for (let i = 0; i < X.length; i++) values[i] += terms[i];
    });
    return values;
  };
  const bound: BoundFunction | undefined = boundable(state, [...targets.map((o) => o.name), ...adjustmentOutcomes(problem, context.adjustment)])
    ? (X, tight) => {
      const values = logAdjustmentUpper(problem, state, X, context.adjustment, tight);
      targets.forEach((o, j) => {
        const terms = logTargetBandTermUpper(problem, state, o.name, bands[j], X, tight ?? false);
        for (let i = 0; i < X.length; i++) values[i] += terms[i];
      });
      return values;
    }
    : undefined;
  return { rank, score: Math.exp, bound };
}

/**
 * The scale that divides a target objective's distance (original units): the transform's scale, which for a warped
 * outcome is in warped units, so there the population std of the measured values instead (1 when constant or none).
 */
export function targetScale(problem: Problem, name: string): number {
  const data = problem.outcomes.get(name);
  if (!data) return 1;
  if (!data.transform.warp) return data.transform.scale;
  return standardization(data.rows.map((i) => problem.observations[i].outcomes[name])).scale;
}
