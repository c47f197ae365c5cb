// Point: one click places a point of the active class (a keypoint, as Label Studio's keypoint tool).
import { roundCoordinate } from '../label-document.js';
import type { CanvasToolModule } from './tool.js';

export function createPointTool(): CanvasToolModule {
  return {
    name: 'point',
    cursor: () => 'crosshair',
    pointerDown(host, pointer) {
      if (pointer.button !== 0 || !host.hasImage) return;
      host.edits.onPoint(roundCoordinate(pointer.image.x), roundCoordinate(pointer.image.y));
    },
    pointerMove() {},
    pointerUp() {},
  };
}
