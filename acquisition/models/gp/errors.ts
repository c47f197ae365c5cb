/** Typed errors of Gaussian-process fitting and prediction. */

/** The training data or the query points are malformed (shapes, non-finite values, empty sets). */
export class GaussianProcessInputError extends Error {
  override name = 'GaussianProcessInputError';
}

/** Every optimizer start failed to produce a finite marginal likelihood. */
export class GaussianProcessFitError extends Error {
  override name = 'GaussianProcessFitError';
}
