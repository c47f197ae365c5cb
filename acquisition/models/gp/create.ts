/** A GP with given hyperparameters (no fitting): for known kernels, tests, and reproducing a stored model. */
import { GaussianProcessInputError } from './errors.js';
import { flattenInputs, standardize, standardizedKnownNoise } from './fit.js';
import { buildState, createGaussianProcessFromState, type GaussianProcess, type Hyperparameters } from './gaussian-process.js';
import { KERNEL_NAMES, type KernelName } from './kernels.js';

/** Settings of createGaussianProcess; hyperparameters are in the original units of y. */
export interface CreateOptions {
  kernel?: KernelName;
  hyperparameters: Hyperparameters;
  /** Standardization of y; by default the sample mean and population std of y. */
  standardization?: { offset: number; scale: number };
  /** Known noise variance of each observation (original units of y, ≥ 0), on the diagonal on top of σ_n²; see FitOptions. */
  knownNoise?: ArrayLike<number>;
}

/** The exact GP posterior given X (n x d), raw y and fixed hyperparameters. */
export function createGaussianProcess(X: number[][], y: number[], options: CreateOptions): GaussianProcess {
  const kernel = options.kernel ?? 'matern52';
  if (!KERNEL_NAMES.includes(kernel)) {
    throw new GaussianProcessInputError(`unknown kernel '${String(kernel)}'; valid: ${KERNEL_NAMES.join(', ')}`);
  }
  const { x, d } = flattenInputs(X, y);
  const h = options.hyperparameters;
  if (h.lengthscales.length !== d) throw new GaussianProcessInputError(`${h.lengthscales.length} lengthscales for ${d} dimensions`);
  if (!(h.signalVariance > 0) || !(h.noiseVariance >= 0) || h.lengthscales.some((l) => !(l > 0))) {
    throw new GaussianProcessInputError('hyperparameters must be positive (noise variance may be 0)');
  }
  const { offset, scale } = options.standardization ?? standardize(y);
  if (!(scale > 0)) throw new GaussianProcessInputError('standardization scale must be positive');
  const values = Float64Array.from(y, (v) => (v - offset) / scale);
  const hyper = {
    lengthscales: Float64Array.from(h.lengthscales),
    signalVariance: h.signalVariance / (scale * scale),
    noiseVariance: h.noiseVariance / (scale * scale),
  };
  const knownNoise = standardizedKnownNoise(options.knownNoise, y.length, scale * scale);
  return createGaussianProcessFromState(buildState(kernel, x, d, values, hyper, { offset, scale }, knownNoise));
}
