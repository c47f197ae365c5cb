import { describe, expect, it } from 'vitest';
import { createBrushTool } from '../../../../../../frontend/src/lib/canvas/tools/brush.js';
import { createEraserTool } from '../../../../../../frontend/src/lib/canvas/tools/eraser.js';
import { createPanTool } from '../../../../../../frontend/src/lib/canvas/tools/pan.js';
import { createPointTool } from '../../../../../../frontend/src/lib/canvas/tools/point.js';
import { createPolygonTool } from '../../../../../../frontend/src/lib/canvas/tools/polygon.js';
import { createSelectTool } from '../../../../../../frontend/src/lib/canvas/tools/select.js';
import { at, fakeHost } from './fake-host.js';

describe('brush and eraser tools', () => {
  it('commit one stroke per drag, painted or erasing, and ignore other buttons', () => {
    for (const [tool, kind] of [[createBrushTool(), 'paint'], [createEraserTool(), 'erase']] as const) {
      const host = fakeHost();
      tool.pointerDown(host, at(host, { x: 1, y: 2 }, 1, 2));
      tool.pointerDown(host, at(host, { x: 1, y: 2 }));
      tool.pointerMove(host, at(host, { x: 5, y: 2 }));
      tool.pointerMove(host, at(host, { x: 5, y: 9 }, 7));
      tool.pointerUp(host, at(host, { x: 5, y: 2 }));
      expect(host.calls).toEqual([`stroke ${kind} 1,2,5,2`]);
    }
  });

  it('drop a half-drawn stroke when another tool is chosen', () => {
    const tool = createBrushTool();
    const host = fakeHost();
    tool.pointerDown(host, at(host, { x: 1, y: 2 }));
    tool.deactivate?.(host);
    tool.pointerUp(host, at(host, { x: 3, y: 2 }));
    expect(host.calls).toEqual([]);
  });
});

describe('point tool', () => {
  it('places a point at the click, in 1/100 pixel', () => {
    const tool = createPointTool();
    const host = fakeHost();
    tool.pointerDown(host, at(host, { x: 3.14159, y: 2.71828 }));
    expect(host.calls).toEqual(['point 3.14,2.72']);
  });
});

describe('polygon tool', () => {
  it('closes on a click near the first vertex (screen pixels) or on Enter, needs three vertices, drops on Escape', () => {
    const tool = createPolygonTool();
    const host = fakeHost();
    for (const p of [{ x: 0, y: 0 }, { x: 10, y: 0 }]) tool.pointerDown(host, at(host, p));
    expect(tool.keyDown?.(host, 'Enter')).toBe(true);
    expect(host.calls).toEqual([]);
    for (const p of [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }, { x: 2, y: 1 }]) tool.pointerDown(host, at(host, p));
    // (2, 1) is √5·2 ≈ 4.5 screen pixels from the first vertex at scale 2: it closes the polygon.
    expect(host.calls).toEqual(['polygon 0,0,10,0,10,10']);
    expect(host.preview).toEqual([]);
    tool.pointerDown(host, at(host, { x: 50, y: 50 }));
    expect(tool.keyDown?.(host, 'Escape')).toBe(true);
    expect(tool.vertices).toEqual([]);
  });

  it('leaves Enter and Escape to the page when no polygon is open', () => {
    const tool = createPolygonTool();
    const host = fakeHost();
    expect(tool.keyDown?.(host, 'Enter')).toBe(false);
    expect(tool.keyDown?.(host, 'Escape')).toBe(false);
    tool.pointerDown(host, at(host, { x: 0, y: 0 }));
    tool.pointerDown(host, at(host, { x: 10, y: 0 }));
    tool.pointerDown(host, at(host, { x: 10, y: 10 }));
    expect(tool.keyDown?.(host, 'Enter')).toBe(true);
    expect(host.calls).toEqual(['polygon 0,0,10,0,10,10']);
    expect(tool.keyDown?.(host, 'Enter')).toBe(false);
  });
});

describe('pan tool', () => {
  it('moves the view by the drag in screen pixels', () => {
    const tool = createPanTool();
    const host = fakeHost();
    const start = at(host, { x: 0, y: 0 });
    tool.pointerDown(host, start);
    expect(tool.dragging).toBe(true);
    tool.pointerMove(host, { ...start, screen: { x: start.screen.x + 30, y: start.screen.y - 5 } });
    tool.pointerUp(host, start);
    expect(host.viewport).toEqual({ scale: 2, offsetX: 40, offsetY: 15 });
    expect(tool.dragging).toBe(false);
  });
});

describe('select tool', () => {
  const label = { strokes: [{ class: 'pore', width: 4, points: [10, 10, 40, 10] }], points: [{ class: 'solid', x: 70, y: 70 }], polygons: [] };

  it('selects the shape under a click, moves it by a drag and deletes it with Delete', () => {
    const tool = createSelectTool();
    const host = fakeHost(label);
    tool.pointerDown(host, at(host, { x: 20, y: 11 }));
    tool.pointerMove(host, at(host, { x: 25, y: 15 }));
    expect(host.moved).toEqual([5, 4]);
    tool.pointerUp(host, at(host, { x: 25, y: 15 }));
    expect(host.moved).toEqual([0, 0]);
    expect(tool.keyDown?.(host, 'Delete')).toBe(true);
    expect(host.calls).toEqual(['select stroke:0', 'move stroke:0 5,4', 'delete stroke:0']);
  });

  it('a click without a drag only selects; a click on nothing clears; keys do nothing without a selection', () => {
    const tool = createSelectTool();
    const host = fakeHost(label);
    tool.pointerDown(host, at(host, { x: 70.5, y: 70 }));
    tool.pointerMove(host, at(host, { x: 70.6, y: 70 }));
    tool.pointerUp(host, at(host, { x: 70.6, y: 70 }));
    tool.pointerDown(host, at(host, { x: 90, y: 30 }));
    expect(tool.keyDown?.(host, 'Backspace')).toBe(false);
    expect(host.calls).toEqual(['select point:0', 'select none']);
  });
});
