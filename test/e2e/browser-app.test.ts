// End-to-end: the production build served by the real server, driven in Debian's Chromium.
// One server and one browser page for the whole file; the cases run in order and build on each other
// (sign in → campaign → samples → labeling), like a person working through the app.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser.js';
import { ensureFrontendBuilt } from './support/build.js';
import { micrographPng } from './support/images.js';
import { startTwinlab, type RunningTwinlab } from './support/server.js';
import { COATING_PARAMETERS } from './support/fixtures.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const screenshotDir = join(repositoryRoot, 'test', 'e2e', 'screenshots');
const IMAGE_WIDTH = 640;
const IMAGE_HEIGHT = 480;

interface StoredStroke {
  class: string;
  width: number;
  tool?: string;
  points: number[];
}

interface StoredLabel {
  version: number;
  strokes: StoredStroke[];
  points: { class: string; x: number; y: number }[];
  polygons: { class: string; points: number[] }[];
}

interface Viewport {
  scale: number;
  offsetX: number;
  offsetY: number;
}

let server: RunningTwinlab;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
let campaignId = 0;
let assetId = 0;

/** Calls the API directly (as a script would) with the admin token. */
async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(server.baseUrl + path, { ...init, headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json', ...init.headers } });
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/** The labeling canvas' viewport, as the page publishes it on the stage element. */
async function readViewport(): Promise<Viewport> {
  return page.locator('[data-testid=label-stage]').evaluate((element) => ({
    scale: Number(element.getAttribute('data-scale')),
    offsetX: Number(element.getAttribute('data-offset-x')),
    offsetY: Number(element.getAttribute('data-offset-y')),
  }));
}

/** Page (viewport) coordinates of an image pixel: stage box origin + s·p + t. */
async function pagePointOf(imageX: number, imageY: number): Promise<{ x: number; y: number }> {
  const box = await page.locator('[data-testid=label-stage]').boundingBox();
  if (!box) throw new Error('stage not visible');
  const viewport = await readViewport();
  return { x: box.x + imageX * viewport.scale + viewport.offsetX, y: box.y + imageY * viewport.scale + viewport.offsetY };
}

/** Drags the mouse along a straight line between two image points (a brush stroke). */
async function drawStroke(from: [number, number], to: [number, number]): Promise<void> {
  const start = await pagePointOf(...from);
  const end = await pagePointOf(...to);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(end.x, end.y, { steps: 12 });
  await page.mouse.up();
}

async function strokeCount(): Promise<number> {
  return Number(await page.locator('[data-testid=label-stage]').getAttribute('data-strokes'));
}

/**
 * Alpha of the annotation layer (the third Konva canvas) at an image pixel, read after two animation
 * frames because Konva draws on the next frame. The page-side code is a string: the root tsconfig has no DOM lib.
 */
async function annotationAlphaAt(imageX: number, imageY: number): Promise<number> {
  const viewport = await readViewport();
  const x = imageX * viewport.scale + viewport.offsetX;
  const y = imageY * viewport.scale + viewport.offsetY;
  return page.evaluate<number>(`(async () => {
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const layer = document.querySelectorAll('[data-testid=label-stage] canvas')[2];
    const ratio = layer.width / layer.clientWidth;
    return layer.getContext('2d').getImageData(Math.round(${x} * ratio), Math.round(${y} * ratio), 1, 1).data[3];
  })()`);
}

beforeAll(async () => {
  mkdirSync(screenshotDir, { recursive: true });
  ensureFrontendBuilt(repositoryRoot);
  server = await startTwinlab(repositoryRoot, 'tl_e2e_admin_token_0123456789abcdef');
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    // 4xx answers are part of the cases (a refused import, a 409, a 404 for engines not there yet); anything else is a bug.
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) pageErrors.push(message.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('twinlab in the browser', () => {
  it('signs in through the URL the server printed, stores the token and strips it from the address bar', async () => {
    await page.goto(server.signInUrl);
    await page.getByRole('heading', { name: 'Campaigns', exact: true }).waitFor();
    expect(new URL(page.url()).search).toBe('');
    expect(await page.evaluate<string | null>(`localStorage.getItem('twinlab.token')`)).toBe(server.token);
    expect(await page.getByTestId('who').textContent()).toBe('Admin');
    expect(await page.getByTestId('who').getAttribute('title')).toMatch(/admin token set when the service was started \(TWINLAB_ADMIN_TOKEN\); role admin/);
    await expect(page.getByRole('link', { name: 'Tokens' }).isVisible()).resolves.toBe(true);
    await page.getByText('No campaigns yet').waitFor();
    // Keyboard: the first Tab reaches the skip link, which becomes visible.
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('Skip to content');
    const skipLinkBox = await page.getByRole('link', { name: 'Skip to content' }).boundingBox();
    expect(skipLinkBox?.x).toBeGreaterThanOrEqual(0);
    await screenshot('01-campaigns-empty');
  });

  it('creates a campaign through the form, after showing what is missing', async () => {
    await page.getByRole('link', { name: 'New campaign' }).first().click();
    await page.getByRole('heading', { name: 'New campaign' }).waitFor();
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByText('Name is required').waitFor();
    expect(await page.locator('[aria-invalid=true]').count()).toBeGreaterThan(0);
    // The focus lands on the first invalid field, and its error message is tied to it for screen readers.
    expect(await page.evaluate<string | null>(`document.activeElement.getAttribute('name')`)).toBe('name');
    const describedBy = await page.locator('input[name=name]').getAttribute('aria-describedby');
    expect(await page.locator(`#${describedBy}`).textContent()).toBe('Name is required');

    await page.locator('input[name=name]').fill('PES membranes');
    await page.locator('input[name=labelClasses]').fill('pore, solid');
    await page.locator('#param-0-name').fill('temperature');
    await page.locator('#param-0-min').fill('20');
    await page.locator('#param-0-max').fill('80');
    await page.locator('#param-0-unit').fill('C');
    await page.getByRole('button', { name: 'Add parameter' }).click();
    await page.locator('#param-1-name').fill('polymer');
    await page.locator('#param-1-type').selectOption('categorical');
    await page.locator('#param-1-choices').fill('PES, PSf');
    await page.locator('#objective-0-name').fill('flux');
    await page.getByRole('button', { name: 'Add objective' }).click();
    await page.locator('#objective-1-name').fill('rejection');
    await page.locator('#objective-1-goal').selectOption('target');
    await page.locator('#objective-1-target').fill('0.9');
    await page.locator('#objective-1-tolerance').fill('0.05');
    await screenshot('02-campaign-form');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByRole('heading', { name: 'PES membranes' }).waitFor();

    campaignId = Number(/\/campaigns\/(\d+)/.exec(page.url())?.[1]);
    const stored = await api<{ parameters: unknown[]; objectives: unknown[]; settings: { labelClasses: { name: string }[] } }>(`/api/campaigns/${campaignId}`);
    expect(stored.parameters).toEqual([
      { name: 'temperature', type: 'continuous', min: 20, max: 80, unit: 'C' },
      { name: 'polymer', type: 'categorical', choices: ['PES', 'PSf'] },
    ]);
    expect(stored.objectives).toEqual([
      { name: 'flux', goal: 'maximize' },
      { name: 'rejection', goal: 'target', target: 0.9, tolerance: 0.05 },
    ]);
    expect(stored.settings.labelClasses.map((c) => c.name)).toEqual(['pore', 'solid']);
  });

  it('shows the bad row of a CSV before anything is written, then imports a good file', async () => {
    // Dropped onto the drop zone, as a person would drag it from the file manager.
    const csv = 'temperature,polymer\n25,PES\n95,PVDF\n60,PSf\n';
    const dataTransfer = await page.evaluateHandle(`(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([${JSON.stringify(csv)}], 'candidates.csv', { type: 'text/csv' }));
      return transfer;
    })()`);
    await page.getByTestId('drop-samples').dispatchEvent('dragover', { dataTransfer });
    await page.getByTestId('drop-samples').dispatchEvent('drop', { dataTransfer });
    const badRow = page.getByTestId('invalid-row');
    await badRow.waitFor();
    expect(await badRow.count()).toBe(1);
    expect(await badRow.locator('td').first().textContent()).toBe('3');
    expect(await badRow.textContent()).toContain('temperature: 95 is above the maximum 80');
    expect(await badRow.textContent()).toContain('polymer: "PVDF" is not one of PES, PSf');
    expect(await page.getByTestId('valid-row').count()).toBe(2);
    expect(await page.getByRole('button', { name: 'Fix 1 row to import' }).isDisabled()).toBe(true);
    expect(await page.getByTestId('import-disabled-reason').textContent()).toContain('all-or-nothing');
    await screenshot('03-csv-preview-bad-row');
    expect((await api<{ total: number }>(`/api/campaigns/${campaignId}/samples`)).total).toBe(0);

    // A duplicate externalId passes the browser's checks; the server's per-row error is shown instead.
    const duplicate = 'externalId,temperature,polymer\nM-1,25,PES\nM-1,30,PSf\n';
    await page.locator('#csv-input-samples').setInputFiles({ name: 'duplicate.csv', mimeType: 'text/csv', buffer: Buffer.from(duplicate) });
    await page.getByRole('button', { name: 'Import 2 samples' }).click();
    const serverError = page.getByTestId('server-import-error');
    await serverError.waitFor();
    expect(await serverError.textContent()).toMatch(/Line 3 \(externalId\): "M-1" also appears at line 2/);
    expect((await api<{ total: number }>(`/api/campaigns/${campaignId}/samples`)).total).toBe(0);

    const good = 'externalId,temperature,polymer\nM-1,25,PES\nM-2,60,PSf\nM-3,42.5,PES\n';
    await page.locator('#csv-input-samples').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await page.getByRole('button', { name: 'Import 3 samples' }).click();
    await page.getByText('Imported 3 samples from good.csv.').waitFor();
    await page.getByRole('heading', { name: 'Samples (3)' }).waitFor();
    expect((await api<{ total: number }>(`/api/campaigns/${campaignId}/samples`)).total).toBe(3);
    await screenshot('04-campaign-overview');
  });

  it('uploads an image, draws two strokes of two classes, undoes one, saves, and finds exactly one stroke after reload', async () => {
    await page.getByRole('link', { name: 'Label images' }).click();
    await page.getByText('Nothing to label yet').waitFor();
    await page.getByTestId('upload-image').setInputFiles({ name: 'micrograph.png', mimeType: 'image/png', buffer: await micrographPng(IMAGE_WIDTH, IMAGE_HEIGHT) });
    await page.waitForURL(/\/label\/\d+$/);
    assetId = Number(/\/label\/(\d+)$/.exec(page.url())?.[1]);
    await page.getByText(`${IMAGE_WIDTH} × ${IMAGE_HEIGHT} px`).waitFor();

    await page.keyboard.press('1');
    await drawStroke([100, 100], [300, 100]);
    await page.keyboard.press('2');
    await drawStroke([100, 300], [300, 300]);
    await expect.poll(strokeCount).toBe(2);
    expect(await annotationAlphaAt(200, 300)).toBeGreaterThan(0);
    await screenshot('05-labeling-two-strokes');

    await page.keyboard.press('Control+z');
    await expect.poll(strokeCount).toBe(1);
    expect(await annotationAlphaAt(200, 300)).toBe(0);
    await page.keyboard.press('Control+s');
    await page.getByTestId('save-state').getByText('Saved (version 1)').waitFor();

    await page.reload();
    await page.getByText(`${IMAGE_WIDTH} × ${IMAGE_HEIGHT} px`).waitFor();
    await expect.poll(strokeCount).toBe(1);
    expect(await annotationAlphaAt(200, 100)).toBeGreaterThan(0);
    expect(await annotationAlphaAt(200, 300)).toBe(0);

    const label = await api<StoredLabel>(`/api/assets/${assetId}/label`);
    expect(label.version).toBe(1);
    expect(label.strokes).toHaveLength(1);
    const [stroke] = label.strokes;
    expect(stroke.class).toBe('pore');
    expect(stroke.tool).toBeUndefined();
    const xs = stroke.points.filter((_, index) => index % 2 === 0);
    const ys = stroke.points.filter((_, index) => index % 2 === 1);
    // Mouse positions are whole page pixels, so at the fitted scale an image coordinate is off by < 1/scale.
    const tolerance = 1 / (await readViewport()).scale;
    expect(Math.abs(xs[0] - 100)).toBeLessThanOrEqual(tolerance);
    expect(Math.abs(xs[xs.length - 1] - 300)).toBeLessThanOrEqual(tolerance);
    for (const y of ys) expect(Math.abs(y - 100)).toBeLessThanOrEqual(tolerance);
    await screenshot('06-labeling-after-reload');
  });

  it('zooms around the cursor and stores a new stroke in image pixels', async () => {
    const before = await readViewport();
    const anchor = await pagePointOf(320, 240);
    await page.mouse.move(anchor.x, anchor.y);
    for (let notch = 0; notch < 4; notch++) await page.mouse.wheel(0, -120);
    await expect.poll(async () => (await readViewport()).scale).toBeGreaterThan(before.scale * 1.5);
    const zoomed = await readViewport();
    // The image point under the cursor stayed under the cursor.
    const anchorAfter = await pagePointOf(320, 240);
    expect(Math.abs(anchorAfter.x - anchor.x)).toBeLessThan(0.5);
    expect(Math.abs(anchorAfter.y - anchor.y)).toBeLessThan(0.5);

    await page.keyboard.press('2');
    await drawStroke([300, 230], [340, 230]);
    await expect.poll(strokeCount).toBe(2);
    await page.keyboard.press('Control+s');
    await page.getByTestId('save-state').getByText('Saved (version 2)').waitFor();
    await screenshot('07-labeling-zoomed');

    const label = await api<StoredLabel>(`/api/assets/${assetId}/label`);
    const stroke = label.strokes[1];
    expect(stroke.class).toBe('solid');
    const tolerance = 1 / zoomed.scale;
    expect(Math.abs(stroke.points[0] - 300)).toBeLessThanOrEqual(tolerance);
    expect(Math.abs(stroke.points[1] - 230)).toBeLessThanOrEqual(tolerance);
    expect(Math.abs(stroke.points[stroke.points.length - 2] - 340)).toBeLessThanOrEqual(tolerance);
    // Screen coordinates would be several times larger than the image's 640 × 480 at this zoom.
    expect(Math.max(...stroke.points)).toBeLessThan(IMAGE_WIDTH);
  });

  it('shows a 409 from a concurrent edit and does not overwrite it', async () => {
    const current = await api<StoredLabel>(`/api/assets/${assetId}/label`);
    await api(`/api/assets/${assetId}/label`, { method: 'PUT', body: JSON.stringify({ version: current.version, strokes: current.strokes, points: [{ class: 'pore', x: 10, y: 10 }] }) });
    await page.keyboard.press('f');
    await drawStroke([400, 400], [450, 420]);
    await page.keyboard.press('Control+s');
    const conflict = page.getByTestId('conflict');
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain('Someone else saved this label meanwhile');
    await screenshot('08-labeling-conflict');
    const onServer = await api<StoredLabel>(`/api/assets/${assetId}/label`);
    expect(onServer.version).toBe(current.version + 1);
    expect(onServer.strokes).toHaveLength(2);
    expect(onServer.points).toHaveLength(1);

    await page.getByRole('button', { name: 'Load their version (discard mine)' }).click();
    await expect.poll(strokeCount).toBe(2);
    expect(await page.getByTestId('conflict').count()).toBe(0);
  });

  it('erases with destination-out, places a point and closes a polygon, all stored in image pixels', async () => {
    await page.keyboard.press('e');
    expect(await page.locator('[data-tool=eraser]').getAttribute('aria-pressed')).toBe('true');
    for (let step = 0; step < 3; step++) await page.keyboard.press(']');
    expect(Number(await page.getByTestId('brush-size').textContent())).toBeGreaterThan(16);
    await drawStroke([200, 60], [200, 140]);
    await expect.poll(strokeCount).toBe(3);
    expect(await annotationAlphaAt(200, 100)).toBe(0);
    expect(await annotationAlphaAt(130, 100)).toBeGreaterThan(0);

    await page.keyboard.press('1');
    await page.keyboard.press('.');
    const click = await pagePointOf(500, 400);
    await page.mouse.click(click.x, click.y);
    await page.keyboard.press('p');
    for (const [x, y] of [[420, 60], [560, 60], [560, 160]]) {
      const vertex = await pagePointOf(x, y);
      await page.mouse.click(vertex.x, vertex.y);
    }
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+s');
    await page.getByTestId('save-state').getByText(/Saved \(version \d+\)/).waitFor();
    expect(await annotationAlphaAt(530, 80)).toBeGreaterThan(0);
    await screenshot('09-labeling-eraser-point');

    const label = await api<StoredLabel>(`/api/assets/${assetId}/label`);
    const eraser = label.strokes[2];
    expect(eraser.tool).toBe('eraser');
    expect(Math.abs(eraser.points[0] - 200)).toBeLessThanOrEqual(1 / (await readViewport()).scale);
    const polygons = label.polygons;
    expect(polygons).toHaveLength(1);
    expect(polygons[0].class).toBe('pore');
    const vertices = polygons[0].points;
    expect(vertices).toHaveLength(6);
    [420, 60, 560, 60, 560, 160].forEach((expected, index) => expect(Math.abs(vertices[index] - expected)).toBeLessThanOrEqual(1));
    const point = label.points[label.points.length - 1];
    expect(point.class).toBe('pore');
    expect(Math.abs(point.x - 500)).toBeLessThanOrEqual(1);
    expect(Math.abs(point.y - 400)).toBeLessThanOrEqual(1);
  });

  it('opens the most informative unlabeled image from the queue with its reason, and says when none is left', async () => {
    await page.getByTestId('upload-image').setInputFiles({ name: 'second.png', mimeType: 'image/png', buffer: await micrographPng(320, 240) });
    await page.waitForURL(new RegExp(`/label/(?!${assetId}$)\\d+$`));
    const secondAssetId = Number(/\/label\/(\d+)$/.exec(page.url())?.[1]);
    await page.getByText('320 × 240 px').waitFor();

    // A fresh visit without an image id opens the queue's first image: the unlabeled one, with the reason.
    await page.goto(`${server.baseUrl}/campaigns/${campaignId}/label`);
    await page.waitForURL(new RegExp(`/label/${secondAssetId}$`));
    await page.getByText('320 × 240 px').waitFor();
    expect(await page.getByTestId('queue-reason').textContent()).toMatch(/^Why this image: .+/);
    // Labeled images leave the queue: after this one, nothing is left.
    await page.keyboard.press('n');
    await page.getByText('Nothing left in the queue').waitFor();
    await screenshot('10-labeling-queue-empty');
  });

  it('updates the segmentation model from the labeling page and shows its prediction as an overlay', async () => {
    const images = await api<{ items: { id: number; width: number; height: number }[] }>(`/api/campaigns/${campaignId}/assets`);
    const second = images.items.find((a) => a.id !== assetId)!;
    const current = await api<StoredLabel>(`/api/assets/${second.id}/label`);
    await api(`/api/assets/${second.id}/label`, {
      method: 'PUT',
      body: JSON.stringify({ version: current.version, strokes: [{ class: 'pore', width: 6, points: [20, 20, 80, 20] }, { class: 'solid', width: 6, points: [20, 200, 80, 200] }], points: [], polygons: [] }),
    });
    await page.goto(`${server.baseUrl}/campaigns/${campaignId}/label/${second.id}`);
    await page.getByText('No model prediction for this image yet.').waitFor();
    await page.getByTestId('update-model').click();
    await page.getByText('No model prediction for this image yet.').waitFor({ state: 'detached', timeout: 120_000 });
    expect(await page.getByRole('slider', { name: /Model overlay opacity/ }).isEnabled()).toBe(true);
    await screenshot('11-labeling-model-overlay');
    const segmentation = () => api<{ model: { kind: string } | null; images: { assetId: number }[] }>(`/api/campaigns/${campaignId}/segmentation`);
    expect((await segmentation()).model?.kind).toBe('segmentation');
    // The open image is predicted first; the others follow in the background.
    await expect.poll(async () => (await segmentation()).images.map((i) => i.assetId).sort(), { timeout: 120_000, interval: 500 }).toEqual(images.items.map((a) => a.id).sort());
  });

  it('imports results and draws the optimization trace; exports the campaign as CSV', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    const results = 'externalId,flux,rejection\nM-1,12.5,0.82\nM-2,18,0.93\nM-3,15.5,0.9\n';
    await page.locator('#csv-input-results').setInputFiles({ name: 'results.csv', mimeType: 'text/csv', buffer: Buffer.from(results) });
    await page.getByRole('button', { name: 'Import 3 results' }).click();
    await page.getByText('Imported 3 results from results.csv.').waitFor();
    await page.locator('svg[role=img] title', { hasText: 'Optimization trace of flux' }).waitFor({ state: 'attached' });
    expect(await page.locator('svg[role=img] title', { hasText: /Optimization trace of (flux|rejection)/ }).count()).toBe(2);
    await screenshot('10-campaign-with-results');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('pes-membranes.csv');
    const path = await file.path();
    const { readFileSync } = await import('node:fs');
    const exported = readFileSync(path, 'utf8');
    expect(exported.split(/\r?\n/)[0]).toContain('temperature');
    expect(exported).toContain('M-2');
    expect(exported).toContain('18');
  });

  it('draws the Pareto front of two maximized objectives', async () => {
    const campaign = await api<{ id: number }>('/api/campaigns', {
      method: 'POST',
      body: JSON.stringify({
        name: 'Mg inhibitors',
        parameters: [{ name: 'concentration', type: 'continuous', min: 0.1, max: 10, log: true }],
        objectives: [{ name: 'efficiency', goal: 'maximize' }, { name: 'solubility', goal: 'maximize' }],
      }),
    });
    const outcomes = [[0.9, 0.2], [0.7, 0.6], [0.5, 0.5], [0.3, 0.9], [0.6, 0.3], [0.8, 0.45]];
    await api(`/api/campaigns/${campaign.id}/samples`, {
      method: 'POST',
      body: JSON.stringify(outcomes.map((_, index) => ({ externalId: `I-${index}`, params: { concentration: 0.5 + index } }))),
    });
    await api(`/api/campaigns/${campaign.id}/results`, {
      method: 'POST',
      body: JSON.stringify(outcomes.map(([efficiency, solubility], index) => ({ externalId: `I-${index}`, outcomes: { efficiency, solubility } }))),
    });
    await page.goto(`${server.baseUrl}/campaigns/${campaign.id}`);
    const pareto = page.locator('svg[role=img] title', { hasText: 'Pareto front' });
    await pareto.waitFor({ state: 'attached' });
    // (0.9, 0.2), (0.8, 0.45), (0.7, 0.6) and (0.3, 0.9) are non-dominated.
    expect(await pareto.textContent()).toContain('4 of 6 results are non-dominated');
    await screenshot('11-pareto');
  });

  it('gives an expert token the labeling navigation and no admin pages', async () => {
    await page.getByRole('link', { name: 'Tokens' }).click();
    await page.locator('input[placeholder^="e.g. robot"]').fill('anna');
    await page.getByRole('button', { name: 'Create token' }).click();
    const link = await page.locator('code', { hasText: '?token=' }).textContent();
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);

    const expertContext = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    const expertPage = await expertContext.newPage();
    await expertPage.goto(link ?? '');
    await expertPage.getByRole('heading', { name: 'Campaigns', exact: true }).waitFor();
    expect(await expertPage.getByTestId('role').textContent()).toBe('expert');
    expect(await expertPage.getByRole('link', { name: 'Tokens' }).count()).toBe(0);
    expect(await expertPage.getByRole('link', { name: 'New campaign' }).count()).toBe(0);
    await expertPage.getByRole('link', { name: 'PES membranes' }).click();
    await expertPage.getByRole('link', { name: 'Label images' }).waitFor();
    expect(await expertPage.getByRole('link', { name: 'Next experiments' }).count()).toBe(0);
    expect(await expertPage.getByRole('heading', { name: 'Import samples from CSV' }).count()).toBe(0);
    await expertPage.screenshot({ path: join(screenshotDir, '12-expert-view.png'), fullPage: true });
    await expertContext.close();
  });

  it('requests a batch of suggestions, marks one running and enters its result', async () => {
    await page.goto(`${server.baseUrl}/campaigns/${campaignId}`);
    await page.getByRole('link', { name: 'Next experiments' }).click();
    await page.getByRole('heading', { name: 'Ask for the next experiments' }).waitFor();
    await page.locator('input.count').fill('2');
    await page.getByLabel('Candidates').selectOption('space');
    await page.locator('input.seed').fill('7');
    await page.getByRole('button', { name: 'Suggest batch' }).click();
    const cards = page.getByTestId('suggestion');
    await cards.first().waitFor({ timeout: 60_000 });
    expect(await cards.count()).toBe(2);
    const firstCard = cards.first();
    expect(await firstCard.locator('.predictions').textContent()).toMatch(/flux[\d.\s±e+-]+/);
    expect(await firstCard.locator('.why').textContent()).toMatch(/^Ranked #1 by /);
    const sampleId = Number(/sample #(\d+)/.exec((await firstCard.locator('strong').textContent()) ?? '')?.[1]);
    const pending = await api<{ items: { id: number }[] }>(`/api/campaigns/${campaignId}/samples?status=pending`);
    expect(pending.items.map((sample) => sample.id)).toContain(sampleId);
    await screenshot('13-experiments-batch');

    await firstCard.getByRole('button', { name: 'Mark running' }).click();
    await page.getByText(`Sample #${sampleId} is running.`).waitFor();
    await firstCard.locator('input[data-objective=flux]').fill('abc');
    await firstCard.getByRole('button', { name: 'Save result' }).click();
    await firstCard.getByText('flux: "abc" is not a number').waitFor();
    await firstCard.locator('input[data-objective=flux]').fill('21.5');
    await firstCard.locator('input[data-objective=rejection]').fill('0.91');
    await firstCard.getByRole('button', { name: 'Save result' }).click();
    await page.getByText(`Result saved; sample #${sampleId} is measured.`).waitFor();
    expect(await cards.count()).toBe(1);
    const measured = await api<{ items: { id: number }[] }>(`/api/campaigns/${campaignId}/samples?status=measured`);
    expect(measured.items.map((sample) => sample.id)).toContain(sampleId);
    const results = await api<{ items: { sampleId: number; outcomes: Record<string, number> }[] }>(`/api/campaigns/${campaignId}/results`);
    expect(results.items.find((result) => result.sampleId === sampleId)?.outcomes).toEqual({ flux: 21.5, rejection: 0.91 });
    await screenshot('14-experiments-after-result');
  });

  it('shows the models page (empty state until training lands), insights, and the token page without page errors', async () => {
    await page.getByRole('link', { name: 'Models' }).click();
    await page.getByRole('heading', { name: 'Surrogate models' }).waitFor();
    await page.getByText(/No model views yet|No trained network yet|CV RMSE/).first().waitFor();
    await page.locator('.insight, .notice.warn, .empty-state').last().waitFor();
    await screenshot('15-models');
    await page.getByRole('link', { name: 'Tokens' }).click();
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    await screenshot('16-tokens');
    expect(pageErrors).toEqual([]);
  });

  it('trains a model from the Models page, follows its live progress to the end and draws parity, slices and the 2-D slice', async () => {
    const campaign = await api<{ id: number }>('/api/campaigns', {
      method: 'POST',
      body: JSON.stringify({
        name: 'Coating thickness',
        parameters: COATING_PARAMETERS,
        objectives: [{ name: 'thickness', goal: 'maximize', unit: 'nm' }],
      }),
    });
    // A smooth response on a 4 × 3 grid (thickness rises with temperature and saturates in time) plus fixed noise.
    const noise = [0.8, -1.1, 0.4, -0.3, 1.2, -0.9, 0.1, -1.4, 0.9, -0.2, 0.6, -0.7];
    const rows = [20, 40, 60, 80].flatMap((temperature) => [2, 12, 28].map((time) => ({ temperature, time }))).map((params, index) => ({
      params,
      outcomes: { thickness: 0.5 * params.temperature + 20 * (1 - Math.exp(-params.time / 8)) + noise[index] },
    }));
    await api(`/api/campaigns/${campaign.id}/results`, { method: 'POST', body: JSON.stringify(rows) });
    await page.goto(`${server.baseUrl}/campaigns/${campaign.id}/models`);
    await page.getByText('No trained network yet', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Train now' }).click();

    // Follow the progress bar as the server-sent events move it, until the job reports its end.
    const seen: number[] = [];
    const status = page.getByTestId('job-status');
    for (let polls = 0; polls < 1200 && !['succeeded', 'failed'].includes((await status.textContent()) ?? ''); polls++) {
      seen.push(Number(await page.getByLabel('Training progress').getAttribute('value')));
      await page.waitForTimeout(100);
    }
    expect(await status.textContent()).toBe('succeeded');
    expect(Number(await page.getByLabel('Training progress').getAttribute('value'))).toBe(1);
    expect(seen.some((progress) => progress > 0 && progress < 1)).toBe(true);
    await page.getByLabel('Training log').waitFor();

    // The finished job refreshes the table, and the diagnostics of the new model are drawn.
    await page.getByText('CV RMSE').waitFor();
    const parity = page.locator('svg[role=img]', { has: page.locator('title', { hasText: 'Parity plot of thickness' }) });
    await parity.waitFor({ timeout: 30_000 });
    expect(await parity.locator('circle').count()).toBe(12);
    expect(await parity.locator('line.bar').count()).toBe(12);
    // One 1-D slice at a time: the selector picks its parameter.
    expect(await page.locator('svg[role=img] title', { hasText: /^Surrogate slice: predicted thickness along/ }).count()).toBe(1);
    const heatmap = page.locator('svg[role=img]', { has: page.locator('title', { hasText: '2-D surrogate slice' }) });
    expect(await heatmap.locator('.cells rect').count()).toBe(25 * 25);
    // The views are of the trained network, and say so; the choice panel names the model that ranks thickness.
    const trained = await api<{ items: { id: number; kind: string; objective: string | null }[] }>(`/api/campaigns/${campaign.id}/models`);
    const network = trained.items.find((model) => model.kind === 'deep-ensemble' && model.objective === 'thickness')!;
    await page.getByText(`Deep ensemble #${network.id} — held-out predictions`).waitFor();
    expect(await page.getByTestId('decider').textContent()).toMatch(/^(Deep ensemble #\d+|Gaussian process \(fitted at each suggestion\))$/);
    await page.getByTestId('model-diagnostics').scrollIntoViewIfNeeded();
    await screenshot('17-models-trained');
    expect(pageErrors).toEqual([]);
  });
});
