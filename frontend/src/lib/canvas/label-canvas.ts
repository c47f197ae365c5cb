// The Konva stage of the labeling workspace. Layers, bottom to top: the image, the model overlays
// (prediction, uncertainty), the annotations (drawn at CSS opacity so overlapping strokes of one class
// look uniform; erasers cut them with destination-out), and a UI layer (brush cursor, polygon preview, selection).
// The stage transform *is* the viewport, so every shape is stored and drawn in image pixels. What a pointer event
// does is up to the active tool (tools/*.ts); this class keeps the stage, the layers and the viewport.
import Konva from 'konva';
import type { LabelContent, Stroke } from '../api/types.js';
import { LiveStroke } from './live-stroke.js';
import { overlayOpacity } from './overlay-colors.js';
import { shapeBox, shapeExists, type ShapeRef } from './shapes.js';
import { createTools, type CanvasTool, type CanvasToolModule, type ToolEdits, type ToolHost, type ToolPointer, type ToolSet } from './tools/index.js';
import { POINT_MARKER_RADIUS } from './tools/select.js';
import { fitToScreen, screenToImage, wheelZoomFactor, zoomAround, type Point, type Size, type Viewport } from './viewport.js';

export type { CanvasTool } from './tools/index.js';

export interface LabelCanvasCallbacks extends ToolEdits {
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

const SELECTION_COLOR = '#00e5ff';

/** Owns the Konva stage for one image; the Svelte page feeds it settings and the label document. */
export class LabelCanvas implements ToolHost {
  private readonly stage: Konva.Stage;
  private readonly imageLayer = new Konva.Layer({ listening: false });
  private readonly overlayLayer = new Konva.Layer({ listening: false });
  private readonly annotationLayer = new Konva.Layer({ listening: false });
  private readonly uiLayer = new Konva.Layer({ listening: false });
  private readonly cursor = new Konva.Circle({ radius: 8, stroke: '#ffffff', strokeWidth: 1.5, strokeScaleEnabled: false, visible: false, shadowColor: '#000', shadowBlur: 2, shadowForStrokeEnabled: true });
  private readonly polygonPreview = new Konva.Line({ points: [], stroke: '#ffffff', strokeWidth: 1.5, strokeScaleEnabled: false, dash: [6, 4], listening: false });
  private readonly selectionOutline = new Konva.Rect({ stroke: SELECTION_COLOR, strokeWidth: 1.5, strokeScaleEnabled: false, dash: [5, 3], visible: false, listening: false });
  private readonly overlayImages = new Map<string, Konva.Image>();
  private readonly tools: ToolSet = createTools();
  private imageNode: Konva.Image | null = null;
  private size: Size = { width: 1, height: 1 };
  private view: Viewport = { scale: 1, offsetX: 0, offsetY: 0 };
  private settings: CanvasSettings;
  private rendered: LabelContent | null = null;
  /** The Konva node of each shape, by list position, so the selected one can be shifted while dragged. */
  private nodes: { stroke: Konva.Shape[]; polygon: Konva.Shape[]; point: Konva.Shape[] } = { stroke: [], polygon: [], point: [] };
  private selected: ShapeRef | null = null;
  private liveStroke: LiveStroke | null = null;
  /** The tool handling the current drag (the pan tool for middle button or space + drag), or null. */
  private dragTool: CanvasToolModule | null = null;
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
    this.uiLayer.add(this.polygonPreview, this.selectionOutline, this.cursor);
    this.annotationLayer.on('draw', () => this.liveStroke?.repaint(this.annotationLayer, this.view));
    this.applyAnnotationOpacity();
    this.detach = this.attachPointerHandlers();
  }

  // ToolHost: what tools read and draw through.
  get viewport(): Viewport {
    return this.view;
  }
  get imageSize(): Size {
    return this.size;
  }
  get hasImage(): boolean {
    return this.imageNode !== null;
  }
  get label(): LabelContent {
    return this.rendered ?? { strokes: [], points: [], polygons: [] };
  }
  get brushSize(): number {
    return this.settings.brushSize;
  }
  get activeColor(): string {
    return this.settings.activeColor;
  }
  get selection(): ShapeRef | null {
    return this.selected;
  }
  get edits(): ToolEdits {
    return this.callbacks;
  }

  capturePointer(pointerId: number): void {
    this.container.setPointerCapture(pointerId);
  }

  setViewport(viewport: Viewport): void {
    this.fitted = false;
    this.view = viewport;
    this.stage.scale({ x: viewport.scale, y: viewport.scale });
    this.stage.position({ x: viewport.offsetX, y: viewport.offsetY });
    this.imageLayer.imageSmoothingEnabled(viewport.scale < 2);
    this.resizePointMarkers();
    this.stage.batchDraw();
    this.callbacks.onViewportChange(viewport);
  }

  beginLiveStroke(start: Point, erase: boolean): void {
    this.liveStroke = new LiveStroke(start, this.settings.brushSize, erase ? '#000' : this.settings.activeColor, erase);
    this.liveStroke.drawLastSegment(this.annotationLayer, this.view);
  }

  extendLiveStroke(points: Point[], minDistance: number): void {
    const stroke = this.liveStroke;
    if (!stroke) return;
    for (const point of points) if (stroke.add(point, minDistance)) stroke.drawLastSegment(this.annotationLayer, this.view);
  }

  endLiveStroke(): number[] | null {
    const stroke = this.liveStroke;
    this.liveStroke = null;
    // Without a commit (tool switched mid-stroke) the live pixels must go: redraw the layer from the document.
    if (stroke === null) return null;
    this.annotationLayer.batchDraw();
    return stroke.pointsForCommit();
  }

  showPolygonPreview(points: number[]): void {
    this.polygonPreview.stroke(this.settings.activeColor);
    this.polygonPreview.points(points);
    this.uiLayer.batchDraw();
  }

  showBrushCursor(at: Point | null): void {
    this.cursor.visible(at !== null && !this.spaceHeld);
    if (at) this.cursor.position(at);
    this.uiLayer.batchDraw();
  }

  showMovePreview(dx: number, dy: number): void {
    const shape = this.selected;
    if (!shape || !this.rendered) return;
    // A line's position shifts its points; a point marker's position is its centre.
    const base = shape.kind === 'point' ? this.rendered.points[shape.index] : { x: 0, y: 0 };
    this.nodes[shape.kind][shape.index]?.position({ x: base.x + dx, y: base.y + dy });
    this.drawSelection(dx, dy);
    this.annotationLayer.batchDraw();
  }

  refreshCursor(): void {
    const tool = this.activeTool();
    const pan = this.tools.pan;
    this.container.style.cursor = pan.dragging ? 'grabbing' : this.spaceHeld ? 'grab' : tool.cursor(this);
  }

  /** Shows a new image and fits it to the container (with `keepView`, an image of the same size keeps zoom and position). */
  setImage(image: CanvasImageSource & { width: number; height: number }, options: { keepView?: boolean } = {}): void {
    // The next slice of a volume keeps the zoom and position, so the same spot can be followed through the stack.
    const keepView = options.keepView === true && this.imageNode !== null && this.size.width === image.width && this.size.height === image.height;
    this.imageNode?.destroy();
    this.size = { width: image.width, height: image.height };
    this.imageNode = new Konva.Image({ image, x: 0, y: 0, width: image.width, height: image.height });
    this.imageLayer.add(this.imageNode);
    if (keepView) this.imageLayer.batchDraw();
    else this.fit();
  }

  /** Shows (or with null removes) a model overlay image stretched over the image. */
  setOverlay(kind: string, image: (CanvasImageSource & { width: number; height: number }) | null, opacity: number): void {
    this.overlayImages.get(kind)?.destroy();
    this.overlayImages.delete(kind);
    if (image) {
      const node = new Konva.Image({ image, x: 0, y: 0, width: this.size.width, height: this.size.height });
      this.overlayImages.set(kind, node);
      this.overlayLayer.add(node);
      // The uncertainty map lies over the prediction, whichever arrived first.
      this.overlayImages.get('uncertainty')?.moveToTop();
    }
    // Showing or hiding the uncertainty changes how strongly the prediction is drawn.
    this.setOverlayOpacity(opacity);
  }

  /** Sets the opacity of the model overlays (the prediction dimmed while the uncertainty covers it). */
  setOverlayOpacity(opacity: number): void {
    const uncertaintyShown = this.overlayImages.has('uncertainty');
    for (const [kind, node] of this.overlayImages) node.opacity(overlayOpacity(kind, opacity, uncertaintyShown));
    this.overlayLayer.batchDraw();
  }

  /** Applies new tool, brush, colour and opacity settings. */
  updateSettings(settings: CanvasSettings): void {
    const previous = this.activeTool();
    this.settings = settings;
    if (previous.name !== settings.tool) previous.deactivate?.(this);
    this.applyAnnotationOpacity();
    this.cursor.radius(settings.brushSize / 2);
    this.cursor.stroke(settings.tool === 'eraser' ? '#ffffff' : settings.activeColor);
    if (settings.tool !== 'brush' && settings.tool !== 'eraser') this.cursor.visible(false);
    this.uiLayer.batchDraw();
    this.refreshCursor();
  }

  /** Draws the label document: appends the new shape when one was added, otherwise rebuilds the layer. */
  renderLabel(label: LabelContent): void {
    const previous = this.rendered;
    this.rendered = label;
    if (previous && isOneStrokeAppended(previous, label)) {
      const node = this.strokeNode(label.strokes[label.strokes.length - 1]);
      this.nodes.stroke.push(node);
      this.annotationLayer.add(node);
    } else {
      this.annotationLayer.destroyChildren();
      this.nodes = {
        stroke: label.strokes.map((stroke) => this.strokeNode(stroke)),
        polygon: label.polygons.map((polygon) => this.polygonNode(polygon.points, polygon.class)),
        point: label.points.map((point) => this.pointNode(point.x, point.y, point.class)),
      };
      this.annotationLayer.add(...this.nodes.stroke, ...this.nodes.polygon, ...this.nodes.point);
    }
    if (this.selected && !shapeExists(label, this.selected)) this.selected = null;
    this.drawSelection(0, 0);
    this.annotationLayer.batchDraw();
  }

  /** Outlines the selected shape (null: none). */
  setSelection(shape: ShapeRef | null): void {
    this.selected = shape && this.rendered && shapeExists(this.rendered, shape) ? shape : null;
    this.drawSelection(0, 0);
  }

  /** Lets the active tool handle a key (Enter closes a polygon, Delete removes the selected shape); true when used. */
  keyDown(key: string): boolean {
    return this.activeTool().keyDown?.(this, key) ?? false;
  }

  /** Shows the whole image. */
  fit(): void {
    this.setViewport(fitToScreen(this.size, this.containerSize()));
    this.fitted = true;
  }

  /** Zooms by a factor around the container centre (keyboard +/−). */
  zoomBy(factor: number): void {
    const size = this.containerSize();
    this.setViewport(zoomAround(this.view, { x: size.width / 2, y: size.height / 2 }, factor));
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
    if (held) this.cursor.visible(false);
    this.refreshCursor();
  }

  /** Removes the listeners and the Konva stage. */
  destroy(): void {
    this.detach();
    this.stage.destroy();
  }

  private activeTool(): CanvasToolModule {
    return this.tools.byName[this.settings.tool];
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
    const dblclick = () => this.activeTool().doubleClick?.(this);
    const auxclick = (event: MouseEvent) => event.button === 1 && event.preventDefault();
    const listeners: [string, EventListener][] = [
      ['pointerdown', down as EventListener],
      ['pointermove', move as EventListener],
      ['pointerup', up as EventListener],
      ['pointercancel', up as EventListener],
      ['pointerleave', leave],
      ['dblclick', dblclick],
      ['auxclick', auxclick as EventListener],
    ];
    for (const [type, listener] of listeners) target.addEventListener(type, listener);
    target.addEventListener('wheel', wheel, { passive: false });
    return () => {
      for (const [type, listener] of listeners) target.removeEventListener(type, listener);
      target.removeEventListener('wheel', wheel);
    };
  }

  /** The event as tools see it. */
  private toolPointer(event: PointerEvent): ToolPointer {
    const screen = this.screenPoint(event);
    const image = screenToImage(this.view, screen);
    // Coalesced events keep fast strokes smooth when the browser batches pointer moves per frame.
    const coalesced = event.type === 'pointermove' && typeof event.getCoalescedEvents === 'function' ? event.getCoalescedEvents() : [];
    const samples = coalesced.length > 0 ? coalesced.map((sample) => screenToImage(this.view, this.screenPoint(sample))) : [image];
    return { screen, image, pointerId: event.pointerId, button: event.button, samples };
  }

  /** Pointer position relative to the container, in screen (stage) pixels. */
  private screenPoint(event: MouseEvent): Point {
    const rect = this.container.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  /** Wheel: zooms around the cursor. */
  private onWheel(event: WheelEvent): void {
    event.preventDefault();
    this.setViewport(zoomAround(this.view, this.screenPoint(event), wheelZoomFactor(event.deltaY, event.deltaMode)));
  }

  /** Middle button or space + left button pans with any tool; otherwise the active tool takes the event. */
  private onPointerDown(event: PointerEvent): void {
    const wantsPan = event.button === 1 || (event.button === 0 && this.spaceHeld);
    if (wantsPan) event.preventDefault();
    this.dragTool = wantsPan ? this.tools.pan : this.activeTool();
    this.dragTool.pointerDown(this, this.toolPointer(event));
  }

  private onPointerMove(event: PointerEvent): void {
    const pointer = this.toolPointer(event);
    this.callbacks.onPointerImagePosition(pointer.image);
    (this.dragTool ?? this.activeTool()).pointerMove(this, pointer);
  }

  private onPointerUp(event: PointerEvent): void {
    if (this.container.hasPointerCapture(event.pointerId)) this.container.releasePointerCapture(event.pointerId);
    const tool = this.dragTool ?? this.activeTool();
    this.dragTool = null;
    tool.pointerUp(this, this.toolPointer(event));
  }

  /** Draws the dashed box around the selected shape, shifted by (dx, dy) while it is dragged. */
  private drawSelection(dx: number, dy: number): void {
    const shape = this.selected;
    if (!shape || !this.rendered || !shapeExists(this.rendered, shape)) {
      this.selectionOutline.visible(false);
    } else {
      const pad = (POINT_MARKER_RADIUS + 3) / this.view.scale;
      const [x0, y0, x1, y1] = shapeBox(this.rendered, shape);
      this.selectionOutline.setAttrs({ x: x0 - pad + dx, y: y0 - pad + dy, width: x1 - x0 + 2 * pad, height: y1 - y0 + 2 * pad, visible: true });
    }
    this.uiLayer.batchDraw();
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
    return new Konva.Circle({ x, y, radius: POINT_MARKER_RADIUS / this.view.scale, fill: this.settings.colorOfClass(className), stroke: '#fff', strokeWidth: 1.5, strokeScaleEnabled: false, listening: false, name: 'point-marker' });
  }

  /** Point markers keep a constant on-screen size whatever the zoom. */
  private resizePointMarkers(): void {
    for (const node of this.annotationLayer.find('.point-marker')) (node as Konva.Circle).radius(POINT_MARKER_RADIUS / this.view.scale);
    if (this.selected) this.drawSelection(0, 0);
  }
}

/** Whether `next` is `previous` plus exactly one stroke at the end (everything else the same objects). */
function isOneStrokeAppended(previous: LabelContent, next: LabelContent): boolean {
  if (next.points !== previous.points || next.polygons !== previous.polygons) return false;
  if (next.strokes.length !== previous.strokes.length + 1) return false;
  return previous.strokes.every((stroke, index) => next.strokes[index] === stroke);
}
