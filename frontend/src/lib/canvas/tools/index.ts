// One instance of each canvas tool, by name.
import { createBrushTool } from './brush.js';
import { createEraserTool } from './eraser.js';
import { createPanTool, type PanTool } from './pan.js';
import { createPointTool } from './point.js';
import { createPolygonTool } from './polygon.js';
import { createSelectTool } from './select.js';
import type { CanvasTool, CanvasToolModule } from './tool.js';

export type { CanvasTool, CanvasToolModule, ToolEdits, ToolHost, ToolPointer } from './tool.js';

export interface ToolSet {
  byName: Record<CanvasTool, CanvasToolModule>;
  /** The pan tool, also used for middle-button and space + drag panning with any tool. */
  pan: PanTool;
}

export function createTools(): ToolSet {
  const pan = createPanTool();
  return {
    pan,
    byName: { brush: createBrushTool(), eraser: createEraserTool(), polygon: createPolygonTool(), point: createPointTool(), pan, select: createSelectTool() },
  };
}
