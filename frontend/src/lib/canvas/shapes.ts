// Pure geometry of the shapes in a label (brush strokes, eraser strokes, polygons, points), in image pixels:
// hit-testing, moving, deleting and erasing. No Konva, no DOM, so the rules are unit-tested in node.
//
// Erasing keeps the pixel-exact eraser strokes the server's segmentation reads (a pixel is covered by a stroke when
// its centre (x+½, y+½) lies within width/2 of the polyline; an eraser stroke unlabels what it covers in earlier
// strokes, as backend/trainer/segmentation/scribbles.ts rasterizes them), and tidies the document around them:
// points under the eraser are removed, a stroke or polygon whose every pixel is erased is removed, and an eraser
// stroke that no longer covers any earlier brush stroke is dropped, so an eraser never adds to the document's count.
import type { LabelContent, LabelPoint, LabelPolygon, Stroke } from '../api/types.js';
import type { Point, Size } from './viewport.js';

export type ShapeKind = 'stroke' | 'polygon' | 'point';

/** One shape of a label by its list and position in it. */
export interface ShapeRef {
  kind: ShapeKind;
  index: number;
}

/** Axis-aligned box [minX, minY, maxX, maxY]. */
type Box = [number, number, number, number];

/** Upper bound on pixel tests in one coverage check; a larger shape counts as not completely erased (kept). */
const MAX_COVERAGE_PIXELS = 4_000_000;

/** Whether a stroke is an eraser stroke. */
export function isEraser(stroke: Stroke): boolean {
  return stroke.tool === 'eraser';
}

/** Number of annotations a person sees: brush strokes, polygons and points (eraser strokes are not annotations). */
export function annotationCount(label: LabelContent): number {
  return label.strokes.filter((stroke) => !isEraser(stroke)).length + label.polygons.length + label.points.length;
}

/** Distance from p to segment ab: |p − (a + t(b − a))| with t = clamp(((p − a)·(b − a)) / |b − a|², 0, 1). */
export function distanceToSegment(p: Point, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSquared = dx * dx + dy * dy;
  const t = lengthSquared === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - ax) * dx + (p.y - ay) * dy) / lengthSquared));
  return Math.hypot(p.x - (ax + t * dx), p.y - (ay + t * dy));
}

/** Distance from p to a flat polyline [x0, y0, x1, y1, ...] (one point: the distance to it). */
export function distanceToPolyline(p: Point, points: readonly number[]): number {
  if (points.length === 2) return Math.hypot(p.x - points[0], p.y - points[1]);
  let best = Infinity;
  for (let k = 0; k + 3 < points.length; k += 2) best = Math.min(best, distanceToSegment(p, points[k], points[k + 1], points[k + 2], points[k + 3]));
  return best;
}

/** Whether p lies inside a closed polygon (even–odd rule, ray cast to +x). */
export function isInsidePolygon(p: Point, points: readonly number[]): boolean {
  let inside = false;
  const n = points.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = points[2 * i], yi = points[2 * i + 1], xj = points[2 * j], yj = points[2 * j + 1];
    if (yi > p.y !== yj > p.y && p.x < ((xj - xi) * (p.y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether p is covered by a stroke: within width/2 of its polyline. */
export function strokeCovers(stroke: Stroke, p: Point): boolean {
  return distanceToPolyline(p, stroke.points) <= stroke.width / 2;
}

/**
 * The topmost shape at p, as the canvas draws them (points over polygons over strokes, later over earlier), or null.
 * `tolerance` (image pixels) widens thin shapes so that they can be picked; `pointRadius` is a point marker's radius.
 */
export function hitTest(label: LabelContent, p: Point, tolerance: number, pointRadius: number): ShapeRef | null {
  for (let index = label.points.length - 1; index >= 0; index--) {
    const point = label.points[index];
    if (Math.hypot(p.x - point.x, p.y - point.y) <= pointRadius + tolerance) return { kind: 'point', index };
  }
  for (let index = label.polygons.length - 1; index >= 0; index--) {
    const polygon = label.polygons[index].points;
    if (isInsidePolygon(p, polygon) || distanceToPolyline(p, [...polygon, polygon[0], polygon[1]]) <= tolerance) return { kind: 'polygon', index };
  }
  for (let index = label.strokes.length - 1; index >= 0; index--) {
    const stroke = label.strokes[index];
    if (isEraser(stroke)) continue;
    const widened: Stroke = { ...stroke, width: stroke.width + 2 * tolerance };
    if (!strokeCovers(widened, p)) continue;
    const erasedHere = label.strokes.slice(index + 1).some((later) => isEraser(later) && strokeCovers(later, p));
    if (!erasedHere) return { kind: 'stroke', index };
  }
  return null;
}

/** Whether `ref` names a shape that exists in `label`. */
export function shapeExists(label: LabelContent, ref: ShapeRef): boolean {
  const list = ref.kind === 'stroke' ? label.strokes : ref.kind === 'polygon' ? label.polygons : label.points;
  return Number.isInteger(ref.index) && ref.index >= 0 && ref.index < list.length && !(ref.kind === 'stroke' && isEraser(label.strokes[ref.index]));
}

/** Shifts a flat coordinate list by (dx, dy), rounded to 1/100 pixel. */
function shifted(points: readonly number[], dx: number, dy: number): number[] {
  return points.map((value, index) => Math.round((value + (index % 2 === 0 ? dx : dy)) * 100) / 100);
}

/**
 * The label with one shape moved by (dx, dy). A moved stroke becomes the newest one (drawn on top, whole: erasers made
 * before the move no longer cut it), as a shape picked up and put down lies on top; erasers left covering nothing go.
 */
export function moveShape(label: LabelContent, ref: ShapeRef, dx: number, dy: number): LabelContent {
  if (!shapeExists(label, ref)) return label;
  if (ref.kind === 'point') {
    const moved = label.points.map((point, index): LabelPoint => (index === ref.index ? { ...point, x: Math.round((point.x + dx) * 100) / 100, y: Math.round((point.y + dy) * 100) / 100 } : point));
    return { ...label, points: moved };
  }
  if (ref.kind === 'polygon') {
    const moved = label.polygons.map((polygon, index): LabelPolygon => (index === ref.index ? { ...polygon, points: shifted(polygon.points, dx, dy) } : polygon));
    return { ...label, polygons: moved };
  }
  const stroke = label.strokes[ref.index];
  const others = label.strokes.filter((_, index) => index !== ref.index);
  return withoutIdleErasers({ ...label, strokes: [...others, { ...stroke, points: shifted(stroke.points, dx, dy) }] });
}

/** The label without one shape; erasers left covering nothing go too. */
export function deleteShape(label: LabelContent, ref: ShapeRef): LabelContent {
  if (!shapeExists(label, ref)) return label;
  if (ref.kind === 'point') return { ...label, points: label.points.filter((_, index) => index !== ref.index) };
  if (ref.kind === 'polygon') return { ...label, polygons: label.polygons.filter((_, index) => index !== ref.index) };
  return withoutIdleErasers({ ...label, strokes: label.strokes.filter((_, index) => index !== ref.index) });
}

/**
 * The label after an eraser stroke, or null when it erases nothing (no edit to record): points under it are removed,
 * the stroke is kept when it cuts an earlier brush stroke, and strokes and polygons erased completely are removed
 * (with the erasers that then cover nothing). `image` bounds the pixels that count (off-image pixels are never seen).
 */
export function eraseWith(label: LabelContent, eraser: Stroke, image?: Size): LabelContent | null {
  const cut: Stroke = { ...eraser, tool: 'eraser' };
  const points = label.points.filter((point) => !strokeCovers(cut, point));
  const cutsStroke = label.strokes.some((stroke) => !isEraser(stroke) && strokesOverlap(stroke, cut));
  const polygonsUnder = label.polygons.some((polygon) => boxesOverlap(boxOfPoints(polygon.points), strokeBox(cut)));
  if (points.length === label.points.length && !cutsStroke && !polygonsUnder) return null;
  const strokes = cutsStroke ? [...label.strokes, cut] : label.strokes;
  // Polygons are drawn over strokes, so only erasing all of one (with this and earlier eraser strokes) removes it.
  const erasers = [...label.strokes.filter(isEraser), cut];
  const polygons = label.polygons.filter((polygon) => !isPolygonErased(polygon, erasers, image));
  let next: LabelContent = { ...label, points, polygons, strokes };
  if (cutsStroke) next = withoutIdleErasers({ ...next, strokes: strokes.filter((stroke, index) => isEraser(stroke) || !isStrokeErased(next, index, image)) });
  const changed = points.length !== label.points.length || polygons.length !== label.polygons.length || next.strokes.length !== label.strokes.length || cutsStroke;
  return changed ? next : null;
}

/** Whether two strokes' covered regions can overlap: some segments lie within the sum of their half-widths. */
export function strokesOverlap(a: Stroke, b: Stroke): boolean {
  const reach = a.width / 2 + b.width / 2;
  if (!boxesOverlap(strokeBox(a), strokeBox(b))) return false;
  return segmentsOf(a.points).some(([ax, ay, bx, by]) => segmentsOf(b.points).some(([cx, cy, dx, dy]) => segmentDistance(ax, ay, bx, by, cx, cy, dx, dy) <= reach));
}

/** Whether every pixel of the brush stroke at `index` is cut by later eraser strokes (pixel centres, as the server). */
export function isStrokeErased(label: LabelContent, index: number, image?: Size): boolean {
  const stroke = label.strokes[index];
  const erasers = label.strokes.slice(index + 1).filter((later) => isEraser(later) && strokesOverlap(later, stroke));
  if (erasers.length === 0) return false;
  return everyPixelCovered(strokeBox(stroke), image, (p) => strokeCovers(stroke, p), erasers);
}

/** Whether every pixel inside the polygon is cut by the eraser strokes (the canvas draws polygons over strokes, so only a complete erase removes one). */
export function isPolygonErased(polygon: LabelPolygon, erasers: readonly Stroke[], image?: Size): boolean {
  const box = boxOfPoints(polygon.points);
  const near = erasers.filter((eraser) => boxesOverlap(box, strokeBox(eraser)));
  if (near.length === 0) return false;
  return everyPixelCovered(box, image, (p) => isInsidePolygon(p, polygon.points), near);
}

/** The label without eraser strokes that cover no earlier brush stroke (they would erase nothing). */
export function withoutIdleErasers(label: LabelContent): LabelContent {
  const strokes = label.strokes.filter((stroke, index) => !isEraser(stroke) || label.strokes.slice(0, index).some((earlier) => !isEraser(earlier) && strokesOverlap(earlier, stroke)));
  return strokes.length === label.strokes.length ? label : { ...label, strokes };
}

/** Whether each pixel centre in `box` (and on the image) that `inside` accepts lies under one of the erasers. */
function everyPixelCovered(box: Box, image: Size | undefined, inside: (p: Point) => boolean, erasers: readonly Stroke[]): boolean {
  const x0 = Math.max(image ? 0 : -Infinity, Math.floor(box[0]));
  const y0 = Math.max(image ? 0 : -Infinity, Math.floor(box[1]));
  const x1 = Math.min(image ? image.width - 1 : Infinity, Math.ceil(box[2]));
  const y1 = Math.min(image ? image.height - 1 : Infinity, Math.ceil(box[3]));
  if ((x1 - x0 + 1) * (y1 - y0 + 1) > MAX_COVERAGE_PIXELS) return false;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const p = { x: x + 0.5, y: y + 0.5 };
      if (inside(p) && !erasers.some((eraser) => strokeCovers(eraser, p))) return false;
    }
  }
  return true;
}

/** The segments [ax, ay, bx, by] of a flat polyline (one point: a zero-length segment). */
function segmentsOf(points: readonly number[]): [number, number, number, number][] {
  if (points.length === 2) return [[points[0], points[1], points[0], points[1]]];
  const segments: [number, number, number, number][] = [];
  for (let k = 0; k + 3 < points.length; k += 2) segments.push([points[k], points[k + 1], points[k + 2], points[k + 3]]);
  return segments;
}

/** Distance between segments ab and cd: 0 when they cross, else the least endpoint-to-segment distance. */
function segmentDistance(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): number {
  if (segmentsCross(ax, ay, bx, by, cx, cy, dx, dy)) return 0;
  return Math.min(
    distanceToSegment({ x: ax, y: ay }, cx, cy, dx, dy),
    distanceToSegment({ x: bx, y: by }, cx, cy, dx, dy),
    distanceToSegment({ x: cx, y: cy }, ax, ay, bx, by),
    distanceToSegment({ x: dx, y: dy }, ax, ay, bx, by),
  );
}

/** Whether segments ab and cd properly cross (orientation test). */
function segmentsCross(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): boolean {
  const orient = (px: number, py: number, qx: number, qy: number, rx: number, ry: number) => Math.sign((qx - px) * (ry - py) - (qy - py) * (rx - px));
  const o1 = orient(ax, ay, bx, by, cx, cy), o2 = orient(ax, ay, bx, by, dx, dy), o3 = orient(cx, cy, dx, dy, ax, ay), o4 = orient(cx, cy, dx, dy, bx, by);
  return o1 * o2 < 0 && o3 * o4 < 0;
}

/** Bounding box of a flat coordinate list. */
function boxOfPoints(points: readonly number[]): Box {
  const box: Box = [Infinity, Infinity, -Infinity, -Infinity];
  for (let k = 0; k + 1 < points.length; k += 2) {
    box[0] = Math.min(box[0], points[k]);
    box[1] = Math.min(box[1], points[k + 1]);
    box[2] = Math.max(box[2], points[k]);
    box[3] = Math.max(box[3], points[k + 1]);
  }
  return box;
}

/** Bounding box of a stroke's covered region (its polyline grown by width/2). */
function strokeBox(stroke: Stroke): Box {
  const [x0, y0, x1, y1] = boxOfPoints(stroke.points);
  const r = stroke.width / 2;
  return [x0 - r, y0 - r, x1 + r, y1 + r];
}

/** Bounding box of any shape, for the selection outline ([minX, minY, maxX, maxY]; a point's is the point itself). */
export function shapeBox(label: LabelContent, ref: ShapeRef): Box {
  if (ref.kind === 'point') {
    const point = label.points[ref.index];
    return [point.x, point.y, point.x, point.y];
  }
  if (ref.kind === 'polygon') return boxOfPoints(label.polygons[ref.index].points);
  return strokeBox(label.strokes[ref.index]);
}

function boxesOverlap(a: Box, b: Box): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}
