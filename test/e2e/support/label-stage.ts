/** The labeling canvas as the e2e tests drive it: its view numbers, image pixels in page coordinates, strokes. */
import type { Locator, Page } from 'playwright-core';

export interface LabelStage {
  stage(): Locator;
  /** A number the stage publishes as a data attribute (scale, offsets, slice index); NaN when empty. */
  stageNumber(attribute: string): Promise<number>;
  /** Page coordinates of an image pixel: stage box origin + s·p + t. */
  pagePointOf(x: number, y: number): Promise<{ x: number; y: number }>;
  /** A mouse stroke from one image pixel to another, in `steps` moves. */
  drawStroke(from: [number, number], to: [number, number], steps?: number): Promise<void>;
}

/** The label stage of the page `page()` returns (read at each call: tests open their page in beforeAll). */
export function labelStage(page: () => Page): LabelStage {
  const stage = () => page().locator('[data-testid=label-stage]');
  async function stageNumber(attribute: string): Promise<number> {
    const value = await stage().getAttribute(attribute);
    return value === null || value === '' ? Number.NaN : Number(value);
  }
  async function pagePointOf(x: number, y: number): Promise<{ x: number; y: number }> {
    const box = await stage().boundingBox();
    if (!box) throw new Error('stage not visible');
    const [scale, offsetX, offsetY] = await Promise.all([stageNumber('data-scale'), stageNumber('data-offset-x'), stageNumber('data-offset-y')]);
    return { x: box.x + x * scale + offsetX, y: box.y + y * scale + offsetY };
  }
  async function drawStroke(from: [number, number], to: [number, number], steps = 10): Promise<void> {
    const start = await pagePointOf(...from);
    const end = await pagePointOf(...to);
    await page().mouse.move(start.x, start.y);
    await page().mouse.down();
    await page().mouse.move(end.x, end.y, { steps });
    await page().mouse.up();
  }
  return { stage, stageNumber, pagePointOf, drawStroke };
}
