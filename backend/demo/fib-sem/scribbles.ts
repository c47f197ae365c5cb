/**
 * The simulated expert of FIB-SEM stacks: scribbles on a few slices, drawn from their exact cut-plane ground truth.
 * Ligaments and pores of nanoporous metals are only a few pixels wide, where the micrograph expert's random walks
 * (micrograph/scribbles.ts) stop after a step or two; this expert traces along the middle of a phase instead, as a
 * person follows a ligament with the brush: each step goes to the neighbouring pixel farthest from the other phase,
 * preferring to keep its direction.
 */
import type { RandomSource } from '../../../acquisition/sampling/random.js';
import { euclideanDistanceTransform } from '../micrograph/distance-transform.js';
import type { Stroke } from '../micrograph/scribbles.js';

/** Class of each cut-plane truth value (index = value): 0 pore, 1 solid. */
export const FIB_SEM_TRUTH_CLASSES = ['pore', 'solid'] as const;

export interface SliceScribbleOptions {
  strokesPerClass?: number;
  /** Brush width, px (default 2). */
  strokeWidth?: number;
  /** Longest stroke, in steps of one pixel (default a third of the shorter side). */
  maxSteps?: number;
  /** Most of the slice the strokes may cover, as a fraction of its pixels (default 0.03). */
  maxFraction?: number;
}

/** `count` slice indices of a `depth`-slice stack, evenly spread: floor((i + ½) · depth / count) for i < count. */
export function spreadSlices(depth: number, count: number): number[] {
  const n = Math.max(0, Math.min(depth, count));
  return Array.from({ length: n }, (_, i) => Math.min(depth - 1, Math.floor(((i + 0.5) * depth) / n)));
}

const NEIGHBOURS = [[1, 0], [1, 1], [0, 1], [-1, 1], [-1, 0], [-1, -1], [0, -1], [1, -1]] as const;

/**
 * One stroke of class `cls` from a random pixel whose distance to the other phase exceeds `margin`, stepping to the
 * unvisited 8-neighbour with the largest distance + cos(turn) + 0.2·N(0, 1) while one exceeds `margin`. Vertices
 * are pixel centres one step (≤ √2 px) apart, so each painted pixel centre lies within width/2 + √2/2 < margin of a
 * vertex, closer than the other phase: every painted pixel is of the stroke's class.
 */
function ridgeStroke(
  distance: Float64Array, starts: number[], width: number, height: number, margin: number, maxSteps: number, rng: RandomSource,
): number[] {
  let at = starts[rng.integer(starts.length)];
  const visited = new Set([at]);
  const points = [(at % width) + 0.5, Math.floor(at / width) + 0.5];
  let heading: readonly [number, number] | null = null;
  for (let step = 0; step < maxSteps; step++) {
    const x = at % width;
    const y = Math.floor(at / width);
    let best = -1;
    let bestScore = -Infinity;
    let bestMove: readonly [number, number] = [0, 0];
    for (const move of NEIGHBOURS) {
      const nx = x + move[0];
      const ny = y + move[1];
      if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
      const next = ny * width + nx;
      if (visited.has(next) || distance[next] <= margin) continue;
      const turn = heading ? (heading[0] * move[0] + heading[1] * move[1]) / Math.hypot(...heading) / Math.hypot(...move) : 0;
      const score = distance[next] + turn + 0.2 * rng.normal();
      if (score > bestScore) [best, bestScore, bestMove] = [next, score, move];
    }
    if (best < 0) break;
    at = best;
    heading = bestMove;
    visited.add(at);
    points.push((at % width) + 0.5, Math.floor(at / width) + 0.5);
  }
  return points;
}

/**
 * Expert strokes on one slice (truth 1 = solid): up to `strokesPerClass` strokes per class, alternating classes,
 * each traced along the middle of its phase, together covering at most ~maxFraction of the pixels (counted as
 * steps × width). A class with no pixel farther than width/2 + 1 px from the other phase gets none.
 */
export function sliceScribbles(truth: Uint8Array, width: number, height: number, strokesPerClass: number, rng: RandomSource, options: SliceScribbleOptions = {}): Stroke[] {
  const { strokeWidth = 2, maxSteps = Math.floor(Math.min(width, height) / 3), maxFraction = 0.03 } = options;
  const margin = strokeWidth / 2 + 1;
  const perClass = FIB_SEM_TRUTH_CLASSES.map((_, cls) => {
    const distance = euclideanDistanceTransform(truth.map((v) => (v === cls ? 0 : 1)), width, height);
    const starts: number[] = [];
    for (let i = 0; i < distance.length; i++) if (distance[i] > margin) starts.push(i);
    return { distance, starts };
  });
  let budget = maxFraction * width * height;
  const strokes: Stroke[] = [];
  for (let round = 0; round < strokesPerClass; round++) {
    for (const [cls, { distance, starts }] of perClass.entries()) {
      if (starts.length === 0 || budget < strokeWidth) continue;
      const points = ridgeStroke(distance, starts, width, height, margin, Math.min(maxSteps, Math.floor(budget / strokeWidth)), rng);
      if (points.length < 4) continue;
      budget -= (points.length / 2 - 1) * strokeWidth;
      strokes.push({ class: FIB_SEM_TRUTH_CLASSES[cls], width: strokeWidth, points });
    }
  }
  return strokes;
}
