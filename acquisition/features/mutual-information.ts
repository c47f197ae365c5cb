/**
 * Mutual information between each feature and a continuous y by the k-nearest-neighbour estimator of Kraskov,
 * Stögbauer & Grassberger (2004), algorithm 1, on copula-normal scores, with a permutation null for selection.
 */
import { createRandom, shuffleInPlace } from '../sampling/random.js';
import { standardizeColumns, type Dataset } from './data.js';

/** Options of mutualInformationRanking. */
export interface MutualInformationOptions {
  /**
   * Neighbours of the KSG estimator (default 6: Kraskov et al. suggest 2–4 for least bias, but a larger k halves
   * the spread of the null at n = 200 and so detects weaker features).
   */
  neighbors?: number;
  /** Draws of the permutation null (default 400). */
  nullDraws?: number;
  /** Family-wise level α of the selection: a feature is kept when its MI exceeds the null's 1 − α/p quantile (default 0.05). */
  alpha?: number;
  seed?: number;
}

/** MI estimates in nats (clamped at 0), the null threshold, and which features exceed it. */
export interface MutualInformationRanking {
  scores: Float64Array;
  threshold: number;
  selected: boolean[];
}

/**
 * Ranks features by Î(x_j; y). Each variable is replaced by normal scores of its ranks, Φ⁻¹((rank + ½)/n), ties
 * broken at random: MI is invariant to monotone maps and the estimator is least biased on Gaussian margins. Then
 * every feature shares one null distribution (a random permutation of the same scores), estimated by `nullDraws`
 * permutations; a feature is selected when Î exceeds the null's 1 − α/p quantile (Bonferroni), taken from the null's
 * mean, sd, skewness and kurtosis by the Cornish–Fisher expansion (the KSG null is right-skewed, so a plain normal
 * quantile would let noise features through).
 * Constant columns score 0 and are never selected.
 */
export function mutualInformationRanking(dataset: Dataset, options: MutualInformationOptions = {}): MutualInformationRanking {
  const k = options.neighbors ?? 6;
  const random = createRandom(options.seed ?? 0);
  const n = dataset.sampleCount;
  const yScores = normalScores(dataset.y, random);
  const isConstant = standardizeColumns(dataset.columns).isConstant;
  const scores = dataset.columns.map((column, j) => (isConstant[j] ? 0 : Math.max(0, ksgMutualInformation(normalScores(column, random), yScores, k))));
  const base = normalScores(Float64Array.from({ length: n }, (_, i) => i), random);
  const nullValues = Array.from({ length: options.nullDraws ?? 400 }, () => ksgMutualInformation(permuted(base, random), yScores, k));
  const threshold = cornishFisherQuantile(nullValues, 1 - (options.alpha ?? 0.05) / dataset.featureCount);
  return { scores: Float64Array.from(scores), threshold, selected: scores.map((s, j) => !isConstant[j] && s > threshold) };
}

/**
 * KSG algorithm 1: Î(X;Y) = ψ(k) + ψ(N) − ⟨ψ(n_x + 1) + ψ(n_y + 1)⟩, with ε_i the max-norm distance from point i
 * to its k-th neighbour in the joint space and n_x(i), n_y(i) the points strictly within ε_i in each margin.
 */
export function ksgMutualInformation(x: Float64Array, y: Float64Array, k = 3): number {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const sortedX = Float64Array.from(order, (i) => x[i]);
  const sortedY = Float64Array.from(y).sort();
  let sum = 0;
  for (let s = 0; s < n; s++) {
    const epsilon = kthNeighbourDistance(order, sortedX, y, s, k);
    const i = order[s];
    sum += digamma(countWithin(sortedX, x[i], epsilon)) + digamma(countWithin(sortedY, y[i], epsilon));
  }
  return digamma(k) + digamma(n) - sum / n;
}

/**
 * Quantile of a sample's distribution by the Cornish–Fisher expansion: mean + sd · w with
 * w = z + (z² − 1) γ₁/6 + (z³ − 3z) γ₂/24 − (2z³ − 5z) γ₁²/36, z = Φ⁻¹(p), γ₁ skewness, γ₂ excess kurtosis.
 */
export function cornishFisherQuantile(values: readonly number[], p: number): number {
  const count = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / count;
  const moment = (order: number): number => values.reduce((s, v) => s + (v - mean) ** order, 0) / count;
  const sd = Math.sqrt(moment(2));
  if (sd === 0) return mean;
  const skewness = moment(3) / sd ** 3;
  const excessKurtosis = moment(4) / sd ** 4 - 3;
  const z = normalQuantile(p);
  const w = z + ((z * z - 1) * skewness) / 6 + ((z ** 3 - 3 * z) * excessKurtosis) / 24 - ((2 * z ** 3 - 5 * z) * skewness ** 2) / 36;
  return mean + sd * w;
}

/** Max-norm distance from the point at x-sorted position s to its k-th nearest neighbour, scanning outward in x. */
function kthNeighbourDistance(order: number[], sortedX: Float64Array, y: Float64Array, s: number, k: number): number {
  const nearest: number[] = []; // the k smallest distances so far, ascending
  const yi = y[order[s]];
  const consider = (t: number): boolean => {
    const dx = Math.abs(sortedX[t] - sortedX[s]);
    if (nearest.length === k && dx >= nearest[k - 1]) return false;
    const d = Math.max(dx, Math.abs(y[order[t]] - yi));
    if (nearest.length < k || d < nearest[k - 1]) {
      let slot = Math.min(nearest.length, k - 1);
      nearest[slot] = d;
      while (slot > 0 && nearest[slot - 1] > nearest[slot]) {
        [nearest[slot - 1], nearest[slot]] = [nearest[slot], nearest[slot - 1]];
        slot--;
      }
    }
    return true;
  };
  let left = s - 1;
  let right = s + 1;
  let goLeft = left >= 0;
  let goRight = right < sortedX.length;
  while (goLeft || goRight) {
    if (goLeft) goLeft = consider(left--) && left >= 0;
    if (goRight) goRight = consider(right++) && right < sortedX.length;
  }
  return nearest[k - 1];
}

/** Number of values v in a sorted array with |v − centre| < ε, the point itself included (= n_x + 1). */
function countWithin(sorted: Float64Array, centre: number, epsilon: number): number {
  return lowerBound(sorted, centre + epsilon) - upperBound(sorted, centre - epsilon);
}

/** First index whose value is ≥ target. */
function lowerBound(sorted: Float64Array, target: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is > target. */
function upperBound(sorted: Float64Array, target: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Φ⁻¹((rank + ½)/n) of each value, ties in random order. */
function normalScores(values: Float64Array, random: ReturnType<typeof createRandom>): Float64Array {
  const n = values.length;
  const jitter = Float64Array.from({ length: n }, () => random.uniform());
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b] || jitter[a] - jitter[b]);
  const scores = new Float64Array(n);
  order.forEach((i, rank) => (scores[i] = normalQuantile((rank + 0.5) / n)));
  return scores;
}

/** A seeded random permutation of the values (Fisher–Yates). */
function permuted(values: Float64Array, random: ReturnType<typeof createRandom>): Float64Array {
  const out = Float64Array.from(values);
  shuffleInPlace(out, random);
  return out;
}

/** Digamma at a positive integer: ψ(m) = −γ + Σ_{i<m} 1/i. */
export function digamma(m: number): number {
  let sum = -0.5772156649015329;
  for (let i = 1; i < m; i++) sum += 1 / i;
  return sum;
}

/** Standard normal quantile Φ⁻¹(p) by bisection on Φ(z) = ½ erfc(−z/√2) (erfc to ~1e-12, below). */
export function normalQuantile(p: number): number {
  let lo = -40;
  let hi = 40;
  for (let iteration = 0; iteration < 200 && hi - lo > 1e-12; iteration++) {
    const mid = (lo + hi) / 2;
    if (0.5 * erfc(-mid / Math.SQRT2) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Complementary error function by its continued fraction (x > 2) or Maclaurin series of erf (|x| ≤ 2). */
function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x <= 2) {
    // erf(x) = 2/√π Σ_n (−1)ⁿ x^{2n+1} / (n! (2n+1))
    let term = x;
    let sum = x;
    for (let n = 1; n < 60; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Lentz-free evaluation of erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) from the tail.
  let fraction = x;
  for (let n = 60; n >= 1; n--) fraction = x + n / 2 / fraction;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / fraction;
}
