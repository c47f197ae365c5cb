// The interface every canvas tool implements (as Label Studio's brush, polygon and keypoint tools do): the canvas
// owns the stage, layers and viewport and hands each pointer event and key to the active tool, which works through a
// small host. Tools see no Konva, so their rules are unit-tested with a fake host.
import type { LabelContent } from '../../api/types.js';
import type { ShapeRef } from '../shapes.js';
import type { Point, Size, Viewport } from '../viewport.js';

export type CanvasTool = 'brush' | 'eraser' | 'polygon' | 'point' | 'pan' | 'select';

/** One pointer event as tools see it: where it is on screen (stage pixels) and in image pixels. */
export interface ToolPointer {
  screen: Point;
  image: Point;
  pointerId: number;
  button: number;
  /** Image positions of the events the browser coalesced into this one (fast strokes); [image] when none. */
  samples: Point[];
}

/** What the page is told when a tool finishes an edit (or moves the view). */
export interface ToolEdits {
  onStroke(points: number[], erase: boolean): void;
  onPolygon(points: number[]): void;
  onPoint(x: number, y: number): void;
  onSelect(shape: ShapeRef | null): void;
  onMoveShape(shape: ShapeRef, dx: number, dy: number): void;
  onDeleteShape(shape: ShapeRef): void;
}

/** What the canvas offers tools: the state they read and the feedback they draw. */
export interface ToolHost {
  readonly viewport: Viewport;
  readonly imageSize: Size;
  readonly hasImage: boolean;
  /** The label document as drawn. */
  readonly label: LabelContent;
  readonly brushSize: number;
  readonly activeColor: string;
  /** The selected shape (select tool), or null. */
  readonly selection: ShapeRef | null;
  readonly edits: ToolEdits;
  capturePointer(pointerId: number): void;
  setViewport(viewport: Viewport): void;
  /** Starts the stroke drawn live under the pointer. */
  beginLiveStroke(start: Point, erase: boolean): void;
  /** Extends it (points closer than `minDistance` image pixels to the last are dropped). */
  extendLiveStroke(points: Point[], minDistance: number): void;
  /** Ends it and returns its points, or null when none was being drawn. */
  endLiveStroke(): number[] | null;
  /** Shows the polygon being drawn (flat image points, the pointer last); [] hides it. */
  showPolygonPreview(points: number[]): void;
  /** Shows the brush outline at an image point, or hides it (null). */
  showBrushCursor(at: Point | null): void;
  /** Shows the selected shape shifted by (dx, dy) image pixels while it is dragged. */
  showMovePreview(dx: number, dy: number): void;
  /** Sets the CSS cursor (e.g. after a pan starts or ends). */
  refreshCursor(): void;
}

/** One canvas tool: pointer down/move/up, its cursor, and the keys it handles while active. */
export interface CanvasToolModule {
  readonly name: CanvasTool;
  /** The CSS cursor over the canvas while this tool is active. */
  cursor(host: ToolHost): string;
  pointerDown(host: ToolHost, pointer: ToolPointer): void;
  pointerMove(host: ToolHost, pointer: ToolPointer): void;
  pointerUp(host: ToolHost, pointer: ToolPointer): void;
  /** Handles a key while the tool is active; true when it used it (the page then ignores it). */
  keyDown?(host: ToolHost, key: string): boolean;
  /** Another tool became active: drop anything half-done. */
  deactivate?(host: ToolHost): void;
  /** A double click on the canvas. */
  doubleClick?(host: ToolHost): void;
}
