/** The default model of suggest(): an exact GP (Matern 5/2, ARD) fit by maximum marginal likelihood, or MAP under DEFAULT_FIT_PRIORS. */

import { fitGaussianProcess } from '../models/gp/index.js';
import type { ModelFactory } from './types.js';

/** Fits a GP with the library defaults and the given seed for its restarts; known noise (if any) on the diagonal. */
export const defaultModelFactory: ModelFactory = (X, y, seed, noise) => fitGaussianProcess(X, y, noise ? { seed, knownNoise: noise } : { seed });
