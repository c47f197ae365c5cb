/**
 * Pool mode: score every candidate of a finite list (e.g. 100,000 membranes or a molecule library) in chunks,
 * so the posterior of a chunk (chunk x n cross-covariances) stays small in memory, and pick the best allowed ones.
 */

import type { RankFunction } from './types.js';

/** Default rows per posterior call: 2048 x n doubles is 32 MB at n = 2000. */
export const DEFAULT_CHUNK_SIZE = 2048;

/** Ranking values of every row of X, computed chunk by chunk (rows m..m+chunk at a time). */
export function rankInChunks(X: readonly number[][], rank: RankFunction, chunkSize = DEFAULT_CHUNK_SIZE): Float64Array {
  const values = new Float64Array(X.length);
  for (let start = 0; start < X.length; start += chunkSize) {
    const chunk = X.slice(start, start + chunkSize) as number[][];
    values.set(rank(chunk), start);
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

/** Indices of the `count` largest allowed values, best first (ties: the lower index first). */
export function topAllowed(values: ArrayLike<number>, count: number, allowed: (index: number) => boolean): number[] {
  const indices: number[] = [];
  for (let i = 0; i < values.length; i++) if (allowed(i)) indices.push(i);
  const key = (i: number): number => (Number.isNaN(values[i]) ? -Infinity : values[i]);
  indices.sort((a, b) => key(b) - key(a) || a - b || 0);
  return indices.slice(0, count);
}
