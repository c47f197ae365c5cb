/**
 * Reference thresholds for "experiments to reach the top 1% / 5%", the summary used by pool-based materials
 * benchmarks (e.g. Rohr et al., Chem. Sci. 2020; Liang et al., npj Comput. Mater. 2021): a strategy's cost is the
 * number of experiments until its best-so-far reaches the value that only the top fraction of candidates attain.
 */

/** Thresholds of a scalar score (larger is better) over a reference set of candidates. */
export interface TopReference {
  /** Number of reference values. */
  count: number;
  /** Best value in the reference set. */
  best: number;
  /** Smallest value among the best ceil(0.01·n) candidates. */
  top1: number;
  /** Smallest value among the best ceil(0.05·n) candidates. */
  top5: number;
}

/** Error for a reference computed from nothing or from non-finite values. */
export class InvalidReferenceError extends Error {
  override name = 'InvalidReferenceError';
}

/** The value of the k-th best of `values`, k = max(1, ceil(fraction · n)): reaching it puts you in the top fraction. */
export function topFractionThreshold(values: ArrayLike<number>, fraction: number): number {
  if (values.length === 0) throw new InvalidReferenceError('cannot rank an empty set of values');
  if (!(fraction > 0 && fraction <= 1)) throw new InvalidReferenceError(`fraction must be in (0, 1], got ${fraction}`);
  const sorted = Float64Array.from(values as ArrayLike<number>);
  for (const v of sorted) {
    if (!Number.isFinite(v)) throw new InvalidReferenceError(`reference values must be finite, got ${v}`);
  }
  sorted.sort().reverse();
  const k = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[k - 1];
}

/** Best value and top-1% / top-5% thresholds of a reference set (larger is better). */
export function topReference(values: ArrayLike<number>): TopReference {
  return {
    count: values.length,
    best: topFractionThreshold(values, 1 / Math.max(values.length, 1)),
    top1: topFractionThreshold(values, 0.01),
    top5: topFractionThreshold(values, 0.05),
  };
}

/** 1-based index of the first experiment whose best-so-far reaches `threshold`, or null if the trace never does. */
export function experimentsToReach(trace: ArrayLike<number>, threshold: number): number | null {
  for (let i = 0; i < trace.length; i++) {
    if (trace[i] >= threshold) return i + 1;
  }
  return null;
}
