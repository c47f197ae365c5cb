/** Held-out evaluation of surrogates: folds, scores, calibration, the GP baseline, and the choice between models. */
export { crossValidationFolds, trainingRows, type FoldOptions } from './folds.js';
export { pairedComparison, pointLogDensities, predictiveScores } from './metrics.js';
export { crossFittedCalibration, VARIANCE_SCALE_BOUNDS } from './calibration.js';
export {
  crossValidateGaussianProcess, fitGaussianProcessOnSubsets, HYPERPARAMETER_FIT_ROWS, seededSubset,
  type GaussianProcessCrossValidationOptions,
} from './gp-cross-validation.js';
export { chooseSurrogate, SURROGATE_CHOICE_MARGIN, WORSE_THAN_MEAN_FLAG } from './choice.js';
export * from './types.js';
