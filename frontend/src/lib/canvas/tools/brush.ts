// Brush: paints a stroke of the active class, width = brush size, committed as one edit on release.
import { createStrokeTool } from './stroke-tool.js';
import type { CanvasToolModule } from './tool.js';

export function createBrushTool(): CanvasToolModule {
  return createStrokeTool('brush', false);
}
