/** Design-space encoding and outcome standardization. */
export * from './encoding.js';
export * from './outcome-transform.js';
export { validateParameters } from './validate.js';
export {
  backTransformedMoments, describeRange, insideRange, outcomeRanges, rangeWarp, validateRange, yeoJohnsonWarp, type OutcomeRange, type OutcomeWarp, type OutcomeWarpKind,
} from './outcome-warp.js';
