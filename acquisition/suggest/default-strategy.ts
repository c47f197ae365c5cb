/**
 * The default strategy for a set of objectives, and which strategies fit which objectives:
 * one maximized/minimized objective → gp-hedge (a portfolio of EI, PI and UCB, Hoffman et al. 2011, as
 * scikit-optimize's default: no single acquisition is best on every problem, and on the pool suite EI alone
 * over-exploited where the portfolio did not; see bench/pools.bench.ts); two or three → ehvi; four or more → parego;
 * only target objectives → target-matching (or target-distance when some target has no tolerance).
 * Target objectives next to optimized ones enter as band-probability factors, like outcome constraints.
 */

import { StrategyNotApplicableError } from '../errors.js';
import { ACQUISITION_STRATEGIES, type StrategyName } from './registry.js';
import type { Objective } from '../types.js';

/** Objectives to maximize or minimize (not targets). */
export function optimizedObjectives(objectives: readonly Objective[]): Objective[] {
  return objectives.filter((o) => o.goal !== 'target');
}

/** Objectives with a target value. */
export function targetObjectives(objectives: readonly Objective[]): Objective[] {
  return objectives.filter((o) => o.goal === 'target');
}

/** The strategy suggest() uses when the request names none. */
export function defaultStrategy(objectives: readonly Objective[]): StrategyName {
  const optimized = optimizedObjectives(objectives).length;
  if (optimized === 0) return objectives.every((o) => o.tolerance !== undefined) ? 'target-matching' : 'target-distance';
  if (optimized === 1) return 'gp-hedge';
  return optimized <= 3 ? 'ehvi' : 'parego';
}

/** Throws StrategyNotApplicableError if the strategy cannot serve these objectives (the registry entry says which it serves). */
export function assertApplicable(strategy: StrategyName, objectives: readonly Objective[]): void {
  const reason = ACQUISITION_STRATEGIES[strategy].unsupported(objectives);
  if (reason !== null) throw new StrategyNotApplicableError(strategy, reason);
}
