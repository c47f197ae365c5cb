/**
 * Bound-and-prune ranking of a large pool: exact ranking values only for the candidates that can still reach the top.
 * A cheap `bound` (≥ the exact value of every row, e.g. an acquisition at the exact posterior mean and an upper bound
 * on the posterior standard deviation) orders the pool; exact values are computed in that order, a batch at a time,
 * until the best remaining bound falls below the `keep`-th best exact value (a tighter, costlier bound screens each
 * batch first once that threshold exists). Every candidate left out has a value
 * below that threshold, so the `keep` best (values descending, ties by the lower index, as topAllowed and
 * argmaxAllowed of pool.ts read them) are exactly those of the exhaustive ranking.
 * Several rankings that read the same per-row quantities (a portfolio's members: one posterior mean, std bound and
 * exact std) are pruned together: one bound pass over the pool serves all of them; the first exact batch takes the
 * rows of best bound of each ranking in turn, so each has a threshold of its own from the start; a row's tight bound
 * and exact values are computed once, for every ranking; each ranking starts from all exact values computed so far
 * (any exact values give a valid threshold), and the rows it still needs share batches with the others' — so a
 * portfolio usually computes no more exact rows than one ranking alone.
 */

import { rankSeveralInChunks } from './pool.js';
import type { MultiRankFunction, RankFunction } from './types.js';

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

/** PrunedRanking of several rankings of the same rows: values per ranking, and how many rows were computed (for all). */
export interface PrunedRankings {
  values: Float64Array[];
  evaluated: number;
}

/**
 * An upper bound on a ranking, row by row; with `tight`, a tighter one that costs more per row (it is asked only
 * for rows the plain bound could not prune). Both must be ≥ the exact value of every row.
 */
export type BoundFunction = (X: number[][], tight?: boolean) => Float64Array;

/** BoundFunction of several rankings from one call: one array of upper bounds per ranking. */
export type MultiBoundFunction = (X: number[][], tight?: boolean) => Float64Array[];

/**
 * Values of the rows of X for selecting the `keep` best (see the file comment): rank must be row-independent (a row's
 * value does not depend on the other rows of its batch) and bound(X)[i] ≥ rank(X)[i]. A NaN bound never prunes.
 * Once `keep` exact values set a threshold, each further batch of rows (in order of their plain bound) is first
 * bounded tightly, and only rows whose tight bound still reaches the threshold are computed exactly.
 */
export function rankByBoundAndPrune(
  X: readonly number[][], rank: RankFunction, bound: BoundFunction, keep: number, batch = PRUNED_BATCH,
): PrunedRanking {
  const { values, evaluated } = rankSeveralByBoundAndPrune(X, (rows) => [rank(rows)], (rows, tight) => [bound(rows, tight)], 1, keep, batch);
  return { values: values[0], evaluated };
}

/**
 * rankByBoundAndPrune for `rankings` rankings of the same rows computed together (see the file comment): values[k]
 * holds ranking k's exact values wherever any ranking needed a row (−Infinity elsewhere), so each one's `keep` best
 * are exactly its exhaustive ones. rank and bound give one array per ranking, under the same conditions.
 */
export function rankSeveralByBoundAndPrune(
  X: readonly number[][], rank: MultiRankFunction, bound: MultiBoundFunction, rankings: number, keep: number, batch = PRUNED_BATCH,
): PrunedRankings {
  const size = X.length;
  const values = Array.from({ length: rankings }, () => new Float64Array(size).fill(-Infinity));
  if (size === 0 || keep <= 0 || rankings <= 0) return { values, evaluated: 0 };
  const upper = rankSeveralInChunks(X, (rows) => bound(rows), rankings);
  // Each ranking's rows in order of its bound (ties: the lower index first), taken lazily: usually only a few are needed.
  const orders = upper.map((keys) => new BoundOrder(keys));
  const rowsOf = (indices: readonly number[]) => indices.map((i) => X[i] as number[]);
  const exact = (k: number, i: number): number => (Number.isNaN(values[k][i]) ? -Infinity : values[k][i]);
  // Shared by the rankings: rows with exact values, rows queued for them, and tight bounds (where tightDone).
  const computed = new Uint8Array(size), queued = new Uint8Array(size), tightDone = new Uint8Array(size);
  const tightUpper = Array.from({ length: rankings }, () => new Float64Array(size));
  let pending: number[] = [];
  let evaluated = 0;
  // The ranking being pruned (its heap takes each newly computed row once; null: none) and the order that pads batches.
  let current: MinHeap | null = null, currentRanking = 0;
  const queue = (i: number): void => {
    queued[i] = 1;
    pending.push(i);
  };
  /** Computes the exact values of the queued rows, a short batch padded to the batch size (the same rounding path). */
  const flush = (): void => {
    if (pending.length === 0) return;
    const rows = pending;
    pending = [];
    // Pads: the next rows by the current ranking's bound (worth having), else any rows; a row computed twice gets the same value.
    const padding = orders[currentRanking];
    for (let next = 0; rows.length < batch && size >= batch;) {
      if (padding.remaining() > 0) {
        const [i] = padding.take(1);
        if (!computed[i] && !queued[i]) rows.push(i);
      } else {
        rows.push(next++);
      }
    }
    const computedValues = rank(rowsOf(rows));
    rows.forEach((i, j) => {
      if (computed[i]) return;
      computed[i] = 1;
      evaluated++;
      for (let k = 0; k < rankings; k++) values[k][i] = computedValues[k][j];
      current?.push(exact(currentRanking, i));
    });
  };
  // The first batch: the rows of best bound of every ranking in turn, so each starts with a threshold of its own.
  for (let k = 0; pending.length < batch && orders.some((order) => order.remaining() > 0); k = (k + 1) % rankings) {
    if (orders[k].remaining() === 0) continue;
    const [i] = orders[k].take(1);
    if (!queued[i]) queue(i);
  }
  flush();
  for (let k = 0; k < rankings; k++) {
    const key = (i: number): number => (Number.isNaN(upper[k][i]) ? Infinity : upper[k][i]);
    const order = orders[k];
    const best = new MinHeap(keep);
    for (let i = 0; i < size; i++) if (computed[i]) best.push(exact(k, i));
    current = best;
    currentRanking = k;
    const threshold = (): number => best.min() - THRESHOLD_SLACK * Math.max(1, Math.abs(best.min()));
    while (order.remaining() > 0) {
      if (best.full() && key(order.peek()) < threshold()) break;
      // Rows queued by an earlier ranking are computed in a later batch (into this heap while this ranking runs).
      const rows = order.take(batch).filter((i) => !computed[i] && !queued[i]);
      if (!best.full()) {
        rows.forEach(queue);
        flush();
        continue;
      }
      const unbounded = rows.filter((i) => !tightDone[i]);
      if (unbounded.length > 0) {
        const tight = bound(rowsOf(unbounded), true);
        unbounded.forEach((i, j) => {
          tightDone[i] = 1;
          for (let r = 0; r < rankings; r++) tightUpper[r][i] = tight[r][j];
        });
      }
      const limit = threshold();
      for (const i of rows) if (!(tightUpper[k][i] < limit)) queue(i);
      if (pending.length >= batch) flush();
    }
  }
  // A ranking that stopped with rows queued needs only their values (its stop held before they could raise its threshold).
  current = null;
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
