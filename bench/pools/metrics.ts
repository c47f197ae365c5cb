/**
 * Pure measures of the pool benchmark (bench/pools.bench.ts): the top-5 % set of a pool, how many of it a pick order
 * has found after each experiment, experiments to half of it, random picking in closed form, paired differences
 * with their standard error, and interval coverage of predictions.
 */

/** Fraction of the pool that counts as a top candidate. */
export const TOP_FRACTION = 0.05;

/**
 * Indices of the top candidates of a pool: the ceil(5 % · N) best by goal-signed value (larger is better), plus any
 * candidate tied with the last of them, so that the set does not depend on the order of ties.
 */
export function topCandidates(signedValues: readonly number[], fraction = TOP_FRACTION): Set<number> {
  const k = Math.max(1, Math.ceil(fraction * signedValues.length));
  const threshold = signedValues.slice().sort((a, b) => b - a)[k - 1];
  const top = new Set<number>();
  signedValues.forEach((v, i) => { if (v >= threshold) top.add(i); });
  return top;
}

/** found[i] = how many top candidates are among the first i picks (found[0] = 0; length picks.length + 1). */
export function foundCurve(picks: readonly number[], top: ReadonlySet<number>): number[] {
  const found = [0];
  for (const index of picks) found.push(found[found.length - 1] + (top.has(index) ? 1 : 0));
  return found;
}

/** Smallest number of experiments after which at least `target` top candidates are found; Infinity if never. */
export function experimentsTo(found: readonly number[], target: number): number {
  const i = found.findIndex((f) => f >= target);
  return i < 0 ? Infinity : i;
}

/** Top candidates that make "half of the top-5 %": ceil(k / 2). */
export function halfOf(topCount: number): number {
  return Math.ceil(topCount / 2);
}

/** Expected top candidates found by i uniformly random picks without replacement from N with k top: i·k/N. */
export function randomExpectedFound(i: number, k: number, N: number): number {
  return (i * k) / N;
}

/** log of the binomial coefficient C(n, r) (−Infinity outside 0 ≤ r ≤ n). */
function logChoose(n: number, r: number): number {
  if (r < 0 || r > n) return -Infinity;
  let s = 0;
  for (let j = 1; j <= r; j++) s += Math.log(n - r + j) - Math.log(j);
  return s;
}

/** P(at least h of k top candidates among t random picks from N): the upper tail of a hypergeometric law. */
export function randomProbabilityFound(t: number, h: number, k: number, N: number): number {
  let p = 0;
  const total = logChoose(N, t);
  for (let x = h; x <= Math.min(k, t); x++) p += Math.exp(logChoose(k, x) + logChoose(N - k, t - x) - total);
  return Math.min(1, p);
}

/** Median number of random picks needed to find h of k top candidates in a pool of N (negative hypergeometric). */
export function randomMedianExperimentsTo(h: number, k: number, N: number): number {
  // The tolerance keeps an exact 1/2 computed through logarithms (0.4999…) a median.
  for (let t = h; t <= N; t++) if (randomProbabilityFound(t, h, k, N) >= 0.5 - 1e-9) return t;
  return Infinity;
}

/** The median of a list (Infinity sorts last; the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  if (sorted.length % 2) return sorted[mid];
  return sorted[mid - 1] === sorted[mid] ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The mean of a list (NaN when empty). */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((s, v) => s + v, 0) / values.length;
}

/** Mean of a − b over paired seeds and its standard error sd(a − b)/√n (sample sd; NaN for fewer than 2 pairs). */
export function pairedDifference(a: readonly number[], b: readonly number[]): { mean: number; se: number } {
  if (a.length !== b.length) throw new Error(`paired lists differ in length: ${a.length} vs ${b.length}`);
  const d = a.map((v, i) => v - b[i]);
  const m = mean(d);
  if (d.length < 2) return { mean: m, se: NaN };
  const variance = d.reduce((s, v) => s + (v - m) ** 2, 0) / (d.length - 1);
  return { mean: m, se: Math.sqrt(variance / d.length) };
}

/** One prediction checked against what was measured. */
export interface CheckedPrediction {
  measured: number;
  predicted: number;
  std: number;
}

/** Fractions of predictions whose measured value lies within ±1σ and ±2σ of the prediction. */
export function coverage(points: readonly CheckedPrediction[]): { within1: number; within2: number; count: number } {
  let within1 = 0, within2 = 0;
  for (const p of points) {
    const z = Math.abs(p.measured - p.predicted) / p.std;
    if (z <= 1) within1++;
    if (z <= 2) within2++;
  }
  const n = points.length;
  return { within1: n ? within1 / n : NaN, within2: n ? within2 / n : NaN, count: n };
}
