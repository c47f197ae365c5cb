import { describe, expect, it } from 'vitest';
import type { LabelContent, Stroke } from '../../../../../frontend/src/lib/api/types.js';
import { annotationCount, deleteShape, eraseWith, hitTest, isStrokeErased, moveShape, withoutIdleErasers } from '../../../../../frontend/src/lib/canvas/shapes.js';

const brush = (points: number[], width = 4, cls = 'pore'): Stroke => ({ class: cls, width, points });
const eraser = (points: number[], width = 4): Stroke => ({ class: 'pore', width, points, tool: 'eraser' });
const label = (parts: Partial<LabelContent>): LabelContent => ({ strokes: [], points: [], polygons: [], class: null, rating: null, ...parts });

describe('hit-testing shapes', () => {
  const doc = label({
    strokes: [brush([10, 10, 50, 10]), eraser([30, 0, 30, 20], 6)],
    polygons: [{ class: 'solid', points: [60, 60, 90, 60, 90, 90] }],
    points: [{ class: 'pore', x: 20, y: 40 }],
  });

  it('finds a stroke within half its width (plus the tolerance) of its line, not where an eraser cut it', () => {
    expect(hitTest(doc, { x: 15, y: 11.5 }, 0, 3)).toEqual({ kind: 'stroke', index: 0 });
    expect(hitTest(doc, { x: 15, y: 14 }, 0, 3)).toBeNull();
    expect(hitTest(doc, { x: 15, y: 14 }, 2.5, 3)).toEqual({ kind: 'stroke', index: 0 });
    expect(hitTest(doc, { x: 30, y: 10 }, 0, 3)).toBeNull();
  });

  it('finds polygons inside and points within their marker, points first', () => {
    expect(hitTest(doc, { x: 85, y: 70 }, 0, 3)).toEqual({ kind: 'polygon', index: 0 });
    expect(hitTest(doc, { x: 65, y: 85 }, 0, 3)).toBeNull();
    expect(hitTest(doc, { x: 22, y: 41 }, 0, 3)).toEqual({ kind: 'point', index: 0 });
    const pointOnPolygon = { ...doc, points: [{ class: 'pore', x: 85, y: 70 }] };
    expect(hitTest(pointOnPolygon, { x: 85, y: 70 }, 0, 3)).toEqual({ kind: 'point', index: 0 });
  });
});

describe('moving and deleting shapes', () => {
  it('moves a polygon and a point by the drag, in 1/100 pixel', () => {
    const doc = label({ polygons: [{ class: 'solid', points: [0, 0, 10, 0, 10, 10] }], points: [{ class: 'pore', x: 1, y: 2 }] });
    expect(moveShape(doc, { kind: 'polygon', index: 0 }, 5, -1.234).polygons[0].points).toEqual([5, -1.23, 15, -1.23, 15, 8.77]);
    expect(moveShape(doc, { kind: 'point', index: 0 }, 1, 1).points[0]).toEqual({ class: 'pore', x: 2, y: 3 });
    expect(doc.points[0]).toEqual({ class: 'pore', x: 1, y: 2 });
  });

  it('puts a moved stroke on top (the newest) and drops erasers that then cut nothing', () => {
    const doc = label({ strokes: [brush([0, 0, 20, 0]), eraser([10, -5, 10, 5]), brush([0, 50, 20, 50], 4, 'solid')] });
    const moved = moveShape(doc, { kind: 'stroke', index: 0 }, 0, 100);
    expect(moved.strokes.map((s) => s.points)).toEqual([[0, 50, 20, 50], [0, 100, 20, 100]]);
  });

  it('deletes one shape; an eraser that only cut it goes with it', () => {
    const doc = label({ strokes: [brush([0, 0, 20, 0]), eraser([10, -5, 10, 5]), brush([0, 50, 20, 50])], points: [{ class: 'pore', x: 1, y: 1 }] });
    const without = deleteShape(doc, { kind: 'stroke', index: 0 });
    expect(without.strokes).toEqual([brush([0, 50, 20, 50])]);
    expect(deleteShape(doc, { kind: 'point', index: 0 }).points).toEqual([]);
    expect(deleteShape(doc, { kind: 'stroke', index: 1 })).toBe(doc);
  });
});

describe('erasing', () => {
  it('keeps a cutting eraser stroke (pixel-exact for the server) but does not count it', () => {
    const doc = label({ strokes: [brush([0, 10, 100, 10], 6)] });
    const erased = eraseWith(doc, eraser([50, 0, 50, 20], 8));
    expect(erased?.strokes).toHaveLength(2);
    expect(erased?.strokes[1].tool).toBe('eraser');
    expect(annotationCount(doc)).toBe(1);
    expect(annotationCount(erased!)).toBe(1);
  });

  it('removes a stroke erased completely, and the erasers with it', () => {
    const doc = label({ strokes: [brush([10, 10, 20, 10], 2)] });
    const erased = eraseWith(doc, eraser([5, 10, 25, 10], 8));
    expect(erased?.strokes).toEqual([]);
    expect(annotationCount(erased!)).toBe(0);
  });

  it('needs every pixel: a stroke erased in two passes goes only after the second', () => {
    const doc = label({ strokes: [brush([10, 10, 30, 10], 2)] });
    const half = eraseWith(doc, eraser([0, 10, 20, 10], 8))!;
    expect(half.strokes).toHaveLength(2);
    expect(isStrokeErased(half, 0)).toBe(false);
    const whole = eraseWith(half, eraser([20, 10, 40, 10], 8))!;
    expect(whole.strokes).toEqual([]);
  });

  it('removes points under the eraser and polygons erased completely; an eraser over nothing is no edit', () => {
    const doc = label({ points: [{ class: 'pore', x: 50, y: 50 }, { class: 'pore', x: 90, y: 90 }], polygons: [{ class: 'solid', points: [0, 0, 4, 0, 4, 4] }] });
    const erased = eraseWith(doc, eraser([50, 45, 50, 55], 4))!;
    expect(erased.points).toEqual([{ class: 'pore', x: 90, y: 90 }]);
    expect(erased.strokes).toEqual([]);
    expect(eraseWith(doc, eraser([200, 200, 210, 200], 4))).toBeNull();
    expect(eraseWith(doc, eraser([0, 2, 5, 2], 12))?.polygons).toEqual([]);
    expect(eraseWith(doc, eraser([0, 0, 1, 0], 2))).toBeNull();
  });

  it('counts pixels on the image only (a stroke hanging off the edge goes when its on-image part is erased)', () => {
    const doc = label({ strokes: [brush([-10, 2, 6, 2], 2)] });
    const image = { width: 50, height: 50 };
    expect(eraseWith(doc, eraser([0, 2, 8, 2], 6), image)?.strokes).toEqual([]);
    expect(eraseWith(doc, eraser([0, 2, 8, 2], 6))?.strokes).toHaveLength(2);
  });

  it('drops erasers made idle, keeps those still cutting a stroke before them', () => {
    const idle = label({ strokes: [eraser([0, 0, 10, 0]), brush([0, 0, 10, 0])] });
    expect(withoutIdleErasers(idle).strokes).toEqual([brush([0, 0, 10, 0])]);
    const cutting = label({ strokes: [brush([0, 0, 10, 0]), eraser([0, 0, 10, 0])] });
    expect(withoutIdleErasers(cutting)).toBe(cutting);
  });
});
