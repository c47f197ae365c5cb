import { describe, expect, it } from 'vitest';
import {
  clampToImage,
  fitToScreen,
  imageToScreen,
  isInsideImage,
  panBy,
  screenToImage,
  wheelZoomFactor,
  zoomAround,
  type Viewport,
} from '../../../../../frontend/src/lib/canvas/viewport.js';

describe('image ↔ screen coordinates', () => {
  const viewport: Viewport = { scale: 2.5, offsetX: 40, offsetY: -12 };

  it('maps an image pixel to s·p + t', () => {
    expect(imageToScreen(viewport, { x: 10, y: 20 })).toEqual({ x: 65, y: 38 });
  });

  it('inverts exactly: screen → image → screen', () => {
    for (const point of [{ x: 0, y: 0 }, { x: 123.4, y: -56.7 }, { x: 4096, y: 2160 }]) {
      const back = imageToScreen(viewport, screenToImage(viewport, point));
      expect(back.x).toBeCloseTo(point.x, 10);
      expect(back.y).toBeCloseTo(point.y, 10);
    }
  });

  it('tells inside from outside and clamps onto the image', () => {
    const image = { width: 100, height: 50 };
    expect(isInsideImage({ x: 99.9, y: 0 }, image)).toBe(true);
    expect(isInsideImage({ x: 100, y: 10 }, image)).toBe(false);
    expect(clampToImage({ x: -5, y: 70 }, image)).toEqual({ x: 0, y: 50 });
  });
});

describe('zoomAround', () => {
  it('keeps the image point under the cursor fixed', () => {
    const before: Viewport = { scale: 1, offsetX: 10, offsetY: 20 };
    const cursor = { x: 300, y: 200 };
    const imagePointUnderCursor = screenToImage(before, cursor);
    const after = zoomAround(before, cursor, 1.5);
    expect(after.scale).toBe(1.5);
    const screenAfter = imageToScreen(after, imagePointUnderCursor);
    expect(screenAfter.x).toBeCloseTo(cursor.x, 10);
    expect(screenAfter.y).toBeCloseTo(cursor.y, 10);
  });

  it('hand-computed case: zoom ×2 around (100, 100) from the identity', () => {
    // t' = a − (a − t)·2 = 100 − 100·2 = −100
    expect(zoomAround({ scale: 1, offsetX: 0, offsetY: 0 }, { x: 100, y: 100 }, 2)).toEqual({ scale: 2, offsetX: -100, offsetY: -100 });
  });

  it('clamps the scale and keeps the anchor fixed at the clamp', () => {
    const limits = { minScale: 0.5, maxScale: 4 };
    const start: Viewport = { scale: 3, offsetX: 0, offsetY: 0 };
    const anchor = { x: 50, y: 60 };
    const after = zoomAround(start, anchor, 10, limits);
    expect(after.scale).toBe(4);
    const fixed = screenToImage(start, anchor);
    expect(imageToScreen(after, fixed).x).toBeCloseTo(anchor.x, 10);
    expect(zoomAround(start, anchor, 0.01, limits).scale).toBe(0.5);
  });

  it('zooming in then out by the same wheel travel returns to the start', () => {
    const start: Viewport = { scale: 0.8, offsetX: 33, offsetY: -7 };
    const anchor = { x: 210, y: 140 };
    const back = zoomAround(zoomAround(start, anchor, wheelZoomFactor(-120)), anchor, wheelZoomFactor(120));
    expect(back.scale).toBeCloseTo(start.scale, 12);
    expect(back.offsetX).toBeCloseTo(start.offsetX, 9);
    expect(back.offsetY).toBeCloseTo(start.offsetY, 9);
  });
});

describe('wheelZoomFactor', () => {
  it('zooms in for negative deltaY and out for positive, reciprocally', () => {
    expect(wheelZoomFactor(-100)).toBeGreaterThan(1);
    expect(wheelZoomFactor(100)).toBeLessThan(1);
    expect(wheelZoomFactor(100) * wheelZoomFactor(-100)).toBeCloseTo(1, 12);
  });

  it('converts line deltas to pixels (16 px per line)', () => {
    expect(wheelZoomFactor(3, 1)).toBeCloseTo(wheelZoomFactor(48, 0), 12);
  });

  it('caps one event so a huge delta cannot jump the zoom', () => {
    expect(wheelZoomFactor(100_000)).toBeCloseTo(Math.exp(-400 * 0.0012), 12);
  });
});

describe('fitToScreen', () => {
  it('fits a wide image to the width and centres it vertically', () => {
    const viewport = fitToScreen({ width: 4000, height: 1000 }, { width: 1032, height: 800 }, 16);
    expect(viewport.scale).toBeCloseTo(0.25, 12);
    expect(viewport.offsetX).toBeCloseTo(16, 9);
    expect(viewport.offsetY).toBeCloseTo((800 - 250) / 2, 9);
  });

  it('fits a tall image to the height', () => {
    const viewport = fitToScreen({ width: 100, height: 400 }, { width: 1000, height: 432 }, 16);
    expect(viewport.scale).toBeCloseTo(1, 12);
    expect(viewport.offsetX).toBeCloseTo(450, 9);
  });

  it('refuses an empty image', () => {
    expect(() => fitToScreen({ width: 0, height: 10 }, { width: 10, height: 10 })).toThrow(RangeError);
  });
});

describe('panBy', () => {
  it('moves the offset by the screen delta without changing the scale', () => {
    expect(panBy({ scale: 3, offsetX: 1, offsetY: 2 }, 10, -5)).toEqual({ scale: 3, offsetX: 11, offsetY: -3 });
  });
});
