/** Feature relevance and selection: LASSO path, stability selection, mutual information, ARD, permutation importance. */
export { selectFeatures, gaussianProcessPredictor, FEATURE_SELECTION_METHODS } from './select-features.js';
export type { FeatureScore, FeatureSelectionMethod, SelectFeaturesOptions } from './select-features.js';
export { FeatureSelectionInputError, UnknownFeatureSelectionMethodError } from './errors.js';
export { toDataset, standardizeColumns, kFoldSplits } from './data.js';
export type { Dataset, StandardizedColumns } from './data.js';
export {
  crossValidateLasso, fitLasso, lambdaGrid, lambdaMax, lassoPath, lassoProblem, solveLasso, LassoConvergenceError,
} from './lasso.js';
export type { LassoCrossValidation, LassoFit, LassoProblem, CoordinateDescentOptions } from './lasso.js';
export { stabilitySelection } from './stability.js';
export type { StabilitySelection, StabilitySelectionOptions } from './stability.js';
export { mutualInformationRanking, ksgMutualInformation } from './mutual-information.js';
export type { MutualInformationRanking, MutualInformationOptions } from './mutual-information.js';
export { ardRelevance } from './ard.js';
export type { ArdRelevance, ArdOptions } from './ard.js';
export { permutationImportance } from './permutation.js';
export type { FitPredictor, Predictor, PermutationImportance, PermutationImportanceOptions } from './permutation.js';
