/** Exact Gaussian-process regression: fitting (multi-start L-BFGS on the marginal likelihood) and posteriors. */
export { fitGaussianProcess, type FitOptions } from './fit.js';
export { createGaussianProcess, type CreateOptions } from './create.js';
export type {
  FitSummary, GaussianProcess, Hyperparameters, JointPosterior, PosteriorBound, PosteriorGradient,
} from './gaussian-process.js';
export { GaussianProcessFitError, GaussianProcessInputError } from './errors.js';
export { DEFAULT_BOUNDS, type HyperparameterBounds } from './hyperparameters.js';
export { KERNEL_NAMES, type KernelName } from './kernels.js';
export { logMarginalLikelihood, type MarginalLikelihood, type TrainingSet } from './marginal-likelihood.js';
export { minimizeLbfgs, type LbfgsOptions, type LbfgsResult } from './lbfgs.js';
