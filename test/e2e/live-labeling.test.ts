// End-to-end: the labeling page follows the campaign's event stream. Scribbles of two classes are saved and the
// model's prediction appears — and refreshes after the next save — without "Update model now"; a shape from an
// earlier session is selected and deleted after a reload; the eraser never raises the count; `?` opens the shortcut
// sheet; the page holds together at 390 px.
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser.js';
import { ensureFrontendBuilt } from './support/build.js';
import { COATING_PARAMETERS } from './support/fixtures.js';
import { micrographPng } from './support/images.js';
import { apiCaller, collectPageErrors, expectNoSidewaysScroll, NARROW, screenshotter, WIDE } from './support/page-helpers.js';
import { startTwinlab, type RunningTwinlab } from './support/server.js';
import { labelStage } from './support/label-stage.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
/** Training a model on a 2-core machine takes seconds; the wait is for the event, not a timing claim. */
const MODEL_WAIT_MS = 120_000;

interface StoredLabel {
  version: number;
  strokes: { class: string; tool?: string; points: number[] }[];
  points: { class: string; x: number; y: number }[];
  polygons: unknown[];
}

let server: RunningTwinlab;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
let campaignId = 0;
let assetId = 0;

const api = apiCaller(() => server);
const screenshot = screenshotter(() => page, 'live-labeling');

const { stage, stageNumber, pagePointOf, drawStroke } = labelStage(() => page);

async function saved(): Promise<void> {
  await page.keyboard.press('Control+s');
  await page.getByTestId('save-state').getByText(/Saved \(version \d+\)/).waitFor();
}

beforeAll(async () => {
  ensureFrontendBuilt(repositoryRoot);
  server = await startTwinlab(repositoryRoot, 'tl_e2e_live_labeling_0123456789abcdef');
  browser = await launchChromium();
  page = await browser.newPage({ viewport: WIDE });
  // A 404 is expected while no model has predicted the image yet.
  collectPageErrors(page, pageErrors);
  const campaign = await api<{ id: number }>('/api/campaigns', { method: 'POST', body: JSON.stringify({ name: 'Live labeling', parameters: COATING_PARAMETERS }) });
  campaignId = campaign.id;
  const form = new FormData();
  form.append('file', new Blob([await micrographPng(256, 256)], { type: 'image/png' }), 'pores.png');
  assetId = (await api<{ id: number }>(`/api/campaigns/${campaignId}/assets`, { method: 'POST', body: form })).id;
  await page.goto(server.signInUrl);
  await page.getByRole('heading', { name: 'Campaigns', exact: true }).waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('live labeling', () => {
  it('shows the prediction after a save, and its refresh after the next save, without pressing update', async () => {
    await page.goto(`${server.baseUrl}/campaigns/${campaignId}/label/${assetId}`);
    await page.getByText('256 × 256 px').waitFor();
    // The service's default classes, not a copy in the page.
    expect(await page.locator('[role=radiogroup] [data-class]').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-class')))).toEqual(['pore', 'solid']);
    expect(await page.getByTestId('model-summary').textContent()).toContain('No segmentation model yet');
    await page.keyboard.press('1');
    await drawStroke([30, 40], [220, 40]);
    await page.keyboard.press('2');
    await drawStroke([30, 200], [220, 200]);
    await saved();
    await expect.poll(() => stageNumber('data-overlay-model'), { timeout: MODEL_WAIT_MS, interval: 250 }).toBeGreaterThan(0);
    const first = await stageNumber('data-overlay-model');
    await page.getByTestId('model-summary').getByText(`model #${first}`).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('update-model').isEnabled()).toBe(true);
    await screenshot('1440-overlay');
    // The uncertainty map is a toggle (U), drawn in its own colour with its line in the legend.
    await page.keyboard.press('U');
    await expect.poll(() => stageNumber('data-uncertainty-model'), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('show-uncertainty').isChecked()).toBe(true);
    expect(await page.getByTestId('legend').textContent()).toContain('where the model is unsure');
    await screenshot('1440-uncertainty');
    await page.keyboard.press('u');
    await expect.poll(() => stage().getAttribute('data-uncertainty-model')).toBe('');

    await page.keyboard.press('1');
    await drawStroke([30, 120], [120, 120]);
    await saved();
    await expect.poll(() => stageNumber('data-overlay-model'), { timeout: MODEL_WAIT_MS, interval: 250 }).toBeGreaterThan(first);
  }, 2 * MODEL_WAIT_MS + 30_000);

  it('selects a stroke from the earlier session after a reload, deletes it, and saves that', async () => {
    await page.reload();
    await page.getByText('256 × 256 px').waitFor();
    await expect.poll(() => stageNumber('data-annotations')).toBe(3);
    await page.keyboard.press('Shift+V');
    expect(await page.locator('[data-tool=select]').getAttribute('aria-pressed')).toBe('true');
    const onStroke = await pagePointOf(120, 120);
    await page.mouse.click(onStroke.x, onStroke.y);
    await expect.poll(() => stage().getAttribute('data-selection')).toBe('stroke:2');
    await page.keyboard.press('Delete');
    await expect.poll(() => stageNumber('data-annotations')).toBe(2);
    // A drag moves the stroke at the top by 10 px (one undoable edit), then Ctrl+Z puts it back.
    const top = await pagePointOf(100, 40);
    const below = await pagePointOf(100, 50);
    await page.mouse.move(top.x, top.y);
    await page.mouse.down();
    await page.mouse.move(below.x, below.y, { steps: 5 });
    await page.mouse.up();
    await saved();
    const label = await api<StoredLabel>(`/api/assets/${assetId}/label`);
    expect(label.strokes.map((stroke) => stroke.class)).toEqual(['solid', 'pore']);
    expect(Math.abs(label.strokes[1].points[1] - 50)).toBeLessThanOrEqual(1);
    await screenshot('1440-selected');
  });

  it('erases a point without raising the count', async () => {
    await page.keyboard.press('.');
    const spot = await pagePointOf(128, 160);
    await page.mouse.click(spot.x, spot.y);
    await expect.poll(() => stageNumber('data-annotations')).toBe(3);
    await page.keyboard.press('E');
    await drawStroke([118, 160], [138, 160]);
    await expect.poll(() => stageNumber('data-annotations')).toBe(2);
    await saved();
    const label = await api<StoredLabel>(`/api/assets/${assetId}/label`);
    expect(label.points).toEqual([]);
    expect(label.strokes.filter((stroke) => stroke.tool === 'eraser')).toEqual([]);
  });

  it('opens the shortcut sheet on ? and with its button', async () => {
    await page.keyboard.press('?');
    const sheet = page.getByTestId('shortcut-sheet');
    await sheet.getByText('Delete the selected shape').waitFor();
    expect(await sheet.getByText('Select, move and delete shapes').isVisible()).toBe(true);
    await screenshot('1440-shortcuts');
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached' });
    await page.getByTestId('shortcuts-button').click();
    await sheet.waitFor();
    await sheet.getByRole('button', { name: 'Close' }).click();
    await sheet.waitFor({ state: 'detached' });
  });

  it('shows the gallery with progress and holds together at 390 px', async () => {
    expect(await page.getByTestId('label-progress').textContent()).toBe('1 of 1 labeled');
    await page.setViewportSize(NARROW);
    await page.getByTestId('narrow-note').waitFor();
    await expectNoSidewaysScroll(page);
    const box = await stage().boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    expect(box?.height).toBeGreaterThan(300);
    await screenshot('390');
    await page.setViewportSize(WIDE);
    expect(pageErrors).toEqual([]);
  });
});
