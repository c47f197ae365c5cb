/**
 * Automatic relevance determination (MacKay 1994; Rasmussen & Williams 2006, §5.1): fit a GP with one lengthscale
 * per feature on X scaled to the unit cube; a short lengthscale ℓ_j means f changes fast along feature j.
 */
import {
  DEFAULT_BOUNDS, fitGaussianProcess, type GaussianProcess, type Hyperparameters, type KernelName,
} from '../models/gp/index.js';
import { seededPermutation } from '../sampling/random.js';
import { meanAndScale, standardizeColumns, type Dataset } from './data.js';

/** Options of ardRelevance. */
export interface ArdOptions {
  kernel?: KernelName;
  seed?: number;
  /** Random restarts of the marginal-likelihood optimizer (default 2). */
  restarts?: number;
  /** First start of the optimizer (default: ℓ = √(d/6), σ_f² = Var(y), σ_n² = 0.1 Var(y)). */
  warmStart?: Hyperparameters;
  /** Largest lengthscale, in unit-cube widths (default 100, so irrelevant features can drift far off). */
  maxLengthscale?: number;
  /** Smallest sensitivity (see ArdRelevance.sensitivity), as a fraction of sd(y), that is selected (default 0.1). */
  minSensitivity?: number;
  /**
   * Smallest sensitivity as a fraction of the largest one that is selected (default 0.2): with many features the
   * maximum-likelihood GP overfits and lends unused features sensitivities of 0.1–0.2 sd(y) (n = 200, p = 50).
   */
  minRelativeSensitivity?: number;
}

/** Lengthscales of the fitted GP and what they imply per feature. */
export interface ArdRelevance {
  /** ℓ_j in unit-cube widths (Infinity for a constant column, which the GP does not see). */
  lengthscales: Float64Array;
  /** (1/ℓ_j) / Σ_k (1/ℓ_k): relevances that sum to 1. */
  relevance: Float64Array;
  /**
   * How much the posterior mean moves along feature j, others fixed (individual conditional expectation curves):
   * √(mean over up to 50 training rows of the variance of m over x_j ∈ {0, ¼, ½, ¾, 1}) / sd(y).
   */
  sensitivity: Float64Array;
  /**
   * sensitivity ≥ max(minSensitivity, minRelativeSensitivity × largest sensitivity): a long lengthscale alone cannot
   * tell a weak linear trend from an unused feature, so selection reads the posterior mean instead.
   */
  selected: boolean[];
}

/** Fits the ARD GP to the dataset (constant columns dropped, others min-max scaled to [0, 1]) and reads its lengthscales. */
export function ardRelevance(dataset: Dataset, options: ArdOptions = {}): ArdRelevance {
  const p = dataset.featureCount;
  const { isConstant } = standardizeColumns(dataset.columns);
  const used = dataset.columns.map((_, j) => j).filter((j) => !isConstant[j]);
  if (used.length === 0) {
    const zeros = new Float64Array(p);
    return { lengthscales: new Float64Array(p).fill(Infinity), relevance: zeros, sensitivity: zeros.slice(), selected: isConstant.map(() => false) };
  }
  const X = toUnitCube(dataset, used);
  const kernel = options.kernel ?? 'matern52';
  const gp = fitArdGaussianProcess(X, Array.from(dataset.y), { ...options, kernel });
  const lengthscales = new Float64Array(p).fill(Infinity);
  used.forEach((j, k) => (lengthscales[j] = gp.hyperparameters.lengthscales[k]));
  const inverse = lengthscales.map((l) => 1 / l);
  const total = inverse.reduce((s, v) => s + v, 0);
  const rows = seededPermutation(dataset.sampleCount, options.seed ?? 0).slice(0, 50).map((r) => X[r]);
  const sensitivity = new Float64Array(p);
  used.forEach((j, k) => (sensitivity[j] = conditionalSensitivity(gp.posterior.bind(gp), rows, k) / meanAndScale(dataset.y).scale));
  const cutoff = Math.max(options.minSensitivity ?? 0.1, (options.minRelativeSensitivity ?? 0.2) * Math.max(...sensitivity));
  return {
    lengthscales,
    relevance: inverse.map((v) => (total > 0 ? v / total : 0)),
    sensitivity,
    selected: [...sensitivity].map((v) => v >= cutoff),
  };
}

/**
 * Fits a GP with ARD lengthscales up to maxLengthscale (default 100), first started from ℓ ≈ √(d/6), the typical
 * distance between uniform points in d dimensions: from the GP's default ℓ = 0.5 with many features every point
 * looks independent of the others, the likelihood gradients vanish and the fit stays where it started.
 */
export function fitArdGaussianProcess(X: number[][], y: number[], options: ArdOptions = {}): GaussianProcess {
  const d = X[0].length;
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  const variance = y.reduce((s, v) => s + (v - mean) ** 2, 0) / y.length;
  return fitGaussianProcess(X, y, {
    kernel: options.kernel ?? 'matern52',
    seed: options.seed ?? 0,
    restarts: options.restarts ?? 2,
    bounds: { ...DEFAULT_BOUNDS, lengthscale: [DEFAULT_BOUNDS.lengthscale[0], options.maxLengthscale ?? 100] },
    warmStart: options.warmStart ?? {
      lengthscales: Array.from({ length: d }, () => Math.max(0.5, Math.sqrt(d / 6))),
      signalVariance: variance,
      noiseVariance: 0.1 * variance,
    },
  });
}

/** √(mean over rows of Var_{t ∈ {0, ¼, ½, ¾, 1}} m(row with x_k = t)): the spread of the ICE curves of feature k. */
function conditionalSensitivity(posterior: (X: number[][]) => { mean: Float64Array }, rows: number[][], k: number): number {
  const grid = [0, 0.25, 0.5, 0.75, 1];
  const points = rows.flatMap((row) => grid.map((t) => row.map((v, c) => (c === k ? t : v))));
  const mean = posterior(points).mean;
  let total = 0;
  rows.forEach((_, r) => {
    const curve = grid.map((_, g) => mean[r * grid.length + g]);
    const centre = curve.reduce((s, v) => s + v, 0) / curve.length;
    total += curve.reduce((s, v) => s + (v - centre) ** 2, 0) / curve.length;
  });
  return Math.sqrt(total / rows.length);
}

/** The chosen columns min-max scaled to [0, 1], as rows (the GP's input space). */
export function toUnitCube(dataset: Dataset, columns: readonly number[]): number[][] {
  const ranges = columns.map((j) => {
    const column = dataset.columns[j];
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of column) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return { lo, width: hi - lo };
  });
  return Array.from({ length: dataset.sampleCount }, (_, r) =>
    columns.map((j, k) => (dataset.columns[j][r] - ranges[k].lo) / ranges[k].width));
}
