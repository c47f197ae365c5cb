/**
 * Hyperparameters in the space the optimizer sees. The model works with standardized y, so the signal and noise
 * variances here are relative to the sample variance of y. The optimizer works on their logs, inside the boxes.
 */

/** A closed interval. */
export type Interval = readonly [number, number];

/** Boxes for the hyperparameters, in standardized units (not logs). */
export interface HyperparameterBounds {
  /** Lengthscale of every input dimension, in units of the unit cube. */
  lengthscale: Interval;
  /** Signal variance relative to Var(y). */
  signalVariance: Interval;
  /** Noise variance relative to Var(y). */
  noiseVariance: Interval;
}

/** Defaults: lengthscales from 1/100 to 10 cube widths, noise at least 1e-6 of Var(y). */
export const DEFAULT_BOUNDS: HyperparameterBounds = {
  lengthscale: [0.01, 10],
  signalVariance: [0.01, 100],
  noiseVariance: [1e-6, 10],
};

/** Prior standard deviations (in log ℓ) that the lengthscale box holds above the prior's location. */
const PRIOR_BOX_SIGMAS = 4;

/**
 * Boxes for a MAP fit: DEFAULT_BOUNDS with the lengthscale's upper end raised to e^{μ + 4σ} of its prior (when that
 * is above 10 cube widths), so that the box only guards the numerics and the prior does the regularizing: the
 * dimension-scaled prior's median is 4.1·√d cube widths, e^{μ+4σ} ≈ 4,200·√d.
 */
export function priorBounds(priors: { lengthscale: { mu: number; sigma: number } | null }): HyperparameterBounds {
  const prior = priors.lengthscale;
  if (prior === null) return DEFAULT_BOUNDS;
  const upper = Math.max(DEFAULT_BOUNDS.lengthscale[1], Math.exp(prior.mu + PRIOR_BOX_SIGMAS * prior.sigma));
  return { ...DEFAULT_BOUNDS, lengthscale: [DEFAULT_BOUNDS.lengthscale[0], upper] };
}

/** Standardized-unit hyperparameters as plain numbers. */
export interface StandardizedHyperparameters {
  lengthscales: Float64Array;
  signalVariance: number;
  noiseVariance: number;
}

/** The box of every log-hyperparameter in the order [log ℓ_1..d, log σ_f², log σ_n²]. */
export function boxesFor(d: number, bounds: HyperparameterBounds): Interval[] {
  const boxes: Interval[] = [];
  for (let k = 0; k < d; k++) boxes.push(bounds.lengthscale);
  boxes.push(bounds.signalVariance, bounds.noiseVariance);
  return boxes;
}

/** Packs hyperparameters into [log ℓ_1..d, log σ_f², log σ_n²]. */
export function toLogVector(h: StandardizedHyperparameters): Float64Array {
  const d = h.lengthscales.length;
  const v = new Float64Array(d + 2);
  for (let k = 0; k < d; k++) v[k] = Math.log(h.lengthscales[k]);
  v[d] = Math.log(h.signalVariance);
  v[d + 1] = Math.log(h.noiseVariance);
  return v;
}

/** Unpacks [log ℓ_1..d, log σ_f², log σ_n²]. */
export function fromLogVector(v: ArrayLike<number>): StandardizedHyperparameters {
  const d = v.length - 2;
  const lengthscales = new Float64Array(d);
  for (let k = 0; k < d; k++) lengthscales[k] = Math.exp(v[k]);
  return { lengthscales, signalVariance: Math.exp(v[d]), noiseVariance: Math.exp(v[d + 1]) };
}
