/** suggest() and its request/response types. */
export { suggest, coldStartThreshold, validateStrategyOptions } from './suggest.js';
export { defaultStrategy, assertApplicable } from './default-strategy.js';
export { defaultModelFactory } from './gp-model.js';
export { EXACT_GP_MAX_ROWS, subsetOfData } from './subset.js';
export { networkOutcomeModel, validateSurrogates } from './network-model.js';
export { BETA_SCHEDULES, isBetaSchedule } from './types.js';
export type { BetaSchedule, Observation, PoolItem, StrategyOptions, SuggestRequest, SuggestionItem, OutcomeModel, ModelFactory, SuggestEngineOptions, NetworkSurrogate, SurrogateUse } from './types.js';
export { suggestionFlags, onBoundary, boundaryParameters, lengthscaleDistance, BOUNDARY_TOLERANCE, EXTRAPOLATION_DISTANCE, type SuggestionFlag } from './flags.js';
