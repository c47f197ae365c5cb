/**
 * Pareto fronts, hypervolume and the box decomposition of the non-dominated region, all for maximization.
 *
 * Box decomposition (cell-based, in the spirit of Couckuyt, Deschrijver & Dhaene 2014): the grid of the front's
 * coordinates (plus the reference point and +∞) splits the first k−1 axes into cells; within the column above
 * one cell, the points not dominated by the front are exactly those above h = max{p_k : p dominates the cell's
 * upper corner on the first k−1 axes} (or above r_k). So the non-dominated region above the reference point r is
 * the disjoint union of (m+1)^{k−1} boxes [l, u] × [h, ∞), exact for any k and cheap for k = 2, 3.
 */

/** Disjoint boxes covering the region above `reference` not dominated by the front. Bounds index into `grid`. */
export interface BoxDecomposition {
  /** Number of objectives k. */
  dimension: number;
  /** Per objective, the sorted distinct coordinates: reference first, then front values, then +Infinity. */
  grid: number[][];
  /** Box b spans [grid[j][lower[b*k+j]], grid[j][upper[b*k+j]]] on axis j. */
  lower: Int32Array;
  upper: Int32Array;
  count: number;
}

/** Whether a weakly dominates b (maximization): a ≥ b everywhere. */
function weaklyDominates(a: readonly number[], b: readonly number[]): boolean {
  for (let j = 0; j < a.length; j++) if (a[j] < b[j]) return false;
  return true;
}

/** The non-dominated subset of points (maximization), without duplicates. */
export function paretoFront(points: readonly (readonly number[])[]): number[][] {
  const front: number[][] = [];
  points.forEach((p, i) => {
    const dominated = points.some((q, k) => k !== i && weaklyDominates(q, p) && (!weaklyDominates(p, q) || k < i));
    if (!dominated) front.push([...p]);
  });
  return front;
}

/** Decomposes the non-dominated region above the reference point into disjoint boxes. */
export function boxDecomposition(front: readonly (readonly number[])[], reference: readonly number[]): BoxDecomposition {
  const k = reference.length;
  const points = paretoFront(front.filter((p) => p.every((v, j) => v > reference[j])));
  const grid = reference.map((r, j) => [...new Set([r, ...points.map((p) => p[j])])].sort((a, b) => a - b).concat(Infinity));
  const lower: number[] = [];
  const upper: number[] = [];
  const cellShape = grid.slice(0, k - 1).map((g) => g.length - 1);
  const cellCount = cellShape.reduce((a, b) => a * b, 1);
  const index = new Array<number>(k - 1).fill(0);
  for (let c = 0; c < cellCount; c++) {
    let h = reference[k - 1];
    for (const p of points) {
      let covers = true;
      for (let j = 0; j < k - 1 && covers; j++) covers = p[j] >= grid[j][index[j] + 1];
      if (covers) h = Math.max(h, p[k - 1]);
    }
    for (let j = 0; j < k - 1; j++) {
      lower.push(index[j]);
      upper.push(index[j] + 1);
    }
    lower.push(grid[k - 1].indexOf(h));
    upper.push(grid[k - 1].length - 1);
    for (let j = 0; j < k - 1; j++) {
      if (++index[j] < cellShape[j]) break;
      index[j] = 0;
    }
  }
  return { dimension: k, grid, lower: Int32Array.from(lower), upper: Int32Array.from(upper), count: cellCount };
}

/** Hypervolume improvement of one point y: the volume it dominates above r that the front does not. */
export function hypervolumeImprovement(y: readonly number[], boxes: BoxDecomposition): number {
  const k = boxes.dimension;
  let total = 0;
  for (let b = 0; b < boxes.count; b++) {
    let volume = 1;
    for (let j = 0; j < k && volume > 0; j++) {
      const lo = boxes.grid[j][boxes.lower[b * k + j]];
      const hi = boxes.grid[j][boxes.upper[b * k + j]];
      volume *= Math.max(0, Math.min(y[j], hi) - lo);
    }
    total += volume;
  }
  return total;
}

/** Hypervolume dominated by the points above the reference point (maximization), exact. */
export function hypervolume(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const inside = points.filter((p) => p.every((v, j) => v > reference[j]));
  if (inside.length === 0) return 0;
  // Add the points one at a time: HV(P ∪ {y}) = HV(P) + HVI(y; P).
  let total = 0;
  const added: number[][] = [];
  for (const p of paretoFront(inside)) {
    total += hypervolumeImprovement(p, boxDecomposition(added, reference));
    added.push([...p]);
  }
  return total;
}
