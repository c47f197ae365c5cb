/** Shapes shared by the optimizers: a batched ranking function and ranked points. */

/** Ranking values of n encoded points (n x d → n); larger is better, −Infinity is allowed. */
export type RankFunction = (X: number[][]) => Float64Array;

/** Values of several rankings at n encoded points from one call (one array of n per ranking), e.g. a portfolio reading one posterior. */
export type MultiRankFunction = (X: number[][]) => Float64Array[];

/** One encoded point with its ranking value. */
export interface RankedPoint {
  x: number[];
  value: number;
}

/** Ranking value and its gradient ∂/∂x at one encoded point (for gradient-based refinement). */
export type RankGradient = (x: number[]) => { value: number; gradient: Float64Array };
