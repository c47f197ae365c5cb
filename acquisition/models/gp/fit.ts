/**
 * fitGaussianProcess: standardize y, maximize the log marginal likelihood over [log ℓ, log σ_f², log σ_n²] with
 * multi-start L-BFGS (analytic gradients, projected onto the box of bounds in log space), then build the exact posterior.
 */
import { createRandom, type RandomSource } from '../../sampling/random.js';
import { GaussianProcessFitError, GaussianProcessInputError } from './errors.js';
import { standardizeValues } from '../../space/outcome-transform.js';
import {
  buildState, createGaussianProcessFromState, type FitSummary, type GaussianProcess, type Hyperparameters,
} from './gaussian-process.js';
import { boxesFor, DEFAULT_BOUNDS, fromLogVector, type HyperparameterBounds } from './hyperparameters.js';
import { KERNEL_NAMES, type KernelName } from './kernels.js';
import { minimizeLbfgs, type Box, type LbfgsOptions } from './lbfgs.js';
import { logMarginalLikelihood, type TrainingSet } from './marginal-likelihood.js';

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
  const bounds = options.bounds ?? DEFAULT_BOUNDS;
  const fixedLogNoise = options.fixedNoise === undefined ? null : Math.log(Math.max(options.fixedNoise / scale2, bounds.noiseVariance[0]));
  const { best, summary } = optimizeHyperparameters(kernel, data, bounds, fixedLogNoise, options, scale2);
  const state = buildState(kernel, x, d, data.y, fromLogVector(best), standardization, knownNoise);
  return createGaussianProcessFromState(state, summary);
}

/** Multi-start box-constrained L-BFGS on the log-hyperparameters; returns the best log vector. */
function optimizeHyperparameters(
  kernel: KernelName, data: TrainingSet, bounds: HyperparameterBounds, fixedLogNoise: number | null,
  options: FitOptions, scale2: number,
): { best: Float64Array; summary: FitSummary } {
  const boxes = boxesFor(data.d, bounds);
  const free = fixedLogNoise === null ? data.d + 2 : data.d + 1;
  const box = {
    lower: boxes.slice(0, free).map((b) => Math.log(b[0])),
    upper: boxes.slice(0, free).map((b) => Math.log(b[1])),
  };
  const rng = createRandom(options.seed ?? 0);
  const starts = [firstStart(data.d, options.warmStart, scale2)];
  for (let r = 0; r < (options.restarts ?? 2); r++) starts.push(randomStart(data.d, rng));
  const summary: FitSummary = { starts: starts.length, evaluations: 0, iterations: 0, screeningEvaluations: 0 };
  const screeningSize = options.screeningSize ?? 500;
  let candidates = starts.map((s) => s.subarray(0, free));
  if (screeningSize > 0 && data.n > 2 * screeningSize) {
    const subset = randomSubset(data, screeningSize, rng);
    const screened = bestOf(kernel, subset, candidates, fixedLogNoise, options.optimizer, box);
    summary.screeningEvaluations = screened.evaluations;
    candidates = [screened.best];
  }
  const result = bestOf(kernel, data, candidates, fixedLogNoise, options.optimizer, box);
  summary.evaluations = result.evaluations;
  summary.iterations = result.iterations;
  return { best: withNoise(result.best, fixedLogNoise), summary };
}

/** Runs L-BFGS from every start on the given data; the free log vector with the lowest −log p(y). */
function bestOf(
  kernel: KernelName, data: TrainingSet, starts: Float64Array[], fixedLogNoise: number | null,
  optimizer: LbfgsOptions | undefined, box: Box,
): { best: Float64Array; evaluations: number; iterations: number } {
  const objective = (v: Float64Array) => negativeObjective(kernel, data, v, fixedLogNoise);
  let bestValue = Infinity;
  let best: Float64Array | null = null;
  let evaluations = 0, iterations = 0;
  for (const start of starts) {
    const result = minimizeLbfgs(objective, start, optimizer, box);
    evaluations += result.evaluations;
    iterations += result.iterations;
    if (Number.isFinite(result.value) && result.value < bestValue) {
      bestValue = result.value;
      best = result.x;
    }
  }
  if (best === null) throw new GaussianProcessFitError('no optimizer start reached a finite marginal likelihood');
  return { best, evaluations, iterations };
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

/** −log p(y | θ) and its gradient in the free log-hyperparameters. */
function negativeObjective(
  kernel: KernelName, data: TrainingSet, free: Float64Array, fixedLogNoise: number | null,
): { value: number; gradient: Float64Array } {
  const lml = logMarginalLikelihood(kernel, data, withNoise(free, fixedLogNoise));
  const gradient = new Float64Array(free.length);
  for (let i = 0; i < free.length; i++) gradient[i] = -lml.gradient[i];
  return { value: -lml.value, gradient };
}

/** The full log vector [log ℓ, log σ_f², log σ_n²] from the free part (noise appended when it is fixed). */
function withNoise(free: Float64Array, fixedLogNoise: number | null): Float64Array {
  if (fixedLogNoise === null) return Float64Array.from(free);
  const full = new Float64Array(free.length + 1);
  full.set(free);
  full[free.length] = fixedLogNoise;
  return full;
}

/** Warm start (converted to standardized units) or the default guess ℓ = 0.5, σ_f² = 1, σ_n² = 0.01. */
function firstStart(d: number, warm: Hyperparameters | undefined, scale2: number): Float64Array {
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
  return v;
}

/** A random start, log-uniform in ℓ ∈ [0.05, 2], σ_f² ∈ [0.2, 5], σ_n² ∈ [1e-4, 0.3]. */
function randomStart(d: number, rng: RandomSource): Float64Array {
  const logUniform = (lo: number, hi: number) => Math.log(lo) + (Math.log(hi) - Math.log(lo)) * rng.uniform();
  const v = new Float64Array(d + 2);
  for (let k = 0; k < d; k++) v[k] = logUniform(0.05, 2);
  v[d] = logUniform(0.2, 5);
  v[d + 1] = logUniform(1e-4, 0.3);
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
