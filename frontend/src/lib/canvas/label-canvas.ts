// The Konva stage of the labeling workspace. Layers, bottom to top: the image, the model overlays
// (prediction, uncertainty), the annotations (drawn at CSS opacity so overlapping strokes of one class
// look uniform; erasers cut them with destination-out), and a UI layer (brush cursor, polygon preview).
// The stage transform *is* the viewport, so every shape is stored and drawn in image pixels.
import Konva from 'konva';
import type { LabelContent, Stroke } from '../api/types.js';
import { appendPathPoint } from './label-document.js';
import { fitToScreen, panBy, screenToImage, wheelZoomFactor, zoomAround, type Point, type Size, type Viewport } from './viewport.js';
import { LiveStroke } from './live-stroke.js';

export type CanvasTool = 'brush' | 'eraser' | 'polygon' | 'point' | 'pan';

export interface LabelCanvasCallbacks {
  onStroke(points: number[], erase: boolean): void;
  onPolygon(points: number[]): void;
  onPoint(x: number, y: number): void;
  onViewportChange(viewport: Viewport): void;
  onPointerImagePosition(point: Point | null): void;
}

export interface CanvasSettings {
  tool: CanvasTool;
  brushSize: number;
  activeColor: string;
  colorOfClass(className: string): string;
  annotationOpacity: number;
}

/** Distance in screen pixels within which a click closes the polygon at its first vertex. */
const POLYGON_CLOSE_DISTANCE = 10;

/** Owns the Konva stage for one image; the Svelte page feeds it settings and the label document. */
export class LabelCanvas {
  private readonly stage: Konva.Stage;
  private readonly imageLayer = new Konva.Layer({ listening: false });
  private readonly overlayLayer = new Konva.Layer({ listening: false });
  private readonly annotationLayer = new Konva.Layer({ listening: false });
  private readonly uiLayer = new Konva.Layer({ listening: false });
  private readonly cursor = new Konva.Circle({ radius: 8, stroke: '#ffffff', strokeWidth: 1.5, strokeScaleEnabled: false, visible: false, shadowColor: '#000', shadowBlur: 2, shadowForStrokeEnabled: true });
  private readonly polygonPreview = new Konva.Line({ points: [], stroke: '#ffffff', strokeWidth: 1.5, strokeScaleEnabled: false, dash: [6, 4], listening: false });
  private readonly overlayImages = new Map<string, Konva.Image>();
  private imageNode: Konva.Image | null = null;
  private imageSize: Size = { width: 1, height: 1 };
  private viewport: Viewport = { scale: 1, offsetX: 0, offsetY: 0 };
  private settings: CanvasSettings;
  private rendered: LabelContent | null = null;
  private liveStroke: LiveStroke | null = null;
  private polygonPoints: number[] = [];
  private panStart: { pointer: Point; viewport: Viewport; pointerId: number } | null = null;
  private spaceHeld = false;
  /** Whether the view is the fitted one (set by fit, cleared by any zoom or pan), so a resize can fit again. */
  private fitted = false;
  private readonly detach: () => void;

  constructor(
    private readonly container: HTMLDivElement,
    private readonly callbacks: LabelCanvasCallbacks,
    settings: CanvasSettings,
  ) {
    this.settings = settings;
    this.stage = new Konva.Stage({ container, width: container.clientWidth || 800, height: container.clientHeight || 600 });
    this.stage.add(this.imageLayer, this.overlayLayer, this.annotationLayer, this.uiLayer);
    this.uiLayer.add(this.polygonPreview, this.cursor);
    this.annotationLayer.on('draw', () => this.liveStroke?.repaint(this.annotationLayer, this.viewport));
    this.applyAnnotationOpacity();
    this.detach = this.attachPointerHandlers();
  }

  /** Shows a new image and fits it to the container. */
  setImage(image: CanvasImageSource & { width: number; height: number }): void {
    this.imageNode?.destroy();
    this.imageSize = { width: image.width, height: image.height };
    this.imageNode = new Konva.Image({ image, x: 0, y: 0, width: image.width, height: image.height });
    this.imageLayer.add(this.imageNode);
    this.fit();
  }

  /** Shows (or with null removes) a model overlay image stretched over the image. */
  setOverlay(kind: string, image: (CanvasImageSource & { width: number; height: number }) | null, opacity: number): void {
    this.overlayImages.get(kind)?.destroy();
    this.overlayImages.delete(kind);
    if (image) {
      const node = new Konva.Image({ image, x: 0, y: 0, width: this.imageSize.width, height: this.imageSize.height, opacity });
      this.overlayImages.set(kind, node);
      this.overlayLayer.add(node);
    }
    this.overlayLayer.batchDraw();
  }

  /** Sets the opacity of every model overlay. */
  setOverlayOpacity(opacity: number): void {
    for (const node of this.overlayImages.values()) node.opacity(opacity);
    this.overlayLayer.batchDraw();
  }

  /** Applies new tool, brush, colour and opacity settings. */
  updateSettings(settings: CanvasSettings): void {
    const toolChanged = settings.tool !== this.settings.tool;
    this.settings = settings;
    if (toolChanged && settings.tool !== 'polygon') this.cancelPolygon();
    this.applyAnnotationOpacity();
    this.updateCursorShape();
    this.updateCssCursor();
  }

  /** Draws the label document: appends the new shape when one was added, otherwise rebuilds the layer. */
  renderLabel(label: LabelContent): void {
    const previous = this.rendered;
    this.rendered = label;
    if (previous && isOneStrokeAppended(previous, label)) {
      this.annotationLayer.add(this.strokeNode(label.strokes[label.strokes.length - 1]));
    } else {
      this.annotationLayer.destroyChildren();
      for (const stroke of label.strokes) this.annotationLayer.add(this.strokeNode(stroke));
      for (const polygon of label.polygons) this.annotationLayer.add(this.polygonNode(polygon.points, polygon.class));
      for (const point of label.points) this.annotationLayer.add(this.pointNode(point.x, point.y, point.class));
    }
    this.annotationLayer.batchDraw();
  }

  /** Shows the whole image. */
  fit(): void {
    this.setViewport(fitToScreen(this.imageSize, this.containerSize()));
    this.fitted = true;
  }

  /** Zooms by a factor around the container centre (keyboard +/−). */
  zoomBy(factor: number): void {
    const size = this.containerSize();
    this.setViewport(zoomAround(this.viewport, { x: size.width / 2, y: size.height / 2 }, factor));
  }

  /** Follows a container resize; a fitted image is fitted again (a zoomed or panned view is left as the person set it). */
  resize(): void {
    const size = this.containerSize();
    this.stage.size(size);
    if (this.fitted) this.fit();
    this.stage.batchDraw();
  }

  /** Holds space to pan with the left button. */
  setSpaceHeld(held: boolean): void {
    this.spaceHeld = held;
    this.updateCssCursor();
  }

  /** Closes the polygon being drawn (Enter); needs three vertices. */
  finishPolygon(): void {
    if (this.polygonPoints.length >= 6) this.callbacks.onPolygon(this.polygonPoints);
    this.cancelPolygon();
  }

  /** Drops the polygon being drawn (Escape). */
  cancelPolygon(): void {
    this.polygonPoints = [];
    this.polygonPreview.points([]);
    this.uiLayer.batchDraw();
  }

  /** The current image-to-screen transform. */
  getViewport(): Viewport {
    return this.viewport;
  }

  /** Removes the listeners and the Konva stage. */
  destroy(): void {
    this.detach();
    this.stage.destroy();
  }

  /** Applies a viewport as the stage transform and redraws. */
  private setViewport(viewport: Viewport): void {
    this.fitted = false;
    this.viewport = viewport;
    this.stage.scale({ x: viewport.scale, y: viewport.scale });
    this.stage.position({ x: viewport.offsetX, y: viewport.offsetY });
    this.imageLayer.imageSmoothingEnabled(viewport.scale < 2);
    this.resizePointMarkers();
    this.stage.batchDraw();
    this.callbacks.onViewportChange(viewport);
  }

  /** The container's size in CSS pixels (fallback while it is not laid out yet). */
  private containerSize(): Size {
    return { width: this.container.clientWidth || 800, height: this.container.clientHeight || 600 };
  }

  /** Listens for pointer, wheel and click events on the container; returns the function that stops. */
  private attachPointerHandlers(): () => void {
    const target = this.container;
    const down = (event: PointerEvent) => this.onPointerDown(event);
    const move = (event: PointerEvent) => this.onPointerMove(event);
    const up = (event: PointerEvent) => this.onPointerUp(event);
    const leave = () => {
      this.cursor.visible(false);
      this.uiLayer.batchDraw();
      this.callbacks.onPointerImagePosition(null);
    };
    const wheel = (event: WheelEvent) => this.onWheel(event);
    const dblclick = () => this.settings.tool === 'polygon' && this.finishPolygon();
    const auxclick = (event: MouseEvent) => event.button === 1 && event.preventDefault();
    target.addEventListener('pointerdown', down);
    target.addEventListener('pointermove', move);
    target.addEventListener('pointerup', up);
    target.addEventListener('pointercancel', up);
    target.addEventListener('pointerleave', leave);
    target.addEventListener('wheel', wheel, { passive: false });
    target.addEventListener('dblclick', dblclick);
    target.addEventListener('auxclick', auxclick);
    return () => {
      target.removeEventListener('pointerdown', down);
      target.removeEventListener('pointermove', move);
      target.removeEventListener('pointerup', up);
      target.removeEventListener('pointercancel', up);
      target.removeEventListener('pointerleave', leave);
      target.removeEventListener('wheel', wheel);
      target.removeEventListener('dblclick', dblclick);
      target.removeEventListener('auxclick', auxclick);
    };
  }

  /** Pointer position relative to the container, in screen (stage) pixels. */
  private screenPoint(event: MouseEvent): Point {
    const rect = this.container.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  /** Wheel: zooms around the cursor. */
  private onWheel(event: WheelEvent): void {
    event.preventDefault();
    this.setViewport(zoomAround(this.viewport, this.screenPoint(event), wheelZoomFactor(event.deltaY, event.deltaMode)));
  }

  /** Starts a pan (middle button, space or pan tool), a stroke, a point or a polygon vertex. */
  private onPointerDown(event: PointerEvent): void {
    const screen = this.screenPoint(event);
    const wantsPan = event.button === 1 || (event.button === 0 && (this.spaceHeld || this.settings.tool === 'pan'));
    if (wantsPan) {
      event.preventDefault();
      this.container.setPointerCapture(event.pointerId);
      this.panStart = { pointer: screen, viewport: this.viewport, pointerId: event.pointerId };
      this.updateCssCursor();
      return;
    }
    // Nothing to annotate before an image is shown (and no label to attach the shape to).
    if (event.button !== 0 || this.imageNode === null) return;
    const image = screenToImage(this.viewport, screen);
    const tool = this.settings.tool;
    if (tool === 'brush' || tool === 'eraser') {
      this.container.setPointerCapture(event.pointerId);
      const erase = tool === 'eraser';
      this.liveStroke = new LiveStroke(image, this.settings.brushSize, erase ? '#000' : this.settings.activeColor, erase);
      this.liveStroke.drawLastSegment(this.annotationLayer, this.viewport);
    } else if (tool === 'point') {
      this.callbacks.onPoint(round2(image.x), round2(image.y));
    } else if (tool === 'polygon') {
      this.addPolygonVertex(screen, image);
    }
  }

  /** Pans, extends the live stroke, or moves the brush cursor and polygon preview. */
  private onPointerMove(event: PointerEvent): void {
    const screen = this.screenPoint(event);
    const image = screenToImage(this.viewport, screen);
    this.callbacks.onPointerImagePosition(image);
    if (this.panStart && event.pointerId === this.panStart.pointerId) {
      const start = this.panStart;
      this.setViewport(panBy(start.viewport, screen.x - start.pointer.x, screen.y - start.pointer.y));
      return;
    }
    this.moveCursor(image);
    if (this.liveStroke) {
      // Coalesced events keep fast strokes smooth when the browser batches pointer moves per frame.
      const samples = typeof event.getCoalescedEvents === 'function' ? event.getCoalescedEvents() : [];
      const points = samples.length > 0 ? samples.map((sample) => screenToImage(this.viewport, this.screenPoint(sample))) : [image];
      const minDistance = 0.75 / this.viewport.scale;
      for (const point of points) {
        if (this.liveStroke.add(point, minDistance)) this.liveStroke.drawLastSegment(this.annotationLayer, this.viewport);
      }
    } else if (this.settings.tool === 'polygon' && this.polygonPoints.length > 0) {
      this.polygonPreview.points([...this.polygonPoints, image.x, image.y]);
      this.uiLayer.batchDraw();
    }
  }

  /** Ends a pan, or commits the live stroke as one edit. */
  private onPointerUp(event: PointerEvent): void {
    if (this.container.hasPointerCapture(event.pointerId)) this.container.releasePointerCapture(event.pointerId);
    if (this.panStart && event.pointerId === this.panStart.pointerId) {
      this.panStart = null;
      this.updateCssCursor();
      return;
    }
    if (!this.liveStroke) return;
    const finished = this.liveStroke;
    this.liveStroke = null;
    // The committed Konva.Line replaces the live pixels when renderLabel redraws the layer.
    this.callbacks.onStroke(finished.pointsForCommit(), finished.erase);
  }

  /** Adds a vertex, or closes the polygon when the click is on its first vertex. */
  private addPolygonVertex(screen: Point, image: Point): void {
    const points = this.polygonPoints;
    if (points.length >= 6) {
      const first = { x: points[0] * this.viewport.scale + this.viewport.offsetX, y: points[1] * this.viewport.scale + this.viewport.offsetY };
      if (Math.hypot(first.x - screen.x, first.y - screen.y) <= POLYGON_CLOSE_DISTANCE) {
        this.finishPolygon();
        return;
      }
    }
    appendPathPoint(points, image, 0.5 / this.viewport.scale);
    this.polygonPreview.stroke(this.settings.activeColor);
    this.polygonPreview.points([...points]);
    this.uiLayer.batchDraw();
  }

  /** Moves the brush outline to the pointer. */
  private moveCursor(image: Point): void {
    const tool = this.settings.tool;
    const showBrush = (tool === 'brush' || tool === 'eraser') && !this.spaceHeld;
    this.cursor.visible(showBrush);
    if (showBrush) this.cursor.position(image);
    this.uiLayer.batchDraw();
  }

  /** Sizes and colours the brush outline for the current tool. */
  private updateCursorShape(): void {
    this.cursor.radius(this.settings.brushSize / 2);
    this.cursor.stroke(this.settings.tool === 'eraser' ? '#ffffff' : this.settings.activeColor);
    this.uiLayer.batchDraw();
  }

  /** The CSS cursor: grab/grabbing while panning, none under the brush outline, else a crosshair. */
  private updateCssCursor(): void {
    const panning = this.panStart !== null;
    const canPan = this.spaceHeld || this.settings.tool === 'pan';
    this.container.style.cursor = panning ? 'grabbing' : canPan ? 'grab' : this.settings.tool === 'brush' || this.settings.tool === 'eraser' ? 'none' : 'crosshair';
  }

  private applyAnnotationOpacity(): void {
    // Opacity on the layer's canvas element: strokes are opaque among themselves, translucent over the image.
    this.annotationLayer.getNativeCanvasElement().style.opacity = String(this.settings.annotationOpacity);
  }

  /** The Konva line of a stored stroke (a one-point stroke is drawn as a dot). */
  private strokeNode(stroke: Stroke): Konva.Line {
    return new Konva.Line({
      points: stroke.points.length === 2 ? [...stroke.points, ...stroke.points] : stroke.points,
      stroke: stroke.tool === 'eraser' ? '#000' : this.settings.colorOfClass(stroke.class),
      strokeWidth: stroke.width,
      lineCap: 'round',
      lineJoin: 'round',
      globalCompositeOperation: stroke.tool === 'eraser' ? 'destination-out' : 'source-over',
      listening: false,
      perfectDrawEnabled: false,
    });
  }

  /** The Konva shape of a stored polygon. */
  private polygonNode(points: number[], className: string): Konva.Line {
    const color = this.settings.colorOfClass(className);
    return new Konva.Line({ points, closed: true, fill: color, stroke: color, strokeWidth: 2, strokeScaleEnabled: false, opacity: 0.8, listening: false, perfectDrawEnabled: false });
  }

  /** The marker of a stored point. */
  private pointNode(x: number, y: number, className: string): Konva.Circle {
    return new Konva.Circle({ x, y, radius: 5 / this.viewport.scale, fill: this.settings.colorOfClass(className), stroke: '#fff', strokeWidth: 1.5, strokeScaleEnabled: false, listening: false, name: 'point-marker' });
  }

  /** Point markers keep a constant on-screen size whatever the zoom. */
  private resizePointMarkers(): void {
    for (const node of this.annotationLayer.find('.point-marker')) (node as Konva.Circle).radius(5 / this.viewport.scale);
  }
}

/** Whether `next` is `previous` plus exactly one stroke at the end (everything else the same objects). */
function isOneStrokeAppended(previous: LabelContent, next: LabelContent): boolean {
  if (next.points !== previous.points || next.polygons !== previous.polygons) return false;
  if (next.strokes.length !== previous.strokes.length + 1) return false;
  return previous.strokes.every((stroke, index) => next.strokes[index] === stroke);
}

/** Rounds to 1/100 pixel. */
function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
