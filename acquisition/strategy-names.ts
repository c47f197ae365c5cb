/**
 * Acquisition strategy names: the keys of the strategy registry (suggest/registry.ts), where each strategy's
 * description, needs, defaults and ranking live. Each name is a string a caller may pass as `suggest({ strategy })`.
 */

import { UnknownStrategyError } from './errors.js';
import { ACQUISITION_STRATEGIES, type StrategyName } from './suggest/registry.js';

export type { StrategyName };

/** Every valid strategy name, in documentation order. */
export const STRATEGY_NAMES: readonly StrategyName[] = Object.freeze(Object.keys(ACQUISITION_STRATEGIES) as StrategyName[]);

/** Whether a string is a valid strategy name. */
export function isStrategyName(name: string): name is StrategyName {
  return Object.hasOwn(ACQUISITION_STRATEGIES, name);
}

/** Returns the name typed as StrategyName, or throws UnknownStrategyError listing the valid ones. */
export function parseStrategyName(name: string): StrategyName {
  if (!isStrategyName(name)) throw new UnknownStrategyError(name, STRATEGY_NAMES);
  return name;
}
