/**
 * Local refinement of an acquisition maximum by a mixed pattern search (compass search, Kolda, Lewis & Torczon
 * 2003): continuous columns are polled at x ± step·e_j, the step halving after every unsuccessful poll; integer
 * parameters are polled at value ± 1 and ± step·range; categoricals at every other choice. Each poll is one
 * batched call of the ranking function, and every polled point is projected (decoded and re-encoded), so the
 * search only ever scores points that exist in the design space.
 */

import type { DesignSpaceEncoding } from '../space/encoding.js';
import type { RankedPoint, RankFunction } from './types.js';

/** Options of the pattern search. */
export interface PatternSearchOptions {
  /** First step on continuous columns, as a fraction of the unit interval (default 0.1). */
  initialStep?: number;
  /** Stop once the step falls below this (default 1e-4). */
  minStep?: number;
  /** At most this many polls (default 100). */
  maxIterations?: number;
}

/** The neighbours polled around x at the given step. */
export function pollPoints(x: readonly number[], step: number, encoding: DesignSpaceEncoding): number[][] {
  const polls: number[][] = [];
  for (const block of encoding.blocks) {
    const { parameter, start, width } = block;
    if (parameter.type === 'continuous') {
      for (const direction of [-1, 1]) {
        const value = Math.min(1, Math.max(0, x[start] + direction * step));
        if (value !== x[start]) polls.push(withColumn(x, start, value));
      }
    } else if (parameter.type === 'integer') {
      const levels = parameter.max! - parameter.min! + 1;
      const unit = 1 / levels;
      const moves = new Set([unit, Math.max(unit, Math.round(step * levels) * unit)]);
      for (const move of moves) {
        for (const direction of [-1, 1]) {
          const value = Math.min(1, Math.max(0, x[start] + direction * move));
          if (value !== x[start]) polls.push(withColumn(x, start, value));
        }
      }
    } else {
      for (let k = 0; k < width; k++) {
        if (x[start + k] === 1) continue;
        const moved = x.slice();
        for (let c = 0; c < width; c++) moved[start + c] = c === k ? 1 : 0;
        polls.push(moved);
      }
    }
  }
  return polls.map((p) => encoding.project(p));
}

/** Copy of x with one column replaced. */
function withColumn(x: readonly number[], column: number, value: number): number[] {
  const copy = x.slice();
  copy[column] = value;
  return copy;
}

/** Improves a start point by pattern search; returns the best point found (never worse than the start). */
export function patternSearch(start: RankedPoint, rank: RankFunction, encoding: DesignSpaceEncoding, options: PatternSearchOptions = {}): RankedPoint {
  let step = options.initialStep ?? 0.1;
  const minStep = options.minStep ?? 1e-4;
  const maxIterations = options.maxIterations ?? 100;
  let current = start;
  for (let iteration = 0; iteration < maxIterations && step >= minStep; iteration++) {
    const polls = pollPoints(current.x, step, encoding);
    if (polls.length === 0) break;
    const values = rank(polls);
    let best = -1;
    for (let i = 0; i < polls.length; i++) if (values[i] > (best < 0 ? current.value : values[best])) best = i;
    if (best >= 0 && improves(values[best], current.value)) current = { x: polls[best], value: values[best] };
    else step /= 2;
  }
  return current;
}

/** Whether a candidate value is a real improvement (not a rounding-level change). */
function improves(candidate: number, current: number): boolean {
  if (current === -Infinity) return candidate > -Infinity;
  return candidate > current + 1e-12 * Math.max(1, Math.abs(current));
}
