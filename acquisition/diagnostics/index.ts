/** Model diagnostics over any surrogate: parity data and slices (the service only assembles their inputs). */
export { bestSample, parityPoints, type ParityPoint } from './parity.js';
export {
  lengthscaleRelevance, MAX_PAIRED_PARAMETERS, relevantPairs, slice2d, slices1d, sliceRangeRelevance, sweepValues, SLICE_2D_POINTS, SLICE_POINTS,
  type MeasuredPoint, type Slice1d, type Slice2d, type SliceSurface,
} from './slices.js';
