// A ToolHost without Konva: records what tools draw and the edits they report.
import type { LabelContent } from '../../../../../../frontend/src/lib/api/types.js';
import type { ShapeRef } from '../../../../../../frontend/src/lib/canvas/shapes.js';
import type { ToolHost, ToolPointer } from '../../../../../../frontend/src/lib/canvas/tools/tool.js';
import { imageToScreen, type Point, type Viewport } from '../../../../../../frontend/src/lib/canvas/viewport.js';

export interface FakeHost extends ToolHost {
  viewport: Viewport;
  label: LabelContent;
  selection: ShapeRef | null;
  calls: string[];
  live: number[] | null;
  preview: number[];
  moved: [number, number];
}

export function fakeHost(label: LabelContent = { strokes: [], points: [], polygons: [] }, viewport: Viewport = { scale: 2, offsetX: 10, offsetY: 20 }): FakeHost {
  const host: FakeHost = {
    viewport,
    imageSize: { width: 100, height: 100 },
    hasImage: true,
    label,
    brushSize: 6,
    activeColor: '#123456',
    selection: null,
    calls: [],
    live: null,
    preview: [],
    moved: [0, 0],
    edits: {
      onStroke: (points, erase) => host.calls.push(`stroke ${erase ? 'erase' : 'paint'} ${points.join(',')}`),
      onPolygon: (points) => host.calls.push(`polygon ${points.join(',')}`),
      onPoint: (x, y) => host.calls.push(`point ${x},${y}`),
      onSelect: (shape) => {
        host.selection = shape;
        host.calls.push(`select ${shape ? `${shape.kind}:${shape.index}` : 'none'}`);
      },
      onMoveShape: (shape, dx, dy) => host.calls.push(`move ${shape.kind}:${shape.index} ${dx},${dy}`),
      onDeleteShape: (shape) => host.calls.push(`delete ${shape.kind}:${shape.index}`),
    },
    capturePointer: () => undefined,
    setViewport: (next) => {
      host.viewport = next;
    },
    beginLiveStroke: (start) => {
      host.live = [start.x, start.y];
    },
    extendLiveStroke: (points) => {
      for (const point of points) host.live?.push(point.x, point.y);
    },
    endLiveStroke: () => {
      const points = host.live;
      host.live = null;
      return points;
    },
    showPolygonPreview: (points) => {
      host.preview = points;
    },
    showBrushCursor: () => undefined,
    showMovePreview: (dx, dy) => {
      host.moved = [dx, dy];
    },
    refreshCursor: () => undefined,
  };
  return host;
}

/** A left-button pointer event at an image point (its screen position from the host's viewport). */
export function at(host: FakeHost, image: Point, pointerId = 1, button = 0): ToolPointer {
  return { image, screen: imageToScreen(host.viewport, image), pointerId, button, samples: [image] };
}
