/** Exact Gaussian-process regression: fitting (multi-start L-BFGS on the marginal likelihood) and posteriors. */
export { DEFAULT_PREDICTIVE_SCALE, fitGaussianProcess, studentTVarianceFactor, type FitOptions, type PredictiveScale } from './fit.js';
export { createGaussianProcess, type CreateOptions } from './create.js';
export { reportedPosterior } from './gaussian-process.js';
export type {
  FitSummary, GaussianProcess, Hyperparameters, JointPosterior, PosteriorBound, PosteriorGradient,
} from './gaussian-process.js';
export { GaussianProcessFitError, GaussianProcessInputError } from './errors.js';
export { DEFAULT_BOUNDS, priorBounds, type HyperparameterBounds } from './hyperparameters.js';
export {
  DEFAULT_FIT_PRIORS, DIMENSION_SCALED_PRIORS, WEAK_SIGNAL_VARIANCE_PRIOR, logPriorDensity, resolvePriors,
  type FixedHyperparameter, type HyperparameterPriors, type LengthscalePrior, type LogNormalPrior, type ResolvedPriors,
} from './priors.js';
export { KERNEL_NAMES, type KernelName } from './kernels.js';
export { logMarginalLikelihood, logPosterior, type MarginalLikelihood, type TrainingSet } from './marginal-likelihood.js';
export { minimizeLbfgs, type LbfgsOptions, type LbfgsResult } from './lbfgs.js';
export { baselinePosterior, type BaselinePosterior } from './posterior-training-covariance.js';
