/** Cross-validation folds: the one fold helper of the project (trainer, diagnostics and surrogate choice share it). */
import { InvalidRequestError } from '../errors.js';
import { seededPermutation } from '../sampling/random.js';

/** Options of crossValidationFolds. */
export interface FoldOptions {
  /** Number of folds when not leave-one-out (default 5; at most n). */
  folds?: number;
  /** Seed of the shuffle (default 0). */
  seed?: number;
  /** Leave-one-out when n ≤ this (default 0: never). */
  leaveOneOutUpTo?: number;
}

/**
 * Held-out row indices of each fold, ascending within a fold: leave-one-out ([0], [1], …) when n ≤ leaveOneOutUpTo,
 * else min(folds, n) folds of a seeded Fisher–Yates shuffle dealt round-robin (fold sizes differ by at most one).
 * Every row is held out exactly once, so pooled held-out predictions cover all n rows.
 */
export function crossValidationFolds(n: number, options: FoldOptions = {}): number[][] {
  const { folds = 5, seed = 0, leaveOneOutUpTo = 0 } = options;
  if (!Number.isInteger(n) || n < 2) throw new InvalidRequestError(`cross-validation needs at least 2 rows, got ${n}`, { n });
  if (!Number.isInteger(folds) || folds < 2) throw new InvalidRequestError(`cross-validation needs at least 2 folds, got ${folds}`, { folds });
  if (n <= leaveOneOutUpTo) return Array.from({ length: n }, (_, i) => [i]);
  const order = seededPermutation(n, seed);
  const k = Math.min(folds, n);
  const out = Array.from({ length: k }, (): number[] => []);
  order.forEach((row, position) => out[position % k].push(row));
  for (const fold of out) fold.sort((a, b) => a - b);
  return out;
}

/** The rows of 0..n−1 that a fold does not hold out (its training rows), ascending. */
export function trainingRows(n: number, heldOut: readonly number[]): number[] {
  const held = new Set(heldOut);
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (!held.has(i)) rows.push(i);
  return rows;
}
