/**
 * Rasterizes expert scribbles (DESIGN.md label strokes: {class, width, points: [x0, y0, x1, y1, ...]} in image
 * pixels) into a label mask. Pixel (x, y) covers [x, x+1) x [y, y+1); it is labeled when its centre lies within
 * width/2 of the stroke's polyline. Later strokes overwrite earlier ones; an eraser stroke unlabels what it covers.
 */
import { TrainingDataError } from '../errors.js';

/** A class identifier as stored in labels: a name or a number. */
export type ClassId = string | number;

/** One brush stroke, or an eraser stroke (its class is ignored). */
export interface Stroke {
  class: ClassId;
  width: number;
  tool?: 'brush' | 'eraser';
  points: number[];
}

/** Marker for unlabeled pixels in a label mask. */
export const UNLABELED = -1;

/** A mask with the class index (into `classes`) of every labeled pixel, UNLABELED elsewhere. */
export function rasterizeStrokes(strokes: readonly Stroke[], width: number, height: number, classes: readonly ClassId[]): Int16Array {
  const mask = new Int16Array(width * height).fill(UNLABELED);
  for (const stroke of strokes) {
    const index = stroke.tool === 'eraser' ? UNLABELED : classes.findIndex((c) => c === stroke.class);
    if (index < 0 && stroke.tool !== 'eraser') throw new TrainingDataError(`stroke class ${String(stroke.class)} is not one of ${classes.join(', ')}`);
    checkStroke(stroke);
    const { points } = stroke;
    if (points.length === 2) paintSegment(mask, width, height, points[0], points[1], points[0], points[1], stroke.width / 2, index);
    for (let k = 0; k + 3 < points.length; k += 2) {
      paintSegment(mask, width, height, points[k], points[k + 1], points[k + 2], points[k + 3], stroke.width / 2, index);
    }
  }
  return mask;
}

/** The distinct classes of some brush strokes (erasers have none), numbers ascending first, then names in code-point order. */
export function classesOf(strokes: readonly Stroke[]): ClassId[] {
  const unique = [...new Set(strokes.filter((stroke) => stroke.tool !== 'eraser').map((stroke) => stroke.class))];
  return unique.sort((a, b) => (typeof a === typeof b ? (a < b ? -1 : a > b ? 1 : 0) : typeof a === 'number' ? -1 : 1));
}

/** Throws unless the stroke has a positive width and an even number (≥ 2) of finite coordinates. */
function checkStroke(stroke: Stroke): void {
  if (!(stroke.width > 0)) throw new TrainingDataError(`stroke width must be positive, got ${stroke.width}`);
  if (stroke.points.length < 2 || stroke.points.length % 2 !== 0 || stroke.points.some((v) => !Number.isFinite(v))) {
    throw new TrainingDataError('stroke points must be an even number (≥ 2) of finite coordinates x0, y0, x1, y1, ...');
  }
}

/** Labels every pixel whose centre is within `radius` of segment (ax, ay)–(bx, by). */
function paintSegment(mask: Int16Array, width: number, height: number, ax: number, ay: number, bx: number, by: number, radius: number, value: number): void {
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - radius));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx) + radius));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - radius));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by) + radius));
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSquared = dx * dx + dy * dy;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      const t = lengthSquared === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / lengthSquared));
      if (Math.hypot(px - (ax + t * dx), py - (ay + t * dy)) <= radius) mask[y * width + x] = value;
    }
  }
}
