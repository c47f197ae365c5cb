/**
 * Pool mode: score every candidate of a finite list (e.g. 100,000 membranes or a molecule library) in chunks,
 * so the posterior of a chunk (chunk x n cross-covariances) stays small in memory, and pick the best allowed ones.
 */

import type { MultiRankFunction, RankFunction } from './types.js';

/** Default rows per posterior call: 2048 x n doubles is 32 MB at n = 2000. */
export const DEFAULT_CHUNK_SIZE = 2048;

/**
 * Ranking values of every row of X, computed chunk by chunk: ⌈m / chunkSize⌉ chunks of equal size (±1), so that no
 * chunk of a pool larger than chunkSize has fewer than chunkSize/2 rows (a GP's posterior rounds alike on every
 * chunk of MANY_QUERIES rows or more, which keeps these values equal to the pruned ranking's, pruned-pool.ts).
 */
export function rankInChunks(X: readonly number[][], rank: RankFunction, chunkSize = DEFAULT_CHUNK_SIZE): Float64Array {
  return rankSeveralInChunks(X, (rows) => [rank(rows)], 1, chunkSize)[0];
}

/**
 * Values of several rankings at every row of X from one call per chunk (`rank` gives one array per ranking, e.g. the
 * members of a portfolio reading one posterior), in rankInChunks' chunks: each ranking gets the numbers it would alone.
 */
export function rankSeveralInChunks(
  X: readonly number[][], rank: MultiRankFunction, rankings: number, chunkSize = DEFAULT_CHUNK_SIZE,
): Float64Array[] {
  const values = Array.from({ length: rankings }, () => new Float64Array(X.length));
  const chunks = Math.ceil(X.length / chunkSize);
  for (let c = 0; c < chunks; c++) {
    const start = Math.floor((c * X.length) / chunks), end = Math.floor(((c + 1) * X.length) / chunks);
    rank(X.slice(start, end) as number[][]).forEach((part, k) => values[k].set(part, start));
  }
  return values;
}

/** Index of the largest value among allowed indices (ties: the lowest index); −1 if none is allowed. */
export function argmaxAllowed(values: ArrayLike<number>, allowed: (index: number) => boolean): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) {
    if (!allowed(i)) continue;
    // NaN never wins; −Infinity wins only if nothing better exists.
    if (best < 0 || values[i] > values[best] || (Number.isNaN(values[best]) && !Number.isNaN(values[i]))) best = i;
  }
  return best;
}

/**
 * Indices of the `count` largest allowed values, best first (ties: the lower index first; NaN counts as −Infinity).
 * A bounded heap of the best `count` so far, O(m log count): a 100,000-candidate pool needs only its best few.
 */
export function topAllowed(values: ArrayLike<number>, count: number, allowed: (index: number) => boolean): number[] {
  if (count <= 0) return [];
  const key = (i: number): number => (Number.isNaN(values[i]) ? -Infinity : values[i]);
  // worse(a, b): a ranks after b.
  const worse = (a: number, b: number): boolean => key(a) < key(b) || (key(a) === key(b) && a > b);
  const heap: number[] = []; // the worst kept index at heap[0]
  const siftDown = (at: number): void => {
    for (let i = at; ;) {
      const l = 2 * i + 1, r = l + 1;
      let worst = i;
      if (l < heap.length && worse(heap[l], heap[worst])) worst = l;
      if (r < heap.length && worse(heap[r], heap[worst])) worst = r;
      if (worst === i) return;
      [heap[i], heap[worst]] = [heap[worst], heap[i]];
      i = worst;
    }
  };
  for (let i = 0; i < values.length; i++) {
    if (!allowed(i)) continue;
    if (heap.length < count) {
      heap.push(i);
      for (let c = heap.length - 1; c > 0;) {
        const parent = (c - 1) >> 1;
        if (!worse(heap[c], heap[parent])) break;
        [heap[c], heap[parent]] = [heap[parent], heap[c]];
        c = parent;
      }
    } else if (worse(heap[0], i)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => key(b) - key(a) || a - b);
}
