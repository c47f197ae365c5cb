/** The whole contract between a surrogate model and the acquisition functions. */

/** Marginal posterior of the latent function at n points: mean and variance, each of length n. */
export interface Posterior {
  mean: Float64Array;
  variance: Float64Array;
}

/** Any model that yields a posterior at points of the encoded design space (n x d, unit cube). */
export interface Surrogate {
  posterior(X: number[][]): Posterior;
}
