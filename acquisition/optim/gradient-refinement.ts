/**
 * Gradient-based refinement of an acquisition maximum: projected L-BFGS (the GP helper's box-constrained
 * variant) on the continuous columns of the encoding, inside the unit cube, with every other column held fixed.
 * The result is projected onto the design space and re-ranked by the batched ranking function, so it is only
 * kept if it really improves on the start; integers and categoricals are left to the pattern search after it.
 */

import { minimizeLbfgs } from '../models/gp/index.js';
import type { DesignSpaceEncoding } from '../space/encoding.js';
import type { RankedPoint, RankFunction, RankGradient } from './types.js';

/** Options of gradientRefinement. */
export interface GradientRefinementOptions {
  /** Most L-BFGS iterations (default 50). */
  maxIterations?: number;
}

/** Refines a start by L-BFGS ascent on its continuous columns; never returns a worse point. */
export function gradientRefinement(
  start: RankedPoint, gradient: RankGradient, rank: RankFunction, encoding: DesignSpaceEncoding, options: GradientRefinementOptions = {},
): RankedPoint {
  const columns = encoding.blocks.filter((b) => b.parameter.type === 'continuous').map((b) => b.start);
  if (columns.length === 0 || !Number.isFinite(start.value)) return start;
  const full = (sub: ArrayLike<number>): number[] => {
    const x = start.x.slice();
    columns.forEach((column, k) => (x[column] = sub[k]));
    return x;
  };
  const result = minimizeLbfgs(
    (sub) => {
      const { value, gradient: g } = gradient(full(sub));
      return { value: -value, gradient: Float64Array.from(columns, (column) => -g[column]) };
    },
    columns.map((column) => start.x[column]),
    { maxIterations: options.maxIterations ?? 50, maxEvaluations: 2 * (options.maxIterations ?? 50) },
    { lower: columns.map(() => 0), upper: columns.map(() => 1) },
  );
  const x = encoding.project(full(result.x));
  const value = rank([x])[0];
  return value > start.value ? { x, value } : start;
}
