/**
 * The default strategy for a set of objectives, and which strategies fit which objectives:
 * one maximized/minimized objective → expected-improvement; two or three → ehvi; four or more → parego;
 * only target objectives → target-matching (or target-distance when some target has no tolerance).
 * Target objectives next to optimized ones enter as band-probability factors, like outcome constraints.
 */

import { StrategyNotApplicableError } from '../errors.js';
import type { StrategyName } from '../strategy-names.js';
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
  if (optimized === 1) return 'expected-improvement';
  return optimized <= 3 ? 'ehvi' : 'parego';
}

/** Throws StrategyNotApplicableError if the strategy cannot serve these objectives. */
export function assertApplicable(strategy: StrategyName, objectives: readonly Objective[]): void {
  const optimized = optimizedObjectives(objectives).length;
  const targets = targetObjectives(objectives);
  const fail = (reason: string): never => {
    throw new StrategyNotApplicableError(strategy, reason);
  };
  switch (strategy) {
    case 'expected-improvement':
    case 'log-expected-improvement':
    case 'probability-of-improvement':
    case 'upper-confidence-bound':
    case 'thompson':
      if (optimized !== 1) fail(`it needs exactly one objective to maximize or minimize, found ${optimized}`);
      break;
    case 'ehvi':
      if (optimized < 2 || optimized > 3) fail(`it needs two or three objectives to maximize or minimize, found ${optimized}`);
      break;
    case 'parego':
      if (optimized < 2) fail(`it needs at least two objectives to maximize or minimize, found ${optimized}`);
      break;
    case 'target-matching':
      if (targets.length === 0) fail('no objective has goal "target"');
      if (targets.some((o) => o.tolerance === undefined)) fail('every target objective needs a tolerance (or use target-distance)');
      break;
    case 'target-distance':
      if (targets.length === 0) fail('no objective has goal "target"');
      break;
    default:
      break;
  }
}
