// Eraser: a stroke that cuts earlier brush strokes pixel-exactly (the server's segmentation reads eraser strokes the
// same way); the page applies the removal rules of shapes.ts#eraseWith (points under it and shapes erased completely go).
import { createStrokeTool } from './stroke-tool.js';
import type { CanvasToolModule } from './tool.js';

export function createEraserTool(): CanvasToolModule {
  return createStrokeTool('eraser', true);
}
