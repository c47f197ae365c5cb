// Select: a click picks the topmost shape under the pointer (from this session or an earlier one), a drag moves it
// (one edit on release), Delete or Backspace removes it, Escape clears the selection.
import { hitTest, type ShapeRef } from '../shapes.js';
import type { Point } from '../viewport.js';
import type { CanvasToolModule } from './tool.js';

/** Screen pixels of slack around thin shapes when picking, and the least drag that moves a shape. */
export const PICK_TOLERANCE = 4;
export const MOVE_THRESHOLD = 2;
/** On-screen radius of a point marker (the canvas draws them this size at any zoom). */
export const POINT_MARKER_RADIUS = 5;

export function createSelectTool(): CanvasToolModule {
  let drag: { shape: ShapeRef; start: Point; startScreen: Point; pointerId: number; moved: boolean } | null = null;
  return {
    name: 'select',
    cursor: () => (drag?.moved ? 'grabbing' : 'default'),
    pointerDown(host, pointer) {
      if (pointer.button !== 0 || !host.hasImage) return;
      const scale = host.viewport.scale;
      const shape = hitTest(host.label, pointer.image, PICK_TOLERANCE / scale, POINT_MARKER_RADIUS / scale);
      host.edits.onSelect(shape);
      if (!shape) return;
      host.capturePointer(pointer.pointerId);
      drag = { shape, start: pointer.image, startScreen: pointer.screen, pointerId: pointer.pointerId, moved: false };
    },
    pointerMove(host, pointer) {
      if (!drag || pointer.pointerId !== drag.pointerId) return;
      if (!drag.moved && Math.hypot(pointer.screen.x - drag.startScreen.x, pointer.screen.y - drag.startScreen.y) < MOVE_THRESHOLD) return;
      if (!drag.moved) {
        drag.moved = true;
        host.refreshCursor();
      }
      host.showMovePreview(pointer.image.x - drag.start.x, pointer.image.y - drag.start.y);
    },
    pointerUp(host, pointer) {
      if (!drag || pointer.pointerId !== drag.pointerId) return;
      const finished = drag;
      drag = null;
      host.showMovePreview(0, 0);
      host.refreshCursor();
      if (finished.moved) host.edits.onMoveShape(finished.shape, pointer.image.x - finished.start.x, pointer.image.y - finished.start.y);
    },
    keyDown(host, key) {
      if ((key === 'Delete' || key === 'Backspace') && host.selection) {
        host.edits.onDeleteShape(host.selection);
        return true;
      }
      if (key === 'Escape' && host.selection) {
        host.edits.onSelect(null);
        return true;
      }
      return false;
    },
    deactivate(host) {
      drag = null;
      host.showMovePreview(0, 0);
    },
  };
}
