/**
 * A simulated expert for sparse labeling: short strokes drawn well inside each phase of a ground-truth mask, as an
 * expert scribbles on a micrograph (Lin et al., ScribbleSup, CVPR 2016), plus stroke rasterization and IoU.
 * Coordinates are image pixels with pixel (x, y) covering [x, x+1) x [y, y+1), its centre at (x + 0.5, y + 0.5).
 */
import type { RandomSource } from '../../../acquisition/sampling/random.js';
import { euclideanDistanceTransform } from './distance-transform.js';

/** One brush stroke in the label format of DESIGN.md: a polyline of width `width` px. */
export interface Stroke {
  class: string;
  width: number;
  /** Polyline vertices x0, y0, x1, y1, ... in image pixels. */
  points: number[];
}

export interface ScribbleOptions {
  /** Most of the image the strokes may cover, as a fraction of its pixels. */
  maxFraction?: number;
  strokesPerClass?: number;
  strokeWidth?: number;
  /** Longest stroke, px of path length. */
  maxStrokeLength?: number;
  /** Class name of each mask value (index = value). */
  classNames?: readonly string[];
}

const STEP_PX = 2;

/** Distance from point (px, py) to segment (ax, ay)–(bx, by). */
function distanceToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSquared = dx * dx + dy * dy;
  const t = lengthSquared === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / lengthSquared));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Calls visit(i) for every pixel whose centre lies within width/2 of the segment (a→b). */
function forEachPixelOnSegment(
  ax: number, ay: number, bx: number, by: number, strokeWidth: number, width: number, height: number,
  visit: (index: number) => void,
): void {
  const r = strokeWidth / 2;
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - r));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx) + r));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - r));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by) + r));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (distanceToSegment(x + 0.5, y + 0.5, ax, ay, bx, by) <= r) visit(y * width + x);
    }
  }
}

/** Calls visit(i) for every pixel a stroke covers (a single-point stroke covers a disc); pixels may repeat. */
export function forEachStrokePixel(stroke: Stroke, width: number, height: number, visit: (index: number) => void): void {
  const p = stroke.points;
  if (p.length === 2) forEachPixelOnSegment(p[0], p[1], p[0], p[1], stroke.width, width, height, visit);
  for (let i = 2; i + 1 < p.length; i += 2) {
    forEachPixelOnSegment(p[i - 2], p[i - 1], p[i], p[i + 1], stroke.width, width, height, visit);
  }
}

/** Per-pixel label map of strokes: index into classNames, or −1 where unlabeled (later strokes win). */
export function rasterizeStrokes(strokes: Stroke[], width: number, height: number, classNames: readonly string[]): Int8Array {
  const labels = new Int8Array(width * height).fill(-1);
  for (const stroke of strokes) {
    const cls = classNames.indexOf(stroke.class);
    if (cls < 0) throw new RangeError(`stroke class "${stroke.class}" is not one of ${classNames.join(', ')}`);
    forEachStrokePixel(stroke, width, height, (i) => (labels[i] = cls));
  }
  return labels;
}

/** Distance at the pixel that contains the continuous point (x, y); 0 outside the image. */
function distanceAt(distance: Float64Array, width: number, height: number, x: number, y: number): number {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  return ix < 0 || iy < 0 || ix >= width || iy >= height ? 0 : distance[iy * width + ix];
}

/**
 * A random walk of STEP_PX steps from a random safe pixel, turning away from boundaries. Vertices keep a distance
 * ≥ r + 2 from the other phase, so every pixel within r of the polyline (each point is ≤ 1 px from a vertex, each
 * vertex ≤ 0.71 px from its pixel centre) lies in the stroke's class.
 */
function randomSafeWalk(
  distance: Float64Array, safeStarts: number[], width: number, height: number, margin: number, maxLength: number,
  rng: RandomSource,
): number[] {
  const start = safeStarts[rng.integer(safeStarts.length)];
  let x = (start % width) + 0.5;
  let y = Math.floor(start / width) + 0.5;
  const points = [x, y];
  let heading = 2 * Math.PI * rng.uniform();
  for (let travelled = 0; travelled + STEP_PX <= maxLength; travelled += STEP_PX) {
    let moved = false;
    for (const turn of [0, Math.PI / 4, -Math.PI / 4, Math.PI / 2, -Math.PI / 2]) {
      const h = heading + 0.25 * rng.normal() + turn;
      const nx = x + STEP_PX * Math.cos(h);
      const ny = y + STEP_PX * Math.sin(h);
      if (distanceAt(distance, width, height, nx, ny) >= margin) {
        [x, y, heading, moved] = [nx, ny, h, true];
        break;
      }
    }
    if (!moved) break;
    points.push(Math.round(x * 100) / 100, Math.round(y * 100) / 100);
  }
  return points;
}

/**
 * Expert-like sparse strokes on a ground-truth mask (values index `classNames`, default 0 = solid, 1 = pore): up to
 * `strokesPerClass` short strokes per class, each inside its class and ≥ 2 px from the boundary, together covering at
 * most `maxFraction` of the pixels (the last stroke is cut short to fit). A class without room for a stroke gets none.
 */
export function simulateScribbles(mask: Uint8Array, width: number, height: number, options: ScribbleOptions, rng: RandomSource): Stroke[] {
  const {
    maxFraction = 0.02, strokesPerClass = 3, strokeWidth = 3,
    maxStrokeLength = Math.min(width, height) / 4, classNames = ['solid', 'pore'],
  } = options;
  const budget = Math.floor(maxFraction * width * height);
  const covered = new Uint8Array(width * height);
  let coveredCount = 0;
  const margin = strokeWidth / 2 + 2;
  const strokes: Stroke[] = [];
  const perClass = classNames.map((_, cls) => {
    const otherPhase = mask.map((v) => (v === cls ? 0 : 1));
    const distance = euclideanDistanceTransform(otherPhase, width, height);
    const safeStarts: number[] = [];
    for (let i = 0; i < distance.length; i++) if (distance[i] >= margin + 1) safeStarts.push(i);
    return { distance, safeStarts };
  });
  // Alternate classes so that a tight budget still yields strokes of every class.
  for (let round = 0; round < strokesPerClass; round++) {
    for (let cls = 0; cls < classNames.length; cls++) {
      const { distance, safeStarts } = perClass[cls];
      if (safeStarts.length === 0) continue;
      const walk = randomSafeWalk(distance, safeStarts, width, height, margin, maxStrokeLength, rng);
      const stroke = fitToBudget({ class: classNames[cls], width: strokeWidth, points: walk }, width, height, covered, budget - coveredCount);
      if (stroke === null) return strokes;
      coveredCount += stroke.added;
      strokes.push(stroke.stroke);
    }
  }
  return strokes;
}

/** The longest prefix of a stroke whose new pixels fit in `room`, marking them covered; null if not even its start fits. */
function fitToBudget(
  stroke: Stroke, width: number, height: number, covered: Uint8Array, room: number,
): { stroke: Stroke; added: number } | null {
  let added = 0;
  let kept = 0;
  for (let n = 2; n <= stroke.points.length; n += 2) {
    const prefix = { ...stroke, points: stroke.points.slice(Math.max(0, n - 4), n) };
    const fresh = new Set<number>();
    forEachStrokePixel(prefix, width, height, (i) => {
      if (!covered[i]) fresh.add(i);
    });
    if (added + fresh.size > room) break;
    for (const i of fresh) covered[i] = 1;
    added += fresh.size;
    kept = n;
  }
  return kept === 0 ? null : { stroke: { ...stroke, points: stroke.points.slice(0, kept) }, added };
}

/** Intersection over union of class `cls` between two masks; 1 when neither contains the class. */
export function intersectionOverUnion(predicted: ArrayLike<number>, truth: ArrayLike<number>, cls = 1): number {
  if (predicted.length !== truth.length) throw new RangeError(`mask sizes differ: ${predicted.length} vs ${truth.length}`);
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < truth.length; i++) {
    const p = predicted[i] === cls;
    const t = truth[i] === cls;
    if (p && t) intersection++;
    if (p || t) union++;
  }
  return union === 0 ? 1 : intersection / union;
}

/** Mean of the per-class IoU over classes 0..classCount−1. */
export function meanIntersectionOverUnion(predicted: ArrayLike<number>, truth: ArrayLike<number>, classCount = 2): number {
  let sum = 0;
  for (let cls = 0; cls < classCount; cls++) sum += intersectionOverUnion(predicted, truth, cls);
  return sum / classCount;
}
