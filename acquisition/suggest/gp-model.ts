/** The default model of suggest(): an exact GP (Matern 5/2, ARD) fit by maximum marginal likelihood. */

import { fitGaussianProcess } from '../models/gp/index.js';
import type { ModelFactory } from './types.js';

/** Fits a GP with the library defaults and the given seed for its restarts. */
export const defaultModelFactory: ModelFactory = (X, y, seed) => fitGaussianProcess(X, y, { seed });
