// The stroke being drawn: its points grow in image pixels while the pointer moves, and each new
// segment is painted straight onto the annotation layer's 2-D context (no Konva node, no scene redraw),
// so drawing stays fluid with hundreds of committed strokes. On release it is committed as one shape.
import type Konva from 'konva';
import { appendPathPoint } from './label-document.js';
import type { Point, Viewport } from './viewport.js';

export class LiveStroke {
  readonly points: number[] = [];

  constructor(
    start: Point,
    readonly width: number,
    readonly color: string,
    readonly erase: boolean,
  ) {
    appendPathPoint(this.points, start, 0);
  }

  /** Adds a point unless it is within `minDistance` image pixels of the last one; true when added. */
  add(point: Point, minDistance: number): boolean {
    return appendPathPoint(this.points, point, minDistance);
  }

  /** The flat point list to store (a single click is stored as one point; the renderer doubles it). */
  pointsForCommit(): number[] {
    return [...this.points];
  }

  /** Paints the newest segment (or the start dot) onto the layer's canvas in the viewport transform. */
  drawLastSegment(layer: Konva.Layer, viewport: Viewport): void {
    const n = this.points.length;
    const from = n >= 4 ? n - 4 : n - 2;
    this.paint(layer, viewport, from, n);
  }

  /** Paints the whole stroke again (after Konva redrew the layer, e.g. on zoom mid-stroke). */
  repaint(layer: Konva.Layer, viewport: Viewport): void {
    this.paint(layer, viewport, 0, this.points.length);
  }

  private paint(layer: Konva.Layer, viewport: Viewport, from: number, to: number): void {
    const context = layer.getNativeCanvasElement().getContext('2d');
    if (!context) return;
    const pixelRatio = layer.getCanvas().getPixelRatio();
    context.save();
    context.setTransform(pixelRatio * viewport.scale, 0, 0, pixelRatio * viewport.scale, pixelRatio * viewport.offsetX, pixelRatio * viewport.offsetY);
    context.globalCompositeOperation = this.erase ? 'destination-out' : 'source-over';
    context.strokeStyle = this.color;
    context.lineWidth = this.width;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.beginPath();
    context.moveTo(this.points[from], this.points[from + 1]);
    if (to - from <= 2) context.lineTo(this.points[from], this.points[from + 1]);
    for (let index = from + 2; index < to; index += 2) context.lineTo(this.points[index], this.points[index + 1]);
    context.stroke();
    context.restore();
  }
}
