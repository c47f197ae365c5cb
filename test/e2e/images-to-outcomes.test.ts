// End-to-end: images as outcomes in the browser (issue 11, part 8). A campaign declares image measurements; samples
// get SEM-like images; derived results are written through the service layer from a fabricated segmentation result
// (no training in a browser test), then Chromium checks the thumbnails, "value ± std" with the "from images (model #n)"
// badge, a measured value taking precedence, and that a thumbnail opens the labeling workspace on its image.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../backend/config.js';
import { openDatabase } from '../../backend/db/client.js';
import { sqliteStore } from '../../backend/db/sqlite-store.js';
import { createJobQueue } from '../../backend/jobs/open-queue.js';
import type { Store } from '../../backend/db/store.js';
import type { ServiceContext } from '../../backend/services/context.js';
import { deriveSegmentationResults, type MeasuredImage } from '../../backend/services/image-measurements.js';
import { launchChromium } from './support/browser.js';
import { ensureFrontendBuilt } from './support/build.js';
import { micrographPng } from './support/images.js';
import { expectNoSidewaysScroll, NARROW, WIDE } from './support/page-helpers.js';
import { startTwinlab, type RunningTwinlab } from './support/server.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const screenshotDir = join(repositoryRoot, 'test', 'e2e', 'screenshots');
/** Physical size of one pixel of the test images (nm), sent with each upload. */
const PIXEL_NM = 2;

interface StoredResult {
  id: number;
  sampleId: number;
  source: string;
  outcomes: Record<string, number>;
  std: Record<string, number> | null;
  modelId: number | null;
  supersededAt: string | null;
}

let server: RunningTwinlab;
let browser: Browser;
let page: Page;
let database: Store | undefined;
let ctx: ServiceContext;
const pageErrors: string[] = [];
let campaignId = 0;
const sampleIds: Record<string, number> = {};
/** Asset ids by the externalId of the sample the image shows. */
const assetIds: Record<string, number> = {};
let firstModelId = 0;
let secondModelId = 0;

/** Calls the API directly (as a script would) with the admin token; fails on a non-2xx answer. */
async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers: Record<string, string> = { Authorization: `Bearer ${server.token}` };
  if (!(init.body instanceof FormData)) headers['Content-Type'] = 'application/json';
  const response = await fetch(server.baseUrl + path, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** Uploads a generated micrograph attached to a sample, with its pixel size. */
async function uploadImageOf(externalId: string, seed: number): Promise<number> {
  const form = new FormData();
  form.append('externalId', externalId);
  form.append('pixelSize', String(PIXEL_NM));
  form.append('pixelUnit', 'nm');
  form.append('file', new Blob([new Uint8Array(await micrographPng(320 + seed * 16, 240))], { type: 'image/png' }), `sem-${externalId}.png`);
  const asset = await api<{ id: number; sampleId: number | null }>(`/api/campaigns/${campaignId}/assets`, { method: 'POST', body: form });
  expect(asset.sampleId).toBe(sampleIds[externalId]);
  return asset.id;
}

/**
 * What a segmentation job of one model would have measured on the given images (values in nm, as measured with the
 * images' pixel size): pore diameter and porosity per image, with the ensemble members' values.
 */
function fabricatedJobImages(externalIds: string[], diameterShift: number): MeasuredImage[] {
  return externalIds.map((externalId, index) => ({
    assetId: assetIds[externalId],
    meanEntropy: 0.2,
    meanMutualInformation: 0.02,
    classFractions: [0.4, 0.6],
    measurements: {
      pore_diameter: { value: 31 + index + diameterShift, members: [29 + index + diameterShift, 31 + index + diameterShift, 33 + index + diameterShift], quantity: 'mean-equivalent-diameter', class: 'pore' },
      porosity: { value: 0.41, members: [0.39, 0.43], quantity: 'area-fraction', class: 'pore' },
    },
  }));
}

/** Registers a segmentation model (no artifact: nothing predicts with it here) and derives results from its "job". */
async function deriveWithNewModel(externalIds: string[], diameterShift: number): Promise<number> {
  const model = await ctx.db.insertModel({ campaignId, kind: 'segmentation', architecture: {}, metrics: {}, trainingSnapshot: {} });
  const payload = { images: externalIds.map((externalId) => ({ assetId: assetIds[externalId], pixelSize: PIXEL_NM })) };
  const summary = await deriveSegmentationResults(ctx, campaignId, { modelId: model.id, payload, images: fabricatedJobImages(externalIds, diameterShift) });
  expect(summary.written).toBe(externalIds.length);
  return model.id;
}

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir, `images-${name}.png`), fullPage: true });
}

/** The thumbnails of a sample's row in the samples table. */
const sampleGroup = (externalId: string) => page.locator(`tbody.sample-group[data-sample-id="${sampleIds[externalId]}"]`);

/** Waits until an <img> inside the locator has decoded (a real picture, not the placeholder). */
async function waitForThumbnailImage(selector: string): Promise<void> {
  const decoded = `(() => { const image = document.querySelector(${JSON.stringify(selector)}); return image !== null && image.complete && image.naturalWidth > 0; })()`;
  await expect.poll(() => page.evaluate<boolean>(decoded), { timeout: 15_000 }).toBe(true);
}

beforeAll(async () => {
  mkdirSync(screenshotDir, { recursive: true });
  ensureFrontendBuilt(repositoryRoot);
  server = await startTwinlab(repositoryRoot, 'tl_e2e_images_token_0123456789abcdef');
  browser = await launchChromium();
  page = await browser.newPage({ viewport: WIDE });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) pageErrors.push(message.text());
  });

  const campaign = await api<{ id: number; imageMeasurements: unknown[] }>('/api/campaigns', {
    method: 'POST',
    body: JSON.stringify({
      name: 'Membranes from SEM images',
      parameters: [
        { name: 'polymer', type: 'continuous', min: 10, max: 30, unit: 'wt%' },
        { name: 'bath', type: 'continuous', min: 10, max: 60, unit: 'C' },
      ],
      objectives: [
        { name: 'pore_diameter', goal: 'target', target: 30, tolerance: 3, unit: 'nm' },
        { name: 'porosity', goal: 'maximize' },
      ],
      imageMeasurements: [
        { name: 'pore_diameter', quantity: 'mean-equivalent-diameter', class: 'pore', unit: 'nm' },
        { name: 'porosity', quantity: 'area-fraction', class: 'pore' },
      ],
    }),
  });
  campaignId = campaign.id;
  expect(campaign.imageMeasurements).toHaveLength(2);
  const samples = await api<{ items: { id: number; externalId: string }[] }>(`/api/campaigns/${campaignId}/samples`, {
    method: 'POST',
    body: JSON.stringify([
      { externalId: 'M-1', params: { polymer: 15, bath: 20 } },
      { externalId: 'M-2', params: { polymer: 20, bath: 35 } },
      { externalId: 'M-3', params: { polymer: 25, bath: 50 } },
      { externalId: 'M-4', params: { polymer: 28, bath: 15 } },
    ]),
  });
  for (const sample of samples.items) sampleIds[sample.externalId] = sample.id;
  for (const [index, externalId] of ['M-1', 'M-2', 'M-3'].entries()) assetIds[externalId] = await uploadImageOf(externalId, index);
  // M-2 was also measured by hand: that value is used, the derived one stays beside it.
  await api(`/api/campaigns/${campaignId}/results`, { method: 'POST', body: JSON.stringify([{ externalId: 'M-2', outcomes: { pore_diameter: 30.5 } }]) });

  database = sqliteStore(openDatabase(join(server.dataDir, 'twinlab.sqlite')));
  const config = loadConfig({ TWINLAB_DATA: server.dataDir });
  ctx = { db: database, config, jobs: createJobQueue(database, config) };
  firstModelId = await deriveWithNewModel(['M-1', 'M-2'], 0);
});

afterAll(async () => {
  await ctx?.jobs.close();
  await database?.close();
  await browser?.close();
  await server?.stop();
});

describe('images as outcomes in the browser', () => {
  it('lists the image measurements and shows each sample’s images and derived values with their model', async () => {
    await page.goto(server.signInUrl);
    await page.getByRole('heading', { name: 'Campaigns', exact: true }).waitFor();
    await page.goto(`${server.baseUrl}/campaigns/${campaignId}`);
    await page.getByRole('heading', { name: 'Samples (4)' }).waitFor();
    const measurements = page.getByTestId('image-measurements');
    expect(await measurements.textContent()).toContain('mean equivalent diameter of pore');

    await waitForThumbnailImage(`tbody.sample-group[data-sample-id="${sampleIds['M-1']}"] [data-testid=thumbnail] img`);
    const thumbnail = sampleGroup('M-1').getByTestId('thumbnail');
    expect(await thumbnail.count()).toBe(1);
    expect(await thumbnail.locator('img').getAttribute('alt')).toBe(`Image #${assetIds['M-1']} of sample M-1`);
    // A fixed 40 px box whatever the image's shape (320 × 240 here), so rows line up.
    expect(await thumbnail.evaluate((box) => [box.getBoundingClientRect().width, box.getBoundingClientRect().height])).toEqual([40, 40]);

    // M-1: only the derived value, "± " with two significant digits of its std, marked with the model.
    const m1Values = sampleGroup('M-1').getByTestId('derived-value');
    expect(await m1Values.first().textContent()).toMatch(/^\d+\.\d ± \d\.\d$/);
    expect(await sampleGroup('M-1').getByTestId('derived-badge').textContent()).toBe(`from images (model #${firstModelId})`);
    expect(await sampleGroup('M-1').getByTestId('derived-badge').getAttribute('title')).toContain(`segmentation model #${firstModelId}`);

    // M-2: the measured 30.5 is used; the derived pore diameter is shown beside it, not used.
    const m2Rows = sampleGroup('M-2').locator('tr[data-result-id]');
    expect(await m2Rows.count()).toBe(2);
    expect(await sampleGroup('M-2').getByTestId('set-aside-note').textContent()).toMatch(/^pore_diameter: image analysis: \d+\.\d ± \d\.\d nm, not used: measured value takes precedence$/);
    expect(await sampleGroup('M-2').locator('td.set-aside').count()).toBe(1);
    // Thumbnails load as they scroll into view: M-3's row is below the fold until now.
    await sampleGroup('M-4').scrollIntoViewIfNeeded();
    await waitForThumbnailImage(`tbody.sample-group[data-sample-id="${sampleIds['M-3']}"] [data-testid=thumbnail] img`);
    await screenshot('01-overview-1440');
    await page.setViewportSize(NARROW);
    await page.getByRole('heading', { name: 'Samples (4)' }).scrollIntoViewIfNeeded();
    await expectNoSidewaysScroll(page);
    await screenshot('02-overview-390');
    await page.setViewportSize(WIDE);
  });

  it('opens the labeling workspace on the image when its thumbnail is clicked, and lists each image’s sample', async () => {
    await sampleGroup('M-1').getByTestId('thumbnail').click();
    await page.waitForURL(`**/campaigns/${campaignId}/label/${assetIds['M-1']}`);
    await page.getByTestId('current-image').waitFor();
    expect(await page.getByTestId('current-image').textContent()).toBe(`#${assetIds['M-1']}: sample M-1 · ${PIXEL_NM} nm/px`);
    const current = page.locator(`[data-testid=image-list-item][data-asset-id="${assetIds['M-1']}"]`);
    expect(await current.getByRole('link').getAttribute('aria-current')).toBe('page');
    expect(await page.getByTestId('image-list-item').count()).toBe(3);
    // Opened from a thumbnail, not via Next: the label queue still says why this image is worth labeling.
    await page.getByTestId('queue-reason').waitFor();
    expect(await page.getByTestId('queue-reason').textContent()).toMatch(/^Why this image: .+/);
    // The canvas has the image: its size is in the status bar.
    await page.getByText('320 × 240 px').waitFor();
    expect(await page.getByTestId('image-sample').textContent()).toBe(`sample M-1 · ${PIXEL_NM} nm/px`);
    await page.getByTestId('current-image').scrollIntoViewIfNeeded();
    await screenshot('03-labeling-1440');
  });

  it('uploads an image for a sample picked by its lab id, with its pixel size', async () => {
    await page.getByTestId('upload-sample').fill('M-4');
    await page.getByTestId('upload-pixel-size').fill('2.5');
    await page.getByTestId('upload-image').setInputFiles({ name: 'sem-M-4.png', mimeType: 'image/png', buffer: await micrographPng(300, 220) });
    await page.waitForURL((url) => /\/label\/\d+$/.test(url.pathname) && !url.pathname.endsWith(`/label/${assetIds['M-1']}`));
    assetIds['M-4'] = Number(page.url().split('/').pop());
    await page.getByText(`#${assetIds['M-4']}: sample M-4 · 2.5 nm/px`).waitFor();
    const stored = await api<{ items: { id: number; sampleId: number | null; pixelSize: number | null; pixelUnit: string | null }[] }>(`/api/campaigns/${campaignId}/assets?sampleId=${sampleIds['M-4']}`);
    expect(stored.items.map((asset) => [asset.id, asset.sampleId, asset.pixelSize, asset.pixelUnit])).toEqual([[assetIds['M-4'], sampleIds['M-4'], 2.5, 'nm']]);
    // A wrong pixel size is corrected afterwards, on the open image.
    await page.getByRole('button', { name: 'change' }).click();
    await page.getByRole('form', { name: `Sample and pixel size of image #${assetIds['M-4']}` }).getByLabel('Pixel size').fill('3');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText(`#${assetIds['M-4']}: sample M-4 · 3 nm/px`).waitFor();
    const patched = await api<{ items: { pixelSize: number | null }[] }>(`/api/campaigns/${campaignId}/assets?sampleId=${sampleIds['M-4']}`);
    expect(patched.items.map((asset) => asset.pixelSize)).toEqual([3]);
    await page.setViewportSize(NARROW);
    await expectNoSidewaysScroll(page);
    await screenshot('04-labeling-390');
    await page.setViewportSize(WIDE);
  });

  it('shows a suggested sample’s images on its card, and its derived values once a newer model measured them', async () => {
    await page.goto(`${server.baseUrl}/campaigns/${campaignId}/experiments`);
    await page.getByLabel('How many').fill('2');
    await page.getByLabel('Candidates').selectOption('pool');
    await page.getByRole('button', { name: 'Suggest batch' }).click();
    const cards = page.getByTestId('suggestion');
    await cards.first().waitFor();
    expect(await cards.count()).toBe(2);
    const m3Card = cards.filter({ hasText: 'sample M-3' });
    await m3Card.scrollIntoViewIfNeeded();
    await m3Card.getByTestId('thumbnail').locator('img').waitFor();
    expect(await m3Card.getByTestId('thumbnail').count()).toBe(1);

    // A newer model measures M-1, M-2 and M-3: it supersedes the first model's results.
    secondModelId = await deriveWithNewModel(['M-1', 'M-2', 'M-3'], 0.5);
    const m4Card = cards.filter({ hasText: 'sample M-4' });
    await m4Card.getByRole('button', { name: 'Mark running' }).click();
    await m3Card.getByTestId('derived-badge').first().waitFor();
    // One mark for the block: both values come from the same model.
    expect(await m3Card.getByTestId('derived-badge').allTextContents()).toEqual([`from images (model #${secondModelId})`]);
    expect(await m3Card.getByRole('button', { name: 'Mark running' }).count()).toBe(0);
    expect(await m3Card.getByTestId('derived-value').first().textContent()).toMatch(/^\d+\.\d ± \d\.\d nm$/);
    await screenshot('05-board-1440');
    await page.setViewportSize(NARROW);
    await expectNoSidewaysScroll(page);
    await screenshot('06-board-390');
    await page.setViewportSize(WIDE);

    await m3Card.getByTestId('thumbnail').click();
    await page.waitForURL(`**/campaigns/${campaignId}/label/${assetIds['M-3']}`);
    await page.getByText(`#${assetIds['M-3']}: sample M-3 · ${PIXEL_NM} nm/px`).waitFor();
  });

  it('shows only the newest model’s derived results; the superseded ones stay on record', async () => {
    await page.goto(`${server.baseUrl}/campaigns/${campaignId}`);
    await page.getByRole('heading', { name: 'Samples (4)' }).waitFor();
    await sampleGroup('M-1').getByTestId('derived-badge').waitFor();
    expect(await sampleGroup('M-1').getByTestId('derived-badge').allTextContents()).toEqual([`from images (model #${secondModelId})`]);
    const all = await api<{ items: StoredResult[] }>(`/api/campaigns/${campaignId}/results?includeSuperseded=true`);
    const ofM1 = all.items.filter((result) => result.sampleId === sampleIds['M-1']);
    expect(ofM1.map((result) => [result.modelId, result.supersededAt !== null])).toEqual([
      [firstModelId, true],
      [secondModelId, false],
    ]);
  });

  it('shows a result posted meanwhile without a reload (the campaign’s event stream), taking precedence over the derived value', async () => {
    expect(await sampleGroup('M-1').getByTestId('set-aside-note').count()).toBe(0);
    await api(`/api/campaigns/${campaignId}/results`, { method: 'POST', body: JSON.stringify([{ externalId: 'M-1', outcomes: { porosity: 0.38 } }]) });
    await sampleGroup('M-1').getByTestId('set-aside-note').waitFor();
    expect(await sampleGroup('M-1').getByTestId('set-aside-note').textContent()).toMatch(/^porosity: image analysis: 0\.\d+ ± 0\.\d+, not used: measured value takes precedence$/);
    expect(pageErrors).toEqual([]);
  });

  it('declares image measurements in the campaign form, checked like the server checks them', async () => {
    await page.goto(`${server.baseUrl}/campaigns/new`);
    await page.getByRole('heading', { name: 'New campaign' }).waitFor();
    await page.locator('input[name=name]').fill('Cast membranes');
    await page.locator('#param-0-name').fill('temperature');
    await page.locator('#param-0-min').fill('20');
    await page.locator('#param-0-max').fill('80');
    await page.locator('#objective-0-name').fill('pore_diameter');
    await page.locator('#objective-0-goal').selectOption('target');
    await page.locator('#objective-0-target').fill('30');
    await page.locator('#objective-0-tolerance').fill('3');
    await page.getByRole('button', { name: 'Add image measurement' }).click();
    await page.locator('#measurement-0-name').fill('temperature');
    await page.locator('#measurement-0-quantity').selectOption('mean-equivalent-diameter');
    await page.locator('#measurement-0-class').selectOption('pore');
    await page.locator('#measurement-0-unit').fill('nm');
    await page.getByRole('button', { name: 'Add image measurement' }).click();
    await page.locator('#measurement-1-name').fill('order');
    await page.locator('#measurement-1-quantity').selectOption('hexagonal-order');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.locator('#measurement-0-name-error').waitFor();
    expect(await page.locator('#measurement-0-name-error').textContent()).toBe('"temperature" is a parameter; a measurement is an outcome and needs its own name');
    expect(await page.locator('#measurement-1-class-error').textContent()).toBe('hexagonal order needs a class');
    await screenshot('07-campaign-form-1440');
    await page.setViewportSize(NARROW);
    await expectNoSidewaysScroll(page);
    await page.locator('#measurement-0-name').scrollIntoViewIfNeeded();
    await screenshot('08-campaign-form-390');
    await page.setViewportSize(WIDE);

    await page.locator('#measurement-0-name').fill('pore_diameter');
    await page.locator('#measurement-1-class').selectOption('pore');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByRole('heading', { name: 'Cast membranes' }).waitFor();
    const createdId = Number(/\/campaigns\/(\d+)/.exec(page.url())?.[1]);
    const stored = await api<{ imageMeasurements: unknown[] }>(`/api/campaigns/${createdId}`);
    expect(stored.imageMeasurements).toEqual([
      { name: 'pore_diameter', quantity: 'mean-equivalent-diameter', class: 'pore', unit: 'nm' },
      { name: 'order', quantity: 'hexagonal-order', class: 'pore' },
    ]);
    expect(await page.getByTestId('image-measurements').textContent()).toContain('hexagonal order of pore');
    expect(pageErrors).toEqual([]);
  });
});
