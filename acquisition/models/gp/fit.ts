/**
 * fitGaussianProcess: standardize y, maximize the log marginal likelihood (or, with priors, the log posterior
 * log p(y | θ) + log p(θ), a MAP fit) over [log ℓ, log σ_f², log σ_n²] with multi-start L-BFGS (analytic gradients,
 * projected onto the box of bounds in log space), then build the exact posterior.
 */
import { createRandom, type RandomSource } from '../../sampling/random.js';
import { GaussianProcessFitError, GaussianProcessInputError } from './errors.js';
import { standardizeValues } from '../../space/outcome-transform.js';
import {
  buildState, type GaussianProcessState, createGaussianProcessFromState, type FitSummary, type GaussianProcess, type Hyperparameters,
} from './gaussian-process.js';
import { boxesFor, DEFAULT_BOUNDS, fromLogVector, priorBounds, type HyperparameterBounds } from './hyperparameters.js';
import { KERNEL_NAMES, type KernelName } from './kernels.js';
import { minimizeLbfgs, type Box, type LbfgsOptions } from './lbfgs.js';
import { logLikelihoodFromFactor, logPosterior, type TrainingSet } from './marginal-likelihood.js';
import {
  DEFAULT_FIT_PRIORS, logPriorDensity, priorAt, priorMode, resolvePriors, type HyperparameterPriors, type ResolvedPriors,
} from './priors.js';

/** Options of fitGaussianProcess. */
export interface FitOptions {
  /** Kernel family (default 'matern52'). */
  kernel?: KernelName;
  /** Seed of the random restarts (default 0). */
  seed?: number;
  /** Random restarts on top of the first start, as sklearn's n_restarts_optimizer (default 2). */
  restarts?: number;
  /** Hyperparameters of a previous fit (original units): the first start, instead of the default guess. */
  warmStart?: Hyperparameters;
  /** Known noise variance in the original units of y: kept fixed instead of being fitted. */
  fixedNoise?: number;
  /**
   * Known noise variance of each observation (length n, original units of y, ≥ 0; e.g. the std² of a value measured
   * on an image): added to the diagonal on top of the fitted noise, K + diag(σ_n² + s_i²). Absent or all 0: none.
   */
  knownNoise?: ArrayLike<number>;
  /** Boxes of the hyperparameters in standardized units (default DEFAULT_BOUNDS). */
  bounds?: HyperparameterBounds;
  /** Stopping rules of every L-BFGS run. */
  optimizer?: LbfgsOptions;
  /**
   * Screening subset size (default 500; 0 disables). With more than twice this many observations, every start is
   * first optimized on a seeded random subset of this size, and only the best of them is then optimized on all
   * the data: each full-data evaluation costs O(n³), so the restarts' exploration is done where it is cheap.
   */
  screeningSize?: number;
  /**
   * Hyperparameter priors for a MAP fit (see priors.ts; e.g. DIMENSION_SCALED_PRIORS); null: none, maximum
   * likelihood; undefined: DEFAULT_FIT_PRIORS. With priors and no explicit `bounds`, the lengthscale box widens to
   * hold the prior (priorBounds), the first start is the prior's mode (unless warmStart), and the random restarts are
   * drawn from the priors.
   */
  priors?: HyperparameterPriors | null;
  /**
   * How the model's variance treats the overall scale of the covariance: 'plug-in' uses the fitted σ_f² and σ_n² as
   * if known, and reports (FitSummary.reportedVarianceFactor, reportedPosterior) the Student-t variance of a
   * marginalized common scale of both (studentTVarianceFactor), which widens the predictions of small or rough data
   * sets to what the data support; 'student-t' puts that scale into the model itself, so ranking sees it too. Default
   * DEFAULT_PREDICTIVE_SCALE. Ignored with fixedNoise or knownNoise, whose noise is known and so cannot share an
   * unknown scale.
   */
  predictiveScale?: PredictiveScale;
}

/** How a fitted GP's predictive variance treats the covariance's overall scale (FitOptions.predictiveScale). */
export type PredictiveScale = 'plug-in' | 'student-t';

/** The predictive scale fits use unless told otherwise. */
export const DEFAULT_PREDICTIVE_SCALE: PredictiveScale = 'plug-in';

/**
 * The variance factor of a marginalized covariance scale: with a Jeffreys prior on c in K = c·K̂, the predictive of f
 * is Student-t with ν = n − 1 degrees of freedom (one mean parameter, the standardization offset, is estimated) about
 * the plug-in mean, with scale² s²·(plug-in variance), s² = yᵀK̂⁻¹y / ν; its variance is s²·ν/(ν − 2) times the
 * plug-in one (Santner, Williams & Notz 2003, §4.1). ν is held at ≥ 3 so that 2–3 observations keep a finite variance.
 */
export function studentTVarianceFactor(yKinvY: number, n: number): number {
  const nu = Math.max(n - 1, 3);
  return (yKinvY / Math.max(n - 1, 1)) * (nu / (nu - 2));
}

/** Which entries of the log vector [log ℓ_1..d, log σ_f², log σ_n²] the optimizer moves; the rest keep `template`. */
interface Layout {
  free: number[];
  template: Float64Array;
}

/** Fits an exact GP to X (n x d, unit cube) and raw y; the posterior comes back in the units of y. */
export function fitGaussianProcess(X: number[][], y: number[], options: FitOptions = {}): GaussianProcess {
  const kernel = options.kernel ?? 'matern52';
  if (!KERNEL_NAMES.includes(kernel)) {
    throw new GaussianProcessInputError(`unknown kernel '${String(kernel)}'; valid: ${KERNEL_NAMES.join(', ')}`);
  }
  const { x, d } = flattenInputs(X, y);
  const standardization = standardize(y);
  const scale2 = standardization.scale * standardization.scale;
  const knownNoise = standardizedKnownNoise(options.knownNoise, y.length, scale2);
  const data: TrainingSet = { x, d, n: y.length, y: standardization.values, ...(knownNoise ? { knownNoise } : {}) };
  const given = options.priors === undefined ? DEFAULT_FIT_PRIORS : options.priors;
  const priors = given === null ? null : resolvePriors(given, d);
  const bounds = options.bounds ?? (priors === null ? DEFAULT_BOUNDS : priorBounds(priors));
  const fixedLogNoise = options.fixedNoise === undefined ? null : Math.log(Math.max(options.fixedNoise / scale2, bounds.noiseVariance[0]));
  const { best, summary } = optimizeHyperparameters(kernel, data, bounds, layoutOf(d, fixedLogNoise, priors), priors, options, scale2);
  let state = buildState(kernel, x, d, data.y, fromLogVector(best), standardization, knownNoise);
  let reportedVarianceFactor = 1;
  if (options.fixedNoise === undefined && knownNoise === null) {
    const factor = studentTVarianceFactor(dot(state.y, state.alpha), y.length);
    if ((options.predictiveScale ?? DEFAULT_PREDICTIVE_SCALE) === 'student-t') state = withCovarianceScaled(state, factor);
    else if (Number.isFinite(factor) && factor > 0) reportedVarianceFactor = factor;
  }
  const logLikelihood = logLikelihoodFromFactor(state.factor, state.alpha, state.y) - y.length * Math.log(standardization.scale);
  return createGaussianProcessFromState(state, { ...summary, logPosterior: logLikelihood + summary.logPrior, reportedVarianceFactor });
}

/** The free entries and fixed values: a fixed noise (FitOptions.fixedNoise) and a fixed signal variance (priors). */
function layoutOf(d: number, fixedLogNoise: number | null, priors: ResolvedPriors | null): Layout {
  const template = new Float64Array(d + 2);
  const free: number[] = [];
  const fixedLogSignal = priors?.fixedLogSignal ?? null;
  for (let i = 0; i < d + 2; i++) {
    if (i === d && fixedLogSignal !== null) template[i] = fixedLogSignal;
    else if (i === d + 1 && fixedLogNoise !== null) template[i] = fixedLogNoise;
    else free.push(i);
  }
  return { free, template };
}

/** Multi-start box-constrained L-BFGS on the log-hyperparameters; returns the best log vector. */
function optimizeHyperparameters(
  kernel: KernelName, data: TrainingSet, bounds: HyperparameterBounds, layout: Layout, priors: ResolvedPriors | null,
  options: FitOptions, scale2: number,
): { best: Float64Array; summary: FitSummary } {
  const boxes = boxesFor(data.d, bounds);
  const box = {
    lower: layout.free.map((i) => Math.log(boxes[i][0])),
    upper: layout.free.map((i) => Math.log(boxes[i][1])),
  };
  const rng = createRandom(options.seed ?? 0);
  const starts = [firstStart(data.d, options.warmStart, scale2, priors)];
  for (let r = 0; r < (options.restarts ?? 2); r++) starts.push(randomStart(data.d, rng, priors));
  const summary: FitSummary = {
    starts: starts.length, evaluations: 0, iterations: 0, screeningEvaluations: 0, logPosterior: NaN, logPrior: 0, bestStart: 0, reportedVarianceFactor: 1,
  };
  const screeningSize = options.screeningSize ?? 500;
  let candidates: Float64Array[] = starts.map((s) => Float64Array.from(layout.free, (i) => s[i]));
  if (screeningSize > 0 && data.n > 2 * screeningSize) {
    const subset = randomSubset(data, screeningSize, rng);
    const screened = bestOf(kernel, subset, candidates, layout, priors, options.optimizer, box);
    summary.screeningEvaluations = screened.evaluations;
    summary.bestStart = screened.bestStart;
    candidates = [screened.best];
  }
  const result = bestOf(kernel, data, candidates, layout, priors, options.optimizer, box);
  summary.evaluations = result.evaluations;
  summary.iterations = result.iterations;
  if (candidates.length > 1) summary.bestStart = result.bestStart;
  const best = expand(result.best, layout);
  if (priors !== null) summary.logPrior = logPriorDensity(priors, best, fixedEntries(layout)).value;
  return { best, summary };
}

/** Runs L-BFGS from every start on the given data; the free log vector with the lowest −log p(y | θ) − log p(θ). */
function bestOf(
  kernel: KernelName, data: TrainingSet, starts: Float64Array[], layout: Layout, priors: ResolvedPriors | null,
  optimizer: LbfgsOptions | undefined, box: Box,
): { best: Float64Array; bestStart: number; evaluations: number; iterations: number } {
  const skip = fixedEntries(layout);
  const objective = (v: Float64Array) => negativeObjective(kernel, data, v, layout, priors, skip);
  let bestValue = Infinity;
  let best: Float64Array | null = null;
  let bestStart = 0;
  let evaluations = 0, iterations = 0;
  for (let s = 0; s < starts.length; s++) {
    const result = minimizeLbfgs(objective, starts[s], optimizer, box);
    evaluations += result.evaluations;
    iterations += result.iterations;
    if (Number.isFinite(result.value) && result.value < bestValue) {
      bestValue = result.value;
      best = result.x;
      bestStart = s;
    }
  }
  if (best === null) throw new GaussianProcessFitError('no optimizer start reached a finite marginal likelihood');
  return { best, bestStart, evaluations, iterations };
}

/** A seeded random subset of the training set (partial Fisher–Yates shuffle), same standardization. */
function randomSubset(data: TrainingSet, size: number, rng: RandomSource): TrainingSet {
  const order = Array.from({ length: data.n }, (_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + rng.integer(data.n - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const x = new Float64Array(size * data.d), y = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    x.set(data.x.subarray(order[i] * data.d, (order[i] + 1) * data.d), i * data.d);
    y[i] = data.y[order[i]];
  }
  if (!data.knownNoise) return { x, y, n: size, d: data.d };
  const known = data.knownNoise;
  return { x, y, n: size, d: data.d, knownNoise: Float64Array.from({ length: size }, (_, i) => known[order[i]]) };
}

/** −log p(y | θ) − log p(θ) (no prior term without priors) and its gradient in the free log-hyperparameters. */
function negativeObjective(
  kernel: KernelName, data: TrainingSet, free: Float64Array, layout: Layout, priors: ResolvedPriors | null,
  skip: ReadonlySet<number>,
): { value: number; gradient: Float64Array } {
  const posterior = logPosterior(kernel, data, expand(free, layout), priors, skip);
  const gradient = new Float64Array(free.length);
  for (let i = 0; i < free.length; i++) gradient[i] = -posterior.gradient[layout.free[i]];
  return { value: -posterior.value, gradient };
}

/** The full log vector [log ℓ, log σ_f², log σ_n²]: the layout's template with the free entries written in. */
function expand(free: Float64Array, layout: Layout): Float64Array {
  const full = Float64Array.from(layout.template);
  layout.free.forEach((index, i) => { full[index] = free[i]; });
  return full;
}

/** The entries the layout holds fixed: they carry no prior term (a constant that would only shift log p(θ)). */
function fixedEntries(layout: Layout): Set<number> {
  const fixed = new Set<number>();
  for (let i = 0; i < layout.template.length; i++) if (!layout.free.includes(i)) fixed.add(i);
  return fixed;
}

/**
 * Warm start (converted to standardized units), else the default guess ℓ = 0.5, σ_f² = 1, σ_n² = 0.01 with every
 * group that has a prior at the mode of the maximized prior density instead (the median for the density of log θ).
 */
function firstStart(d: number, warm: Hyperparameters | undefined, scale2: number, priors: ResolvedPriors | null): Float64Array {
  const v = new Float64Array(d + 2);
  if (warm !== undefined) {
    if (warm.lengthscales.length !== d) {
      throw new GaussianProcessInputError(`warmStart has ${warm.lengthscales.length} lengthscales, expected ${d}`);
    }
    for (let k = 0; k < d; k++) v[k] = Math.log(warm.lengthscales[k]);
    v[d] = Math.log(warm.signalVariance / scale2);
    v[d + 1] = Math.log(warm.noiseVariance / scale2);
    return v;
  }
  v.fill(Math.log(0.5), 0, d);
  v[d] = 0;
  v[d + 1] = Math.log(0.01);
  if (priors === null) return v;
  for (let i = 0; i < d + 2; i++) {
    const prior = priorAt(priors, d, i);
    if (prior !== null) v[i] = priorMode(priors, prior);
  }
  return v;
}

/**
 * A random start: each log-hyperparameter with a prior drawn from it (Normal(μ, σ) in log space; the optimizer
 * projects it into the box), the others log-uniform in ℓ ∈ [0.05, 2], σ_f² ∈ [0.2, 5], σ_n² ∈ [1e-4, 0.3].
 */
function randomStart(d: number, rng: RandomSource, priors: ResolvedPriors | null): Float64Array {
  const logUniform = (lo: number, hi: number) => Math.log(lo) + (Math.log(hi) - Math.log(lo)) * rng.uniform();
  const ranges: [number, number][] = [[0.05, 2], [0.2, 5], [1e-4, 0.3]];
  const v = new Float64Array(d + 2);
  for (let i = 0; i < d + 2; i++) {
    const prior = priors === null ? null : priorAt(priors, d, i);
    v[i] = prior === null ? logUniform(...ranges[Math.max(0, i - d + 1)]) : prior.mu + prior.sigma * rng.normal();
  }
  return v;
}

/** Validates shapes and finiteness and packs X into an n x d row-major array. */
export function flattenInputs(X: number[][], y: number[]): { x: Float64Array; d: number } {
  if (X.length === 0) throw new GaussianProcessInputError('at least one observation is needed');
  if (X.length !== y.length) throw new GaussianProcessInputError(`${X.length} points but ${y.length} targets`);
  const d = X[0].length;
  if (d === 0) throw new GaussianProcessInputError('points need at least one coordinate');
  const x = new Float64Array(X.length * d);
  for (let i = 0; i < X.length; i++) {
    if (X[i].length !== d) throw new GaussianProcessInputError(`point ${i} has ${X[i].length} coordinates, expected ${d}`);
    if (!Number.isFinite(y[i])) throw new GaussianProcessInputError(`target ${i} is not finite`);
    for (let k = 0; k < d; k++) {
      if (!Number.isFinite(X[i][k])) throw new GaussianProcessInputError(`point ${i} has a non-finite coordinate`);
      x[i * d + k] = X[i][k];
    }
  }
  return { x, d };
}

/**
 * Known noise variances of n observations divided by scale² (the standardization of y), validated (finite, ≥ 0);
 * null when absent or all 0, so that a GP without known noise runs exactly the code it ran before it existed.
 */
export function standardizedKnownNoise(knownNoise: ArrayLike<number> | undefined, n: number, scale2: number): Float64Array | null {
  if (knownNoise === undefined) return null;
  if (knownNoise.length !== n) throw new GaussianProcessInputError(`knownNoise has ${knownNoise.length} entries for ${n} observations`);
  let any = false;
  const standardized = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = knownNoise[i];
    if (!(Number.isFinite(v) && v >= 0)) throw new GaussianProcessInputError(`known noise variance ${i} is ${v}; it must be finite and ≥ 0`);
    standardized[i] = v / scale2;
    if (v > 0) any = true;
  }
  return any ? standardized : null;
}

/**
 * (y − mean) / std with the population std; a constant y (std 0) keeps scale 1 so that the model stays defined.
 * Computed on y divided by a power of two (see space/outcome-transform.ts), so no finite y overflows.
 */
export function standardize(y: ArrayLike<number>): { values: Float64Array; offset: number; scale: number } {
  return standardizeValues(y);
}

/** The same model with K multiplied by c (signal, noise and jitter alike): the factor scales by √c, K⁻¹y by 1/c, the mean stays. */
function withCovarianceScaled(state: GaussianProcessState, c: number): GaussianProcessState {
  if (!(Number.isFinite(c) && c > 0)) return state;
  const root = Math.sqrt(c);
  const hyper = { lengthscales: state.hyper.lengthscales, signalVariance: state.hyper.signalVariance * c, noiseVariance: state.hyper.noiseVariance * c };
  const factor = { rows: state.factor.rows, cols: state.factor.cols, data: state.factor.data.map((v) => v * root) };
  return { ...state, hyper, factor, alpha: state.alpha.map((v) => v / c), jitter: state.jitter * c };
}

/** Σ a_i·b_i. */
function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

