// Pure geometry of the labeling viewport: an image drawn at `scale` with its top-left corner at
// (offsetX, offsetY) in screen (stage) pixels, i.e. screen = image * scale + offset. No Konva, no DOM,
// so the zoom and coordinate math is unit-tested in node.

export interface Point {
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

export interface Viewport {
  scale: number;
  offsetX: number;
  offsetY: number;
}

export interface ZoomLimits {
  minScale: number;
  maxScale: number;
}

export const DEFAULT_ZOOM_LIMITS: ZoomLimits = { minScale: 0.02, maxScale: 64 };

/** Screen position of an image pixel coordinate: s·p + t. */
export function imageToScreen(viewport: Viewport, point: Point): Point {
  return { x: point.x * viewport.scale + viewport.offsetX, y: point.y * viewport.scale + viewport.offsetY };
}

/** Image pixel coordinate under a screen position: (q − t) / s. */
export function screenToImage(viewport: Viewport, point: Point): Point {
  return { x: (point.x - viewport.offsetX) / viewport.scale, y: (point.y - viewport.offsetY) / viewport.scale };
}

/** Clamps a scale into [minScale, maxScale]. */
export function clampScale(scale: number, limits: ZoomLimits = DEFAULT_ZOOM_LIMITS): number {
  return Math.min(limits.maxScale, Math.max(limits.minScale, scale));
}

/**
 * Zooms by `factor` keeping the image point under `anchor` (a screen position) fixed:
 * s' = clamp(s·factor), t' = anchor − (anchor − t)·s'/s.
 */
export function zoomAround(viewport: Viewport, anchor: Point, factor: number, limits: ZoomLimits = DEFAULT_ZOOM_LIMITS): Viewport {
  const scale = clampScale(viewport.scale * factor, limits);
  const ratio = scale / viewport.scale;
  return {
    scale,
    offsetX: anchor.x - (anchor.x - viewport.offsetX) * ratio,
    offsetY: anchor.y - (anchor.y - viewport.offsetY) * ratio,
  };
}

/**
 * Zoom factor for one wheel event: exp(−Δy·k), so equal wheel travel gives equal zoom ratios in either
 * direction (smooth on trackpads, ~±12% per mouse notch of 100 px). Line and page deltas are converted to pixels.
 */
export function wheelZoomFactor(deltaY: number, deltaMode = 0, sensitivity = 0.0012): number {
  const pixels = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 800 : deltaY;
  const clamped = Math.max(-400, Math.min(400, pixels));
  return Math.exp(-clamped * sensitivity);
}

/** Moves the view by a screen-space delta. */
export function panBy(viewport: Viewport, deltaX: number, deltaY: number): Viewport {
  return { scale: viewport.scale, offsetX: viewport.offsetX + deltaX, offsetY: viewport.offsetY + deltaY };
}

/** The viewport that shows the whole image centred in the container with `padding` screen pixels around it. */
export function fitToScreen(image: Size, container: Size, padding = 16, limits: ZoomLimits = DEFAULT_ZOOM_LIMITS): Viewport {
  if (image.width <= 0 || image.height <= 0) throw new RangeError('Image size must be positive');
  const availableWidth = Math.max(1, container.width - 2 * padding);
  const availableHeight = Math.max(1, container.height - 2 * padding);
  const scale = clampScale(Math.min(availableWidth / image.width, availableHeight / image.height), limits);
  return {
    scale,
    offsetX: (container.width - image.width * scale) / 2,
    offsetY: (container.height - image.height * scale) / 2,
  };
}

/** Whether an image coordinate lies on the image (0 ≤ x < width, 0 ≤ y < height). */
export function isInsideImage(point: Point, image: Size): boolean {
  return point.x >= 0 && point.y >= 0 && point.x < image.width && point.y < image.height;
}

/** Clamps an image coordinate onto the image rectangle [0, width] × [0, height]. */
export function clampToImage(point: Point, image: Size): Point {
  return { x: Math.min(image.width, Math.max(0, point.x)), y: Math.min(image.height, Math.max(0, point.y)) };
}
