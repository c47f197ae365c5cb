// Derived series for the campaign plots: best-so-far traces and Pareto fronts.
import type { Goal } from '../api/types.js';

export interface TracePoint {
  experiment: number;
  value: number;
  best: number;
}

/**
 * Best observed value after each experiment, in measurement order: max for maximize, min for minimize,
 * closest to target (reported as the value itself) for target objectives.
 */
export function bestSoFar(values: number[], goal: Goal, target?: number): TracePoint[] {
  const trace: TracePoint[] = [];
  let best = Number.NaN;
  values.forEach((value, index) => {
    if (Number.isNaN(best) || isBetter(value, best, goal, target)) best = value;
    trace.push({ experiment: index + 1, value, best });
  });
  return trace;
}

/** Whether `candidate` beats `incumbent` under the goal. */
export function isBetter(candidate: number, incumbent: number, goal: Goal, target?: number): boolean {
  if (goal === 'maximize') return candidate > incumbent;
  if (goal === 'minimize') return candidate < incumbent;
  if (target === undefined) throw new RangeError('A target objective needs a target value');
  return Math.abs(candidate - target) < Math.abs(incumbent - target);
}

export interface Point2 {
  x: number;
  y: number;
  id?: number | string;
}

/**
 * Indices of the non-dominated points for two objectives with the given goals (maximize or minimize each):
 * a point is dominated when another is at least as good in both and strictly better in one. O(n²), fine for
 * the few hundred measured samples of a campaign.
 */
export function paretoFrontIndices(points: Point2[], goalX: 'maximize' | 'minimize', goalY: 'maximize' | 'minimize'): number[] {
  const signX = goalX === 'maximize' ? 1 : -1;
  const signY = goalY === 'maximize' ? 1 : -1;
  const front: number[] = [];
  points.forEach((p, i) => {
    const dominated = points.some((q, j) => {
      if (i === j) return false;
      const geX = signX * q.x >= signX * p.x;
      const geY = signY * q.y >= signY * p.y;
      return geX && geY && (signX * q.x > signX * p.x || signY * q.y > signY * p.y);
    });
    if (!dominated) front.push(i);
  });
  return front.sort((a, b) => points[a].x - points[b].x);
}
