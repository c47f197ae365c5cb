// Pan: drags the view (also used by the canvas for the middle button and space + drag with any tool).
import { panBy, type Point, type Viewport } from '../viewport.js';
import type { CanvasToolModule } from './tool.js';

export interface PanTool extends CanvasToolModule {
  /** Whether a drag is under way. */
  readonly dragging: boolean;
}

export function createPanTool(): PanTool {
  let start: { pointer: Point; viewport: Viewport; pointerId: number } | null = null;
  return {
    name: 'pan',
    get dragging() {
      return start !== null;
    },
    cursor: () => (start ? 'grabbing' : 'grab'),
    pointerDown(host, pointer) {
      // The right button keeps its context menu.
      if (pointer.button === 2) return;
      host.capturePointer(pointer.pointerId);
      start = { pointer: pointer.screen, viewport: host.viewport, pointerId: pointer.pointerId };
      host.refreshCursor();
    },
    pointerMove(host, pointer) {
      if (!start || pointer.pointerId !== start.pointerId) return;
      host.setViewport(panBy(start.viewport, pointer.screen.x - start.pointer.x, pointer.screen.y - start.pointer.y));
    },
    pointerUp(host, pointer) {
      if (!start || pointer.pointerId !== start.pointerId) return;
      start = null;
      host.refreshCursor();
    },
    deactivate() {
      start = null;
    },
  };
}
