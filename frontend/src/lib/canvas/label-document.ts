// Pure operations on a label's content (strokes, points, polygons, image-level class and rating).
// Every function returns a new document and never mutates its input, so documents can live in an
// UndoStack and in `$state.raw`.
import type { LabelContent, LabelPoint, LabelPolygon, Stroke } from '../api/types.js';
import type { Point } from './viewport.js';

/** An empty label. */
export function emptyLabel(): LabelContent {
  return { strokes: [], points: [], polygons: [], class: null, rating: null };
}

/** Normalises a label from the server: missing arrays become empty, unknown fields are dropped. */
export function labelContentOf(source: Partial<LabelContent> | null): LabelContent {
  if (!source) return emptyLabel();
  return {
    strokes: source.strokes ?? [],
    points: source.points ?? [],
    polygons: source.polygons ?? [],
    class: source.class ?? null,
    rating: source.rating ?? null,
  };
}

/** The label with one more stroke. */
export function withStroke(label: LabelContent, stroke: Stroke): LabelContent {
  return { ...label, strokes: [...label.strokes, stroke] };
}

/** The label with one more point. */
export function withPoint(label: LabelContent, point: LabelPoint): LabelContent {
  return { ...label, points: [...label.points, point] };
}

/** The label with one more polygon. */
export function withPolygon(label: LabelContent, polygon: LabelPolygon): LabelContent {
  return { ...label, polygons: [...label.polygons, polygon] };
}

/** The label with its image-level class set (null clears it). */
export function withImageClass(label: LabelContent, imageClass: string | null): LabelContent {
  return { ...label, class: imageClass };
}

/** The label with its rating set (null clears it). */
export function withRating(label: LabelContent, rating: number | null): LabelContent {
  return { ...label, rating };
}

/** Rounds an image coordinate to 1/100 pixel (sub-pixel precision kept, JSON stays compact). */
export function roundCoordinate(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * Appends `point` to a flat [x0, y0, x1, y1, ...] path unless it lies closer than `minDistance`
 * (image pixels) to the last kept point — drops pointer jitter without changing the drawn shape.
 * Returns true when the point was kept.
 */
export function appendPathPoint(path: number[], point: Point, minDistance: number): boolean {
  const length = path.length;
  if (length >= 2) {
    const dx = point.x - path[length - 2];
    const dy = point.y - path[length - 1];
    if (dx * dx + dy * dy < minDistance * minDistance) return false;
  }
  path.push(roundCoordinate(point.x), roundCoordinate(point.y));
  return true;
}

/** Whether two label contents are equal field by field (used to tell a dirty document from a saved one). */
export function sameLabelContent(a: LabelContent, b: LabelContent): boolean {
  return JSON.stringify(labelContentOf(a)) === JSON.stringify(labelContentOf(b));
}
