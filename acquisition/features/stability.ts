/**
 * Stability selection (Meinshausen & Bühlmann 2010) with complementary pairs (Shah & Samworth 2013): fit the LASSO
 * at one λ on many random halves of the data and keep the features selected in at least a fraction π of them.
 */
import { seededPermutation } from '../sampling/random.js';
import { trainingRows } from '../validation/folds.js';
import { type Dataset } from './data.js';
import { FeatureSelectionInputError } from './errors.js';
import { createRandom } from '../sampling/random.js';
import { lambdaGrid, lambdaMax, lassoPath, lassoProblem, type CoordinateDescentOptions } from './lasso.js';

/** Options of stabilitySelection. */
export interface StabilitySelectionOptions extends CoordinateDescentOptions {
  /** The λ of every subsample fit, on the (1/2n) scale of lasso.ts. */
  lambda: number;
  /** Number of complementary pairs of halves (default 50, i.e. 100 fits). */
  pairs?: number;
  /** Selection threshold π on the frequency, in (0.5, 1] (default 0.75). */
  threshold?: number;
  /**
   * Randomized-LASSO weakness α in (0, 1] (M&B §3.1): each fit penalizes feature j by λ / W_j with W_j ~ U[α, 1],
   * which breaks ties between correlated features and lowers noise frequencies; 1 gives the plain LASSO (default 0.5).
   */
  weakness?: number;
  seed?: number;
}

/** Selection frequency of each feature, the stable set, and the Meinshausen–Bühlmann bound on false selections. */
export interface StabilitySelection {
  frequencies: Float64Array;
  selected: boolean[];
  /** Average number of features selected per half, q. */
  averageSelected: number;
  /** E[V] ≤ q² / ((2π − 1) p): bound on the expected number of falsely selected features (Theorem 1). */
  falseSelectionBound: number;
}

/** Runs stability selection on a dataset; each half is standardized on its own rows and solved along a short path. */
export function stabilitySelection(dataset: Dataset, options: StabilitySelectionOptions): StabilitySelection {
  const pairs = options.pairs ?? 50;
  const threshold = options.threshold ?? 0.75;
  if (!(threshold > 0.5 && threshold <= 1)) throw new FeatureSelectionInputError(`threshold must be in (0.5, 1], got ${threshold}`);
  if (!Number.isInteger(pairs) || pairs < 1) throw new FeatureSelectionInputError(`pairs must be a positive integer, got ${pairs}`);
  const weakness = options.weakness ?? 0.5;
  if (!(weakness > 0 && weakness <= 1)) throw new FeatureSelectionInputError(`weakness must be in (0, 1], got ${weakness}`);
  const random = createRandom(options.seed ?? 0);
  const n = dataset.sampleCount;
  const p = dataset.featureCount;
  const counts = new Float64Array(p);
  let totalSelected = 0;
  for (let b = 0; b < pairs; b++) {
    const half = seededPermutation(n, (options.seed ?? 0) * 100_003 + b).slice(0, Math.floor(n / 2)).sort((x, y) => x - y);
    for (const rows of [half, trainingRows(n, half)]) {
      const penaltyFactors = Float64Array.from({ length: p }, () => 1 / (weakness + (1 - weakness) * random.uniform()));
      const beta = lassoAtLambda(dataset, rows, options.lambda, { ...options, penaltyFactors });
      beta.forEach((value, j) => {
        if (value !== 0) {
          counts[j] += 1;
          totalSelected += 1;
        }
      });
    }
  }
  const frequencies = counts.map((c) => c / (2 * pairs));
  const averageSelected = totalSelected / (2 * pairs);
  return {
    frequencies,
    selected: [...frequencies].map((f) => f >= threshold),
    averageSelected,
    falseSelectionBound: (averageSelected * averageSelected) / ((2 * threshold - 1) * p),
  };
}

/** LASSO coefficients (standardized) at λ on the given rows, reached by 10 warm-started steps from an upper bound of λ_max. */
function lassoAtLambda(dataset: Dataset, rows: number[], lambda: number, options: CoordinateDescentOptions): Float64Array {
  const problem = lassoProblem(dataset, rows);
  // Penalty factors are ≥ 1, so the unweighted λ_max bounds the weighted one from above.
  const largest = lambdaMax(problem);
  if (lambda >= largest) return new Float64Array(dataset.featureCount);
  const path = [...lambdaGrid(largest, 10, lambda / largest).slice(0, -1), lambda];
  const betas = lassoPath(problem, path, options);
  return betas[betas.length - 1];
}
