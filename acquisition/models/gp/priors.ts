/**
 * Hyperparameter priors for MAP fitting of the exact GP. Every prior is log-normal on one group of hyperparameters
 * (lengthscales, signal variance, noise variance; standardized units), i.e. Normal(μ, σ) on the log-hyperparameter
 * the optimizer works with. The fit then minimizes −(log p(y | θ) + log p(θ)).
 *
 * Which density is maximized matters, because a MAP estimate is the mode of a density and modes move under a change
 * of variables. With u = log θ and θ ~ LogNormal(μ, σ):
 *   density 'log': log p(u) = −½((u − μ)/σ)² − log σ − ½ log 2π, the density of the log-hyperparameter; its
 *     mode (and the MAP's pull) is at θ = e^μ, the prior's median, whatever coordinates the optimizer uses.
 *   density 'natural' (default): log p(θ) = log p(u) − u, the density of θ itself, as gpytorch evaluates LogNormalPrior on ℓ and
 *     BoTorch maximizes it; its mode is at θ = e^{μ − σ²}. This reproduces BoTorch's MAP estimate exactly. With the
 *     dimension-scaled lengthscale prior (σ² = 3) the two pulls differ by e³ ≈ 20× (4.1·√d vs 0.21·√d cube widths).
 */
import { GaussianProcessInputError } from './errors.js';

/** A log-normal prior θ ~ LogNormal(mu, sigma): log θ ~ Normal(mu, sigma). */
export interface LogNormalPrior {
  mu: number;
  sigma: number;
}

/** A log-normal lengthscale prior whose location grows with the input dimension d: μ_d = mu + perLogDimension · ln d. */
export interface LengthscalePrior extends LogNormalPrior {
  /** Coefficient of ln d in the location (default 0: no dimension scaling). */
  perLogDimension?: number;
}

/** A hyperparameter held fixed (standardized units) instead of being fitted. */
export interface FixedHyperparameter {
  fixed: number;
}

/** Priors of fitGaussianProcess, each group optional (absent: that group is fitted by maximum likelihood as before). */
export interface HyperparameterPriors {
  /** Prior of every ARD lengthscale (unit-cube widths), one independent copy per input dimension. */
  lengthscale?: LengthscalePrior;
  /** Prior of σ_f² relative to Var(y), or a fixed value (e.g. 1: no outputscale, as BoTorch's current default). */
  signalVariance?: LogNormalPrior | FixedHyperparameter;
  /** Prior of σ_n² relative to Var(y) (ignored when FitOptions.fixedNoise holds it fixed). */
  noiseVariance?: LogNormalPrior;
  /** Which density the MAP maximizes (see the file comment; default 'natural', BoTorch's). */
  density?: 'log' | 'natural';
}

/**
 * Hvarfner, Hellsten & Nardi 2024, "Vanilla Bayesian Optimization Performs Great in High Dimensions" (BoTorch's
 * default since 0.12): ℓ ~ LogNormal(√2 + ½ ln d, √3) on unit-cube inputs, σ_n² ~ LogNormal(−4, 1) on standardized y
 * (BoTorch's likelihood prior). σ_f² is fixed at 1 as in BoTorch's default (no ScaleKernel): on standardized y the
 * data already set the variance scale, and under a Matérn kernel only σ_f²/ℓ^{2ν} is identifiable from data on a
 * bounded domain (Zhang 2004), so a free σ_f² could grow with ℓ and undo the lengthscale prior's regularization.
 * For a free signal variance use { ...DIMENSION_SCALED_PRIORS, signalVariance: WEAK_SIGNAL_VARIANCE_PRIOR }.
 * The density of θ (not of log θ) is maximized, as BoTorch does: the estimator its published results come from. On
 * the pool suite (bench/pools.bench.ts, 10 seeds) the density of log θ lost 3.0 ± 1.3 found@25 on the largest pool.
 */
export const DIMENSION_SCALED_PRIORS: HyperparameterPriors = Object.freeze({
  lengthscale: Object.freeze({ mu: Math.SQRT2, sigma: Math.sqrt(3), perLogDimension: 0.5 }),
  signalVariance: Object.freeze({ fixed: 1 }),
  noiseVariance: Object.freeze({ mu: -4, sigma: 1 }),
  density: 'natural',
});

/** A weak prior for a free σ_f² (relative to Var(y)): median 1, 95 % within [0.14, 7.1]. */
export const WEAK_SIGNAL_VARIANCE_PRIOR: LogNormalPrior = Object.freeze({ mu: 0, sigma: 1 });

/**
 * The priors every fit uses when FitOptions.priors is undefined (null there: none, maximum likelihood): the engine,
 * the model cache and the diagnostics together. Chosen by principle (BoTorch's default MAP estimate) and confirmed on
 * the pool suite, where it calibrated early leave-one-out predictions better than maximum likelihood.
 */
export const DEFAULT_FIT_PRIORS: HyperparameterPriors | null = DIMENSION_SCALED_PRIORS;

/** A Normal prior on one log-hyperparameter u = log θ. */
export interface LogSpacePrior {
  mu: number;
  sigma: number;
}

/** Priors resolved for d inputs, in the order of the log vector [log ℓ_1..d, log σ_f², log σ_n²]. */
export interface ResolvedPriors {
  lengthscale: LogSpacePrior | null;
  signal: LogSpacePrior | null;
  /** log σ_f² when the signal variance is fixed, else null. */
  fixedLogSignal: number | null;
  noise: LogSpacePrior | null;
  /** True for the density of θ (adds the −u Jacobian term), false for the density of u = log θ. */
  natural: boolean;
}

/** Validates priors and resolves the dimension-scaled lengthscale location for d inputs. */
export function resolvePriors(priors: HyperparameterPriors, d: number): ResolvedPriors {
  const check = (name: string, p: LogNormalPrior | undefined): LogSpacePrior | null => {
    if (p === undefined) return null;
    if (!Number.isFinite(p.mu) || !(p.sigma > 0 && Number.isFinite(p.sigma))) {
      throw new GaussianProcessInputError(`${name} prior needs a finite mu and a finite sigma > 0`);
    }
    return { mu: p.mu, sigma: p.sigma };
  };
  const ls = priors.lengthscale;
  const lengthscale = check('lengthscale', ls === undefined ? undefined : { mu: ls.mu + (ls.perLogDimension ?? 0) * Math.log(d), sigma: ls.sigma });
  const sv = priors.signalVariance;
  let fixedLogSignal: number | null = null;
  let signal: LogSpacePrior | null = null;
  if (sv !== undefined && 'fixed' in sv) {
    if (!(sv.fixed > 0 && Number.isFinite(sv.fixed))) throw new GaussianProcessInputError('a fixed signal variance must be finite and > 0');
    fixedLogSignal = Math.log(sv.fixed);
  } else {
    signal = check('signalVariance', sv);
  }
  const density = priors.density ?? 'natural';
  if (density !== 'log' && density !== 'natural') throw new GaussianProcessInputError(`unknown prior density '${String(density)}'`);
  return { lengthscale, signal, fixedLogSignal, noise: check('noiseVariance', priors.noiseVariance), natural: density === 'natural' };
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** The prior of entry i of a log vector with d lengthscales (null: none). */
export function priorAt(priors: ResolvedPriors, d: number, i: number): LogSpacePrior | null {
  if (i < d) return priors.lengthscale;
  return i === d ? priors.signal : priors.noise;
}

/**
 * log p(θ) and its gradient in u = log θ for the entries of `logParams` ([log ℓ_1..d, log σ_f², log σ_n²]) that have a
 * prior and are not in `skip`: Σ −½((u − μ)/σ)² − log σ − ½ log 2π, minus u per entry for the natural density;
 * ∂/∂u = −(u − μ)/σ² (− 1 for the natural density).
 */
export function logPriorDensity(
  priors: ResolvedPriors, logParams: ArrayLike<number>, skip: ReadonlySet<number> = new Set(),
): { value: number; gradient: Float64Array } {
  const d = logParams.length - 2;
  const gradient = new Float64Array(logParams.length);
  let value = 0;
  for (let i = 0; i < logParams.length; i++) {
    const prior = priorAt(priors, d, i);
    if (prior === null || skip.has(i)) continue;
    const u = logParams[i];
    const z = (u - prior.mu) / prior.sigma;
    value += -0.5 * z * z - Math.log(prior.sigma) - HALF_LOG_2PI;
    gradient[i] = -z / prior.sigma;
    if (priors.natural) {
      value -= u;
      gradient[i] -= 1;
    }
  }
  return { value, gradient };
}

/** The mode of the maximized density in u = log θ: μ (density of u) or μ − σ² (density of θ). */
export function priorMode(priors: ResolvedPriors, prior: LogSpacePrior): number {
  return priors.natural ? prior.mu - prior.sigma * prior.sigma : prior.mu;
}
