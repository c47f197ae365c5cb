// End-to-end (issue 17): a FIB-SEM stack in the labeling workspace. A synthetic 8-slice volume is uploaded through
// the form as a multi-page TIFF with its slice spacing; it is one entry of the image list, opens at its middle slice,
// and the slider, PgUp/PgDn and the address move through it. Scribbles of two classes are saved on one slice (and
// only there), marked on the slider, the model's prediction of the open slice appears, and the volume panel shows the
// 3-D measurements and the estimated slice positions. Screenshots at 1440 and 390 px.
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticFibSemVolume, syntheticVolumeTiff } from '../../backend/demo/fib-sem/index.js';
import { launchChromium } from './support/browser.js';
import { ensureFrontendBuilt } from './support/build.js';
import { COATING_PARAMETERS } from './support/fixtures.js';
import { apiCaller, collectPageErrors, expectNoSidewaysScroll, NARROW, screenshotter, WIDE } from './support/page-helpers.js';
import { startTwinlab, type RunningTwinlab } from './support/server.js';
import { labelStage } from './support/label-stage.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
/** Training and predicting 8 small slices on a 2-core machine takes seconds; the wait is for the event, not a timing claim. */
const MODEL_WAIT_MS = 90_000;
const SIZE = 64;
const DEPTH = 8;
/** The slice a volume opens at: the middle one, ⌊(N − 1)/2⌋. */
const MIDDLE = 3;

interface AssetInfo {
  id: number;
  kind: string;
  depth: number;
  sliceAssetIds: number[];
}

interface StoredLabel {
  version: number;
  strokes: { class: string; points: number[] }[];
}

let server: RunningTwinlab;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
let campaignId = 0;
let volume: AssetInfo;

const api = apiCaller(() => server);
const screenshot = screenshotter(() => page, 'fib-sem-volume');
const { stageNumber, drawStroke } = labelStage(() => page);
const caption = () => page.getByTestId('slice-caption');

/** The open slice: the caption says slice `index + 1`, and the address names that slice's asset. */
async function expectSlice(index: number): Promise<void> {
  await caption().getByText(`Slice ${index + 1} of ${DEPTH}`).waitFor();
  expect(new URL(page.url()).pathname).toBe(`/campaigns/${campaignId}/label/${volume.sliceAssetIds[index]}`);
  expect(await stageNumber('data-slice-index')).toBe(index);
}

beforeAll(async () => {
  ensureFrontendBuilt(repositoryRoot);
  server = await startTwinlab(repositoryRoot, 'tl_e2e_fib_sem_volume_0123456789abcdef');
  browser = await launchChromium();
  page = await browser.newPage({ viewport: WIDE });
  // A 404 is expected while no model has predicted a slice yet.
  collectPageErrors(page, pageErrors);
  campaignId = (await api<{ id: number }>('/api/campaigns', { method: 'POST', body: JSON.stringify({ name: 'Nanoporous gold', parameters: COATING_PARAMETERS }) })).id;
  await page.goto(server.signInUrl);
  await page.getByRole('heading', { name: 'Campaigns', exact: true }).waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('a FIB-SEM volume in the labeling workspace', () => {
  it('uploads a TIFF stack with its slice spacing as one volume, listed once, opened at its middle slice', async () => {
    await page.goto(`${server.baseUrl}/campaigns/${campaignId}/label`);
    await page.getByText('Nothing to label yet').waitFor();
    const stack = syntheticVolumeTiff(syntheticFibSemVolume({ width: SIZE, height: SIZE, depth: DEPTH, featureSizePx: 10, spacingPx: 2, spacingJitter: 0.2, seed: 7 }), 8);
    await page.getByTestId('upload-pixel-size').fill('5');
    await page.getByTestId('upload-slice-spacing').fill('10');
    await screenshot('1440-upload');
    await page.getByTestId('upload-image').setInputFiles({ name: 'npg-stack.tif', mimeType: 'image/tiff', buffer: Buffer.from(stack) });

    await caption().waitFor();
    const listed = await api<{ items: AssetInfo[] }>(`/api/campaigns/${campaignId}/assets`);
    expect(listed.items.map((asset) => [asset.kind, asset.depth])).toEqual([['volume', DEPTH]]);
    volume = listed.items[0];
    await expectSlice(MIDDLE);
    await page.getByText(`${SIZE} × ${SIZE} px`, { exact: true }).waitFor();
    expect(await page.getByTestId('slice-depth').textContent()).toBe('z ≈ 30 nm (nominal)');
    // One entry for the whole stack, with its middle slice as thumbnail.
    const entries = page.getByTestId('image-list-item');
    await expect.poll(() => entries.count()).toBe(1);
    expect(await entries.first().getByTestId('volume-badge').textContent()).toBe(`volume · ${DEPTH} slices`);
    const thumbnail = entries.first().getByTestId('thumbnail');
    expect(await thumbnail.getAttribute('data-asset-id')).toBe(String(volume.sliceAssetIds[MIDDLE]));
    await thumbnail.scrollIntoViewIfNeeded();
    await thumbnail.locator('img').waitFor();
  });

  it('moves through the slices with the keys and the slider, keeping the address in step', async () => {
    await page.keyboard.press('PageDown');
    await expectSlice(4);
    await page.keyboard.press('PageUp');
    await page.keyboard.press('ArrowUp');
    await expectSlice(2);
    await page.getByTestId('slice-slider').fill('1');
    await expectSlice(1);
    await page.getByRole('button', { name: 'Next slice' }).click();
    await expectSlice(2);
    await page.getByRole('button', { name: 'Previous slice' }).click();
    await expectSlice(1);
    // The address alone opens that slice (a reload, a shared link).
    await page.reload();
    await expectSlice(1);
    // The slice keys are on the shortcut sheet.
    await page.keyboard.press('?');
    await page.getByTestId('shortcut-sheet').getByText('Next slice of a volume (deeper)').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcut-sheet').waitFor({ state: 'detached' });
  });

  it('saves scribbles of two classes on the open slice only, and marks that slice on the slider', async () => {
    await page.keyboard.press('1');
    await drawStroke([8, 14], [56, 14]);
    await page.keyboard.press('2');
    await drawStroke([8, 48], [56, 48]);
    await page.keyboard.press('Control+s');
    await page.getByTestId('save-state').getByText(/Saved \(version \d+\)/).waitFor();
    const label = await api<StoredLabel>(`/api/assets/${volume.sliceAssetIds[1]}/label`);
    expect(label.strokes.map((stroke) => stroke.class)).toEqual(['pore', 'solid']);
    expect(await page.getByTestId('slice-mark').evaluateAll((marks) => marks.map((mark) => mark.getAttribute('data-slice-index')))).toEqual(['1']);
    await page.keyboard.press('PageDown');
    await expectSlice(2);
    await expect.poll(() => stageNumber('data-annotations')).toBe(0);
    expect((await api<StoredLabel>(`/api/assets/${volume.sliceAssetIds[2]}/label`)).version).toBe(0);
    await page.keyboard.press('PageUp');
    await expectSlice(1);
    await expect.poll(() => stageNumber('data-annotations')).toBe(2);
    await screenshot('1440-scribbled');
  });

  it('shows the prediction of the open slice and the 3-D measurements once every slice is predicted', async () => {
    // The model updates by itself after the save; its prediction of the open slice follows.
    await expect.poll(() => stageNumber('data-overlay-model'), { timeout: MODEL_WAIT_MS, interval: 250 }).toBeGreaterThan(0);
    const panel = page.getByTestId('volume-measurements');
    await panel.getByTestId('porosity').waitFor({ timeout: MODEL_WAIT_MS });
    const porosity = Number((await panel.getByTestId('porosity').textContent())?.replace(/[^\d.]/g, ''));
    expect(porosity).toBeGreaterThan(0);
    expect(porosity).toBeLessThan(100);
    expect(await panel.textContent()).toMatch(/nm/);
    expect(await panel.textContent()).toContain('at the nominal slice spacing');
    // The next slice's prediction is shown there too.
    await page.keyboard.press('PageDown');
    await expectSlice(2);
    await expect.poll(() => stageNumber('data-overlay-model'), { timeout: MODEL_WAIT_MS, interval: 250 }).toBeGreaterThan(0);
    await page.keyboard.press('PageUp');
    await expectSlice(1);
    await expect.poll(() => stageNumber('data-overlay-model')).toBeGreaterThan(0);
    await panel.scrollIntoViewIfNeeded();
    await screenshot('1440-measurements');
  }, 2 * MODEL_WAIT_MS + 10_000);

  it('estimates the slice positions and shows the spacing found', async () => {
    await page.getByTestId('estimate-positions').click();
    await page.getByTestId('estimated-spacing').waitFor();
    expect(await page.getByTestId('slice-depth').textContent()).toMatch(/^z = [\d.]+ nm$/);
    // The measurements are read again at the estimated positions.
    await page.getByTestId('volume-measurements').getByText('at the estimated slice positions').waitFor();
    await screenshot('1440-positions');
  });

  it('holds together at 390 px', async () => {
    await page.setViewportSize(NARROW);
    await page.getByTestId('narrow-note').waitFor();
    await expectNoSidewaysScroll(page);
    const slider = await page.getByTestId('slice-slider').boundingBox();
    expect(slider?.width).toBeGreaterThan(200);
    await screenshot('390');
    await page.setViewportSize(WIDE);
    expect(pageErrors).toEqual([]);
  });
});
