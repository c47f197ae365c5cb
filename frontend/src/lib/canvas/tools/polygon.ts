// Polygon: each click adds a vertex; a click on the first vertex, Enter or a double click closes it (three vertices
// at least); Escape drops it.
import { appendPathPoint } from '../label-document.js';
import { imageToScreen } from '../viewport.js';
import type { CanvasToolModule, ToolHost } from './tool.js';

/** Distance in screen pixels within which a click closes the polygon at its first vertex. */
export const POLYGON_CLOSE_DISTANCE = 10;

export interface PolygonTool extends CanvasToolModule {
  /** The vertices placed so far (flat image points). */
  readonly vertices: readonly number[];
}

export function createPolygonTool(): PolygonTool {
  let vertices: number[] = [];
  const cancel = (host: ToolHost) => {
    vertices = [];
    host.showPolygonPreview([]);
  };
  const finish = (host: ToolHost) => {
    if (vertices.length >= 6) host.edits.onPolygon(vertices);
    cancel(host);
  };
  return {
    name: 'polygon',
    get vertices() {
      return vertices;
    },
    cursor: () => 'crosshair',
    pointerDown(host, pointer) {
      if (pointer.button !== 0 || !host.hasImage) return;
      if (vertices.length >= 6) {
        const first = imageToScreen(host.viewport, { x: vertices[0], y: vertices[1] });
        if (Math.hypot(first.x - pointer.screen.x, first.y - pointer.screen.y) <= POLYGON_CLOSE_DISTANCE) return finish(host);
      }
      appendPathPoint(vertices, pointer.image, 0.5 / host.viewport.scale);
      host.showPolygonPreview([...vertices]);
    },
    pointerMove(host, pointer) {
      if (vertices.length > 0) host.showPolygonPreview([...vertices, pointer.image.x, pointer.image.y]);
    },
    pointerUp() {},
    keyDown(host, key) {
      // With no polygon open the key is not the tool's: the page may use it.
      if (vertices.length === 0) return false;
      if (key === 'Enter') {
        finish(host);
        return true;
      }
      if (key === 'Escape') {
        cancel(host);
        return true;
      }
      return false;
    },
    doubleClick: (host) => finish(host),
    deactivate: (host) => cancel(host),
  };
}
