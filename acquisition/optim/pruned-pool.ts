/**
 * Bound-and-prune ranking of a large pool: exact ranking values only for the candidates that can still reach the top.
 * A cheap `bound` (≥ the exact value of every row, e.g. an acquisition at the exact posterior mean and an upper bound
 * on the posterior standard deviation) orders the pool; exact values are computed in that order, a batch at a time,
 * until the best remaining bound falls below the `keep`-th best exact value (a tighter, costlier bound screens each
 * batch first once that threshold exists). Every candidate left out has a value
 * below that threshold, so the `keep` best (values descending, ties by the lower index, as topAllowed and
 * argmaxAllowed of pool.ts read them) are exactly those of the exhaustive ranking.
 */

import { rankInChunks } from './pool.js';
import type { RankFunction } from './types.js';

/**
 * Exact values are computed at least this many rows at a time: a GP's posterior() takes its many-row path from
 * MANY_QUERIES (512) rows on, and rounds differently below it, so a batch this large gives the very numbers the
 * exhaustive chunks give.
 */
export const PRUNED_BATCH = 512;

/** Relative slack under the threshold before a bound prunes (round-off of the bound and of the exact value). */
const THRESHOLD_SLACK = 1e-9;

/** Exact values where computed (−Infinity where pruned: below the `keep`-th best) and how many were computed. */
export interface PrunedRanking {
  values: Float64Array;
  evaluated: number;
}

/**
 * An upper bound on a ranking, row by row; with `tight`, a tighter one that costs more per row (it is asked only
 * for rows the plain bound could not prune). Both must be ≥ the exact value of every row.
 */
export type BoundFunction = (X: number[][], tight?: boolean) => Float64Array;

/**
 * Values of the rows of X for selecting the `keep` best (see the file comment): rank must be row-independent (a row's
 * value does not depend on the other rows of its batch) and bound(X)[i] ≥ rank(X)[i]. A NaN bound never prunes.
 * Once `keep` exact values set a threshold, each further batch of rows (in order of their plain bound) is first
 * bounded tightly, and only rows whose tight bound still reaches the threshold are computed exactly.
 */
export function rankByBoundAndPrune(
  X: readonly number[][], rank: RankFunction, bound: BoundFunction, keep: number, batch = PRUNED_BATCH,
): PrunedRanking {
  const size = X.length;
  const values = new Float64Array(size).fill(-Infinity);
  if (size === 0 || keep <= 0) return { values, evaluated: 0 };
  const upper = rankInChunks(X, (rows) => bound(rows));
  const key = (i: number): number => (Number.isNaN(upper[i]) ? Infinity : upper[i]);
  // Rows in order of their bound (ties: the lower index first), taken lazily: usually only a few are ever needed.
  const order = new BoundOrder(upper);
  const best = new MinHeap(keep);
  const threshold = (): number => best.min() - THRESHOLD_SLACK * Math.max(1, Math.abs(best.min()));
  const rowsOf = (indices: readonly number[]) => indices.map((i) => X[i] as number[]);
  let evaluated = 0;
  let pending: number[] = [];
  /** Computes the exact values of the pending rows (a short batch padded with other rows: the same rounding path). */
  const flush = () => {
    if (pending.length === 0) return;
    // Any rows pad: their values are dropped.
    const padded = pending.length < batch && size >= batch ? pending.concat(Array.from({ length: batch - pending.length }, (_, k) => k)) : pending;
    const computed = rank(rowsOf(padded));
    for (let k = 0; k < pending.length; k++) {
      values[pending[k]] = computed[k];
      best.push(Number.isNaN(computed[k]) ? -Infinity : computed[k]);
    }
    evaluated += pending.length;
    pending = [];
  };
  while (order.remaining() > 0) {
    if (best.full() && key(order.peek()) < threshold()) break;
    const rows = order.take(batch);
    if (!best.full()) {
      pending.push(...rows);
      flush();
      continue;
    }
    const tight = bound(rowsOf(rows), true);
    const limit = threshold();
    rows.forEach((i, k) => {
      if (!(tight[k] < limit)) pending.push(i);
    });
    if (pending.length >= batch) flush();
  }
  flush();
  return { values, evaluated };
}

/** Row indices by descending key (NaN first, as +Infinity; ties: the lower index first), from a binary max-heap. */
class BoundOrder {
  private readonly heap: Int32Array;
  private length: number;

  constructor(private readonly keys: Float64Array) {
    this.length = keys.length;
    this.heap = Int32Array.from({ length: keys.length }, (_, i) => i);
    for (let i = (this.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  remaining(): number {
    return this.length;
  }

  /** The next row (the one take() returns first). */
  peek(): number {
    return this.heap[0];
  }

  /** Removes and returns up to `count` next rows, in order. */
  take(count: number): number[] {
    const out: number[] = [];
    while (out.length < count && this.length > 0) {
      out.push(this.heap[0]);
      this.heap[0] = this.heap[--this.length];
      this.siftDown(0);
    }
    return out;
  }

  /** Whether row a comes before row b. */
  private before(a: number, b: number): boolean {
    const ka = Number.isNaN(this.keys[a]) ? Infinity : this.keys[a], kb = Number.isNaN(this.keys[b]) ? Infinity : this.keys[b];
    return ka > kb || (ka === kb && a < b);
  }

  private siftDown(at: number): void {
    const h = this.heap;
    for (let i = at; ;) {
      const l = 2 * i + 1, r = l + 1;
      let first = i;
      if (l < this.length && this.before(h[l], h[first])) first = l;
      if (r < this.length && this.before(h[r], h[first])) first = r;
      if (first === i) return;
      const t = h[i];
      h[i] = h[first];
      h[first] = t;
      i = first;
    }
  }
}

/** The `capacity` largest numbers pushed so far; min() is the smallest of them (−Infinity until full). */
class MinHeap {
  private readonly items: Float64Array;
  private length = 0;

  constructor(private readonly capacity: number) {
    this.items = new Float64Array(capacity);
  }

  /** Whether `capacity` numbers have been pushed. */
  full(): boolean {
    return this.length === this.capacity;
  }

  /** The smallest kept number. */
  min(): number {
    return this.length === 0 ? -Infinity : this.items[0];
  }

  /** Keeps value if there is room or it beats the smallest kept one. */
  push(value: number): void {
    const a = this.items;
    if (this.length < this.capacity) {
      let i = this.length++;
      a[i] = value;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (a[parent] <= a[i]) break;
        [a[parent], a[i]] = [a[i], a[parent]];
        i = parent;
      }
      return;
    }
    if (!(value > a[0])) return;
    a[0] = value;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let smallest = i;
      if (l < this.length && a[l] < a[smallest]) smallest = l;
      if (r < this.length && a[r] < a[smallest]) smallest = r;
      if (smallest === i) break;
      [a[smallest], a[i]] = [a[i], a[smallest]];
      i = smallest;
    }
  }
}
