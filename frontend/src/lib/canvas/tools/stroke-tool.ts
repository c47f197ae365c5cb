// What the brush and the eraser share: a stroke drawn live under the pointer and committed as one edit on release.
import type { CanvasTool, CanvasToolModule, ToolHost, ToolPointer } from './tool.js';

/** Screen pixels below which pointer moves are jitter and dropped from a stroke. */
const MIN_SCREEN_STEP = 0.75;

export function createStrokeTool(name: CanvasTool, erase: boolean): CanvasToolModule {
  let pointerId: number | null = null;
  return {
    name,
    cursor: () => 'none',
    pointerDown(host, pointer) {
      if (pointer.button !== 0 || !host.hasImage) return;
      host.capturePointer(pointer.pointerId);
      pointerId = pointer.pointerId;
      host.beginLiveStroke(pointer.image, erase);
    },
    pointerMove(host, pointer) {
      host.showBrushCursor(pointer.image);
      if (pointerId === pointer.pointerId) host.extendLiveStroke(pointer.samples, MIN_SCREEN_STEP / host.viewport.scale);
    },
    pointerUp(host: ToolHost, pointer: ToolPointer) {
      if (pointerId !== pointer.pointerId) return;
      pointerId = null;
      const points = host.endLiveStroke();
      if (points) host.edits.onStroke(points, erase);
    },
    deactivate(host) {
      pointerId = null;
      host.endLiveStroke();
      host.showBrushCursor(null);
    },
  };
}
