/** selectFeatures: rank descriptors by one method (or a consensus of all) and mark a recommended sparse subset. */
import { ardRelevance, fitArdGaussianProcess } from './ard.js';
import { isConstantTarget, standardizeColumns, toDataset, type Dataset } from './data.js';
import { FeatureSelectionInputError, UnknownFeatureSelectionMethodError } from './errors.js';
import { crossValidateLasso } from './lasso.js';
import { mutualInformationRanking } from './mutual-information.js';
import { permutationImportance, type FitPredictor } from './permutation.js';
import { stabilitySelection } from './stability.js';

/** Every feature-selection method, with its score and its selection rule. */
export const FEATURE_SELECTION_METHODS = {
  lasso: 'score: λ at which the feature enters the LASSO path, / λ_max (5-fold CV path); selected: nonzero at the 1-SE λ',
  stability: 'score: frequency over 100 randomized-LASSO fits on halves at the 1-SE λ; selected: ≥ 0.75 (default method)',
  'mutual-information': 'score: KSG k-NN estimate of I(x_j; y) in nats; selected: above the permutation null 1 − 0.05/p quantile',
  ard: 'score: (1/ℓ_j)/Σ(1/ℓ) of a Matern-5/2 ARD GP; selected: posterior-mean sensitivity ≥ max(0.1 sd(y), 0.2 × the largest)',
  permutation: 'score: 5-fold held-out MSE increase / Var(y) when x_j is shuffled (GP model); selected: ≥ 0.01 and > 2 SE',
  combined: 'score: mean over the five methods of score / that method’s best score; selected: by at least 2 of 5',
} as const;

/** A valid method name. */
export type FeatureSelectionMethod = keyof typeof FEATURE_SELECTION_METHODS;

/** Options of selectFeatures. */
export interface SelectFeaturesOptions {
  /** One of FEATURE_SELECTION_METHODS (default 'stability'). */
  method?: string;
  seed?: number;
  /** Keep at most this many selected features, the best-scored ones. */
  maxFeatures?: number;
  /** Model refitted on each fold by 'permutation' (default: a Matern-5/2 GP on min-max scaled X). */
  predictor?: FitPredictor;
}

/** One feature's score under the method and whether it is in the recommended subset. */
export interface FeatureScore {
  name: string;
  score: number;
  selected: boolean;
}

/** Per-feature scores (higher = more relevant) and selection of one method. */
interface MethodResult {
  scores: Float64Array;
  selected: boolean[];
}

/** Fewest samples accepted: 5 folds of at least two rows. */
const MIN_SAMPLES = 10;

/**
 * Ranks the columns of X (n x p, finite; n < p allowed) by relevance to y and marks a sparse subset.
 * Returns one entry per feature sorted by score descending (ties by column order). Constant columns score 0
 * and are never selected. Throws FeatureSelectionInputError or UnknownFeatureSelectionMethodError.
 */
export function selectFeatures(X: number[][], y: number[], names: string[], options: SelectFeaturesOptions = {}): FeatureScore[] {
  const method = parseMethod(options.method ?? 'stability');
  const dataset = toDataset(X, y, names);
  if (dataset.sampleCount < MIN_SAMPLES) throw new FeatureSelectionInputError(`need at least ${MIN_SAMPLES} samples, got ${dataset.sampleCount}`);
  if (isConstantTarget(dataset.y)) throw new FeatureSelectionInputError('y is constant: no feature can explain it');
  const maxFeatures = options.maxFeatures ?? dataset.featureCount;
  if (!Number.isInteger(maxFeatures) || maxFeatures < 1) throw new FeatureSelectionInputError(`maxFeatures must be a positive integer, got ${maxFeatures}`);
  const allConstant = standardizeColumns(dataset.columns).isConstant.every(Boolean);
  // Every method would divide by a zero λ_max or fit a GP without inputs: nothing can be relevant, say so plainly.
  const result = allConstant
    ? { scores: new Float64Array(dataset.featureCount), selected: names.map(() => false) }
    : runMethod(method, dataset, options.seed ?? 0, options.predictor);
  const order = names.map((_, j) => j).sort((a, b) => result.scores[b] - result.scores[a] || a - b);
  let kept = 0;
  return order.map((j) => {
    const selected = result.selected[j] && kept < maxFeatures;
    if (selected) kept++;
    return { name: names[j], score: result.scores[j], selected };
  });
}

/** Dispatches to one method. */
function runMethod(method: FeatureSelectionMethod, dataset: Dataset, seed: number, predictor?: FitPredictor): MethodResult {
  switch (method) {
    case 'lasso':
      return lassoMethod(dataset, seed);
    case 'stability':
      return stabilityMethod(dataset, seed);
    case 'mutual-information': {
      const { scores, selected } = mutualInformationRanking(dataset, { seed });
      return { scores, selected };
    }
    case 'ard': {
      const { relevance, selected } = ardRelevance(dataset, { seed });
      return { scores: relevance, selected };
    }
    case 'permutation': {
      const { importance, selected } = permutationImportance(dataset, predictor ?? gaussianProcessPredictor(seed), { seed });
      return { scores: importance.map((v) => Math.max(0, v)), selected };
    }
    case 'combined':
      return combinedMethod(dataset, seed, predictor);
  }
}

/**
 * LASSO: score_j = max over the CV path of |z_jᵀ r(λ)| / (n λ_max), the largest correlation of feature j with the
 * path's residual. By the KKT conditions it equals λ/λ_max while j is active and stays below λ/λ_max while it is
 * not, so it is the λ at which j enters (between grid points) and also ranks the features that never enter.
 * Selected: nonzero at the 1-SE λ.
 */
function lassoMethod(dataset: Dataset, seed: number): MethodResult {
  const cv = crossValidateLasso(dataset, { seed });
  const { z, yCentered, sampleCount } = cv.problem;
  const scores = new Float64Array(dataset.featureCount);
  for (const beta of cv.path) {
    const residual = Float64Array.from(yCentered);
    beta.forEach((b, j) => {
      if (b !== 0) for (let r = 0; r < sampleCount; r++) residual[r] -= b * z.columns[j][r];
    });
    z.columns.forEach((column, j) => {
      let correlation = 0;
      for (let r = 0; r < sampleCount; r++) correlation += column[r] * residual[r];
      scores[j] = Math.max(scores[j], Math.abs(correlation) / sampleCount / cv.lambdas[0]);
    });
  }
  return { scores, selected: [...cv.path[cv.indexOneStandardError]].map((beta) => beta !== 0) };
}

/** Stability selection at the 1-SE λ of a 5-fold CV on the full data. */
function stabilityMethod(dataset: Dataset, seed: number): MethodResult {
  const cv = crossValidateLasso(dataset, { seed });
  const { frequencies, selected } = stabilitySelection(dataset, { lambda: cv.lambdas[cv.indexOneStandardError], seed });
  return { scores: frequencies, selected };
}

/**
 * Consensus: mean of the five methods' scores, each divided by its best score; selected when at least two methods
 * select it. Not a majority: lasso and stability only see linear effects and MI only marginal ones, so a symmetric
 * or interacting effect is found by ARD and permutation alone, and a majority vote would drop it.
 */
function combinedMethod(dataset: Dataset, seed: number, predictor?: FitPredictor): MethodResult {
  const methods: FeatureSelectionMethod[] = ['lasso', 'stability', 'mutual-information', 'ard', 'permutation'];
  const results = methods.map((method) => runMethod(method, dataset, seed, predictor));
  const scores = new Float64Array(dataset.featureCount);
  const votes = new Float64Array(dataset.featureCount);
  for (const result of results) {
    const best = Math.max(...result.scores);
    result.scores.forEach((score, j) => (scores[j] += best > 0 ? score / best / results.length : 0));
    result.selected.forEach((chosen, j) => (votes[j] += chosen ? 1 : 0));
  }
  return { scores, selected: [...votes].map((v) => v >= 2) };
}

/** Fit-predict with the ARD Matern-5/2 GP of ard.ts on X min-max scaled by the training rows (one restart per fold). */
export function gaussianProcessPredictor(seed = 0): FitPredictor {
  return (X, y) => {
    const p = X[0].length;
    const lo = Array.from({ length: p }, (_, j) => X.reduce((m, row) => Math.min(m, row[j]), Infinity));
    const width = Array.from({ length: p }, (_, j) => X.reduce((m, row) => Math.max(m, row[j]), -Infinity) - lo[j] || 1);
    const scale = (rows: number[][]): number[][] => rows.map((row) => row.map((v, j) => (v - lo[j]) / width[j]));
    const gp = fitArdGaussianProcess(scale(X), y, { seed, restarts: 1 });
    return (rows) => gp.posterior(scale(rows)).mean;
  };
}

/** The method name if valid, else an UnknownFeatureSelectionMethodError listing the valid ones. */
function parseMethod(name: string): FeatureSelectionMethod {
  if (typeof name === 'string' && Object.hasOwn(FEATURE_SELECTION_METHODS, name)) return name as FeatureSelectionMethod;
  throw new UnknownFeatureSelectionMethodError(String(name), Object.keys(FEATURE_SELECTION_METHODS));
}
