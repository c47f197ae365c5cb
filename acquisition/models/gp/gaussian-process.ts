/**
 * An exact GP regression model with fixed hyperparameters: the posterior at new points (marginal, joint, samples,
 * gradients), and conditioning on extra observations by a rank-q Cholesky extension (Kriging believer batches).
 * Targets are standardized with a fixed mean and scale; all outputs are in the original units of y.
 */
import { choleskyWithJitter } from '../../linalg/cholesky.js';
import { addProductTransposed } from '../../linalg/gemm.js';
import { extendState } from './fantasize.js';
import { posteriorGradientAt } from './posterior-gradient.js';
import type { Matrix } from '../../linalg/matrix.js';
import { packLowerPanels } from '../../linalg/lower-panels.js';
import { choleskySolve, invertLower, solveLowerRowsInPlace } from '../../linalg/triangular.js';
import { multivariateNormalDraws } from '../../sampling/multivariate-normal.js';
import type { RandomSource } from '../../sampling/random.js';
import type { Posterior, Surrogate } from '../surrogate.js';
import { GaussianProcessInputError } from './errors.js';
import { covarianceMatrix, crossCovariance, scaleInputs, type KernelName } from './kernels.js';
import { addKnownNoise, logLikelihoodFromFactor } from './marginal-likelihood.js';
import type { StandardizedHyperparameters } from './hyperparameters.js';
import {
  MANY_QUERIES, meanOfRows, runPosteriorBoundChunks, tightBoundNeighbors, runPosteriorChunks, scaleQuery, varianceOfRows, type PosteriorBoundModel,
  type PosteriorBoundRunner, type PosteriorModel, type PosteriorRunner,
} from './posterior-rows.js';

/** Hyperparameters in the original units of y (variances scale with Var(y)); lengthscales in unit-cube widths. */
export interface Hyperparameters {
  lengthscales: number[];
  signalVariance: number;
  noiseVariance: number;
}

/** Posterior mean and an upper bound on the posterior variance of the latent f at n points (original units). */
export interface PosteriorBound {
  mean: Float64Array;
  varianceUpper: Float64Array;
}

/** Joint posterior of the latent f at n points: mean (n) and covariance (n x n, row-major). */
export interface JointPosterior {
  mean: Float64Array;
  covariance: Float64Array;
}

/** Posterior mean and variance at one point with their gradients in x (original units). */
export interface PosteriorGradient {
  mean: number;
  variance: number;
  meanGradient: Float64Array;
  varianceGradient: Float64Array;
}

/** A fitted exact GP: the Surrogate contract plus joint posteriors, samples, fantasies and gradients. */
export interface GaussianProcess extends Surrogate {
  /** Marginal posterior of the latent f at each row of X (n x d): mean and variance, original units. */
  posterior(X: number[][]): Posterior;
  /**
   * The exact posterior mean at each row of X with an upper bound on its variance (original units), at O(n·d) per row:
   * what pool ranking prunes with (posteriorBoundChunks in posterior-rows.ts). `tight`: conditioned on more neighbours,
   * tighter and costlier (both through the bound runner).
   */
  posteriorBound(X: number[][], tight?: boolean): PosteriorBound;
  /**
   * The arrays posterior() reads for many points (L⁻¹ computed on first use and kept): with posteriorChunks, the same
   * prediction can run elsewhere, e.g. split over threads (backend/workers/posterior-pool.ts).
   */
  posteriorModel(): PosteriorModel;
  /**
   * The same model (shared state, no refit) whose posterior() for MANY_QUERIES rows or more runs through `runner`,
   * and so do the models fantasize() derives from it: how the service spreads large pools over threads. `boundRunner`
   * does the same for posteriorBound() (default: the calling thread).
   */
  withPosteriorRunner(runner: PosteriorRunner, boundRunner?: PosteriorBoundRunner): GaussianProcess;
  /** Joint posterior of f at the rows of X: mean and the n x n covariance, row-major. */
  posteriorCovariance(X: number[][]): JointPosterior;
  /** count joint draws of f at the rows of X, each of length n. */
  samplePosterior(X: number[][], count: number, rng: RandomSource): Float64Array[];
  /** The same GP conditioned on extra observations (X, y) without refitting hyperparameters. */
  fantasize(X: number[][], y: number[]): GaussianProcess;
  /** Posterior mean/variance at one point x and their gradients ∂/∂x. */
  posteriorGradient(x: number[]): PosteriorGradient;
  readonly hyperparameters: Hyperparameters;
  /** log p(y | θ) in the original units of y: the standardized value − n log(scale). */
  readonly logMarginalLikelihood: number;
  readonly trainingSize: number;
  readonly kernel: KernelName;
  /** Diagonal jitter (standardized units) that the Cholesky factorization needed on top of the noise. */
  readonly jitter: number;
  /** Mean and scale used to standardize y: y_std = (y − offset) / scale. */
  readonly standardization: { offset: number; scale: number };
  /** How the hyperparameters were found (absent for createGaussianProcess and fantasies). */
  readonly fitSummary?: FitSummary;
}

/** Work done by the hyperparameter optimization. */
export interface FitSummary {
  /** Optimizer starts (1 + restarts). */
  starts: number;
  /** Marginal-likelihood evaluations (each with its gradient) on all the data. */
  evaluations: number;
  /** L-BFGS iterations on all the data. */
  iterations: number;
  /** Evaluations on the screening subset (0 when the data set was small enough to skip screening). */
  screeningEvaluations: number;
  /**
   * The fitted model's log marginal likelihood (original units of y, as GaussianProcess.logMarginalLikelihood) plus
   * logPrior: the maximized objective up to the constant −n log(scale) of the standardization.
   */
  logPosterior: number;
  /** log p(θ) at the fitted hyperparameters (0 without priors; fixed hyperparameters carry no term). */
  logPrior: number;
  /** Which start (0: the first, then the restarts in order) the winning optimization began from. */
  bestStart: number;
  /**
   * What multiplies this model's variances in predictions reported to people (reportedPosterior): the Student-t factor
   * of a marginalized covariance scale (studentTVarianceFactor) when the model itself is plug-in, 1 when it already
   * carries that scale (FitOptions.predictiveScale 'student-t') or its noise is known. Ranking uses the model as is.
   */
  reportedVarianceFactor: number;
}

/** Everything a posterior needs, in standardized units. */
export interface GaussianProcessState {
  kernel: KernelName;
  d: number;
  /** Training inputs, n x d row-major, original unit-cube coordinates. */
  x: Float64Array;
  /** Standardized targets. */
  y: Float64Array;
  hyper: StandardizedHyperparameters;
  offset: number;
  scale: number;
  /** Known noise variance of each training target (standardized units), on the diagonal with σ_n²; null: none. */
  knownNoise: Float64Array | null;
  factor: Matrix;
  alpha: Float64Array;
  jitter: number;
}

/**
 * Builds the model from training data and fixed hyperparameters (standardized units): K = σ_f² k(X, X) + diag(σ_n² + s_i²),
 * s_i² the known noise of target i (none when knownNoise is null).
 */
export function buildState(
  kernel: KernelName, x: Float64Array, d: number, y: Float64Array, hyper: StandardizedHyperparameters,
  standardization: { offset: number; scale: number }, knownNoise: Float64Array | null = null,
): GaussianProcessState {
  const n = y.length;
  const scaled = scaleInputs(x, d, hyper.lengthscales);
  const k = covarianceMatrix(kernel, scaled, d, hyper.signalVariance, hyper.noiseVariance);
  addKnownNoise(k, n, knownNoise);
  const { factor, jitter } = choleskyWithJitter({ rows: n, cols: n, data: k });
  return { kernel, d, x, y, hyper, ...standardization, knownNoise, factor, alpha: choleskySolve(factor, y), jitter };
}

/** Wraps a state as the public GaussianProcess object. */
export function createGaussianProcessFromState(state: GaussianProcessState, fitSummary?: FitSummary): GaussianProcess {
  return new ExactGaussianProcess(state, runPosteriorChunks, fitSummary);
}

class ExactGaussianProcess implements GaussianProcess {
  readonly hyperparameters: Hyperparameters;
  readonly logMarginalLikelihood: number;
  readonly trainingSize: number;
  readonly kernel: KernelName;
  readonly jitter: number;
  readonly standardization: { offset: number; scale: number };
  private readonly scaledX: Float64Array;
  private cachedModel: PosteriorModel | null = null;
  private cachedBoundModel: PosteriorBoundModel | null = null;
  private cachedTightBoundModel: PosteriorBoundModel | null = null;

  constructor(
    private readonly state: GaussianProcessState, private readonly runner: PosteriorRunner, readonly fitSummary?: FitSummary,
    private readonly boundRunner: PosteriorBoundRunner = runPosteriorBoundChunks,
  ) {
    const { hyper, scale, y } = state;
    this.trainingSize = y.length;
    this.kernel = state.kernel;
    this.jitter = state.jitter;
    this.standardization = { offset: state.offset, scale };
    this.hyperparameters = {
      lengthscales: Array.from(hyper.lengthscales),
      signalVariance: hyper.signalVariance * scale * scale,
      noiseVariance: hyper.noiseVariance * scale * scale,
    };
    this.logMarginalLikelihood = logLikelihoodFromFactor(state.factor, state.alpha, y) - y.length * Math.log(scale);
    this.scaledX = scaleInputs(state.x, state.d, hyper.lengthscales);
  }

  posterior(X: number[][]): Posterior {
    const query = this.flattenQuery(X);
    const m = X.length, n = this.trainingSize;
    const mean = new Float64Array(m), variance = new Float64Array(m);
    if (m >= MANY_QUERIES) {
      this.runner(this.posteriorModel(), query, mean, variance);
      return { mean, variance };
    }
    const { alpha, offset, scale, factor, hyper } = this.state;
    const cross = crossCovariance(this.kernel, query, this.scaledX, this.state.d, hyper.signalVariance);
    meanOfRows(cross, n, alpha, offset, scale, mean, 0);
    solveLowerRowsInPlace(factor, { rows: m, cols: n, data: cross });
    varianceOfRows(cross, n, hyper.signalVariance, scale, variance, 0);
    return { mean, variance };
  }

  posteriorBound(X: number[][], tight = false): PosteriorBound {
    const query = this.flattenQuery(X);
    const mean = new Float64Array(X.length), varianceUpper = new Float64Array(X.length);
    // The tight bound is the same computation with more neighbours: it runs through the bound runner too (threads).
    const model = tight
      ? (this.cachedTightBoundModel ??= { ...this.posteriorBoundModel(), neighbors: tightBoundNeighbors(this.trainingSize) })
      : this.posteriorBoundModel();
    this.boundRunner(model, query, mean, varianceUpper);
    return { mean, varianceUpper };
  }

  /** The arrays posteriorBound reads; the diagonal of K = L Lᵀ comes from the factor's rows (jitter included). */
  private posteriorBoundModel(): PosteriorBoundModel {
    if (this.cachedBoundModel === null) {
      const { kernel, d, hyper, alpha, offset, scale, factor } = this.state;
      const n = this.trainingSize, diagonal = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k <= i; k++) s += factor.data[i * n + k] * factor.data[i * n + k];
        diagonal[i] = s;
      }
      this.cachedBoundModel = { kernel, d, n, scaledX: this.scaledX, alpha, diagonal, signalVariance: hyper.signalVariance, offset, scale };
    }
    return this.cachedBoundModel;
  }

  posteriorModel(): PosteriorModel {
    if (this.cachedModel === null) {
      const { kernel, d, hyper, alpha, offset, scale, factor } = this.state;
      this.cachedModel = {
        kernel, d, n: this.trainingSize, lengthscales: Float64Array.from(hyper.lengthscales), scaledX: this.scaledX, alpha,
        inversePanels: packLowerPanels(invertLower(factor).data, this.trainingSize), signalVariance: hyper.signalVariance, offset, scale,
      };
    }
    return this.cachedModel;
  }

  withPosteriorRunner(runner: PosteriorRunner, boundRunner?: PosteriorBoundRunner): GaussianProcess {
    const twin = new ExactGaussianProcess(this.state, runner, this.fitSummary, boundRunner ?? this.boundRunner);
    twin.cachedModel = this.cachedModel;
    twin.cachedBoundModel = this.cachedBoundModel;
    twin.cachedTightBoundModel = this.cachedTightBoundModel;
    return twin;
  }

  posteriorCovariance(X: number[][]): JointPosterior {
    const { d, hyper, alpha, factor, offset, scale } = this.state;
    const query = this.flattenQuery(X);
    const m = X.length, n = this.trainingSize;
    const cross = crossCovariance(this.kernel, query, this.scaledX, d, hyper.signalVariance);
    const mean = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += cross[i * n + j] * alpha[j];
      mean[i] = offset + scale * s;
    }
    solveLowerRowsInPlace(factor, { rows: m, cols: n, data: cross });
    const covariance = covarianceMatrix(this.kernel, query, d, hyper.signalVariance, 0);
    const view = { data: cross, offset: 0, stride: n };
    addProductTransposed(m, m, n, view, view, { data: covariance, offset: 0, stride: m }, -1);
    for (let i = 0; i < covariance.length; i++) covariance[i] *= scale * scale;
    return { mean, covariance };
  }

  samplePosterior(X: number[][], count: number, rng: RandomSource): Float64Array[] {
    const { mean, covariance } = this.posteriorCovariance(X);
    // Jitter relative to the mean variance keeps the factorization of a near-singular joint covariance stable.
    return multivariateNormalDraws(mean, covariance, count, rng, { initialJitter: 1e-10, maxTries: 10 });
  }

  fantasize(X: number[][], y: number[]): GaussianProcess {
    if (X.length !== y.length) throw new GaussianProcessInputError(`fantasize: ${X.length} points but ${y.length} values`);
    if (X.length === 0) return this;
    return new ExactGaussianProcess(extendState(this.state, this.flattenQuery(X), y), this.runner, undefined, this.boundRunner);
  }

  posteriorGradient(x: number[]): PosteriorGradient {
    return posteriorGradientAt(this.state, this.scaledX, this.flattenQuery([x]));
  }

  /** Validates query rows and returns them divided by the lengthscales. */
  private flattenQuery(X: number[][]): Float64Array {
    return scaleQuery(X, this.state.hyper.lengthscales);
  }
}

/**
 * The posterior of f as reported to people (suggestion items, diagnostics): the variances multiplied by the fit's
 * reportedVarianceFactor (1 for a model without a fit: createGaussianProcess, fantasies).
 */
export function reportedPosterior(gp: Pick<GaussianProcess, 'posterior' | 'fitSummary'>, X: number[][]): Posterior {
  const posterior = gp.posterior(X);
  const factor = gp.fitSummary?.reportedVarianceFactor ?? 1;
  return factor === 1 ? posterior : { mean: posterior.mean, variance: posterior.variance.map((v) => v * factor) };
}

