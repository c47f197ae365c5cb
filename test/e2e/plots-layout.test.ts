// End-to-end (issue 14, plots and layout): the Models page's charts carry units and titles, draw the measured samples
// and say what a slice holds fixed, with a selector showing one 1-D and one 2-D slice at a time; the campaign list and
// the Mg corrosion overview (105 molecules as SMILES) fit a 390 px phone; molecules are drawn with their names.
// Two campaigns are made over the API: a membrane casting with units and 12 results (a suggestion records the GP whose
// diagnostics the page shows) and the Mg corrosion demo's own definition and pool (backend/demo/mg-corrosion.ts).
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMgCorrosionPool, mgCorrosionCampaign, mgCorrosionCandidates } from '../../backend/demo/mg-corrosion.js';
import { createRandom } from '../../acquisition/sampling/random.js';
import { launchChromium } from './support/browser.js';
import { ensureFrontendBuilt } from './support/build.js';
import { apiCaller, collectPageErrors, NARROW, screenshotter, WIDE } from './support/page-helpers.js';
import { startTwinlab, type RunningTwinlab } from './support/server.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

let server: RunningTwinlab;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
let membraneId = 0;
let mgId = 0;

const api = apiCaller(() => server);
const screenshot = screenshotter(() => page, 'plots-layout');

// An axis title's visible text is its <tspan>; its <title> child (the tooltip) holds the full text.

/** The page's width as laid out; more than the viewport means it scrolls sideways. */
function pageWidth(): Promise<number> {
  // A string script: this file compiles without the DOM library.
  return page.evaluate<number>('document.documentElement.scrollWidth');
}

beforeAll(async () => {
  ensureFrontendBuilt(repositoryRoot);
  server = await startTwinlab(repositoryRoot, 'tl_e2e_plots_layout_token_0123456789');
  browser = await launchChromium();
  page = await browser.newPage({ viewport: WIDE });
  collectPageErrors(page, pageErrors);

  const membrane = await api<{ id: number }>('/api/campaigns', {
    method: 'POST',
    body: JSON.stringify({
      name: 'Membrane casting with units',
      parameters: [
        { name: 'polymerConcentration', type: 'continuous', min: 20, max: 32, unit: 'wt%' },
        { name: 'humidity', type: 'continuous', min: 20, max: 80, unit: '% RH' },
        { name: 'temperature', type: 'continuous', min: 15, max: 35, unit: '°C' },
      ],
      objectives: [
        { name: 'poreDiameter', goal: 'maximize', unit: 'nm' },
        { name: 'permeance', goal: 'maximize', unit: 'L m⁻² h⁻¹ bar⁻¹' },
      ],
    }),
  });
  membraneId = membrane.id;
  const rng = createRandom(7);
  const results = Array.from({ length: 12 }, (_, i) => {
    const c = 20 + 12 * rng.uniform(), h = 20 + 60 * rng.uniform(), t = 15 + 20 * rng.uniform();
    const round = (v: number) => Math.round(v * 100) / 100;
    return {
      params: { polymerConcentration: round(c), humidity: round(h), temperature: round(t) },
      outcomes: { poreDiameter: round(20 + 0.8 * (c - 26) ** 2 - 0.1 * h + 0.3 * t), permeance: round(300 - 8 * c + 0.5 * h) },
      idempotencyKey: `plots-layout-${i}`,
    };
  });
  await api(`/api/campaigns/${membraneId}/results`, { method: 'POST', body: JSON.stringify(results) });
  // A suggestion fits and records the GP: the Models page diagnoses that record.
  await api(`/api/campaigns/${membraneId}/suggestions`, { method: 'POST', body: JSON.stringify({ count: 1 }) });

  const pool = loadMgCorrosionPool();
  const mg = mgCorrosionCampaign(undefined, pool);
  const created = await api<{ id: number }>('/api/campaigns', {
    method: 'POST',
    body: JSON.stringify({ name: mg.name, description: mg.description, parameters: mg.parameters.map((p) => ({ ...p, featuresOnly: true })), objectives: mg.objectives }),
  });
  mgId = created.id;
  await api(`/api/campaigns/${mgId}/samples`, { method: 'POST', body: JSON.stringify(mgCorrosionCandidates(pool)) });
  const measured = [0, 7, 21, 42, 63, 84].map((i) => ({ externalId: pool[i].id, outcomes: { IE: pool[i].ie } }));
  await api(`/api/campaigns/${mgId}/results`, { method: 'POST', body: JSON.stringify(measured) });

  await page.goto(server.signInUrl);
  await page.getByRole('heading', { name: 'Campaigns', exact: true }).waitFor();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('plots with context', () => {
  it('titles every axis with its unit, draws the measured samples and states what a slice holds fixed', async () => {
    await page.goto(`${server.baseUrl}/campaigns/${membraneId}/models`);
    const diagnostics = page.getByTestId('model-diagnostics');
    const slice = diagnostics.getByTestId('slice-chart');
    await slice.waitFor({ timeout: 60_000 });
    // One parity plot, one map and one line chart: not every chart of every objective.
    expect(await diagnostics.locator('svg[role=img]').count()).toBe(3);
    expect(await diagnostics.locator('.chart-heading').count()).toBe(3);

    expect(await slice.getByTestId('x-axis-title').locator('tspan').textContent()).toBe('polymerConcentration (wt%)');
    expect(await slice.getByTestId('y-axis-title').locator('tspan').textContent()).toBe('predicted poreDiameter (nm)');
    const parity = diagnostics.locator('svg[role=img]', { has: page.locator('title', { hasText: 'Parity plot of poreDiameter' }) });
    expect(await parity.getByTestId('x-axis-title').locator('tspan').textContent()).toBe('measured poreDiameter (nm)');

    // The 12 measured samples on the line chart and on the map.
    expect(await slice.getByTestId('measured-points').locator('circle').count()).toBe(12);
    const map = diagnostics.getByTestId('slice-heatmap');
    expect(await map.getByTestId('measured-points').locator('circle').count()).toBe(12);
    expect(await map.locator('.cells rect').count()).toBe(25 * 25);

    // The values held fixed, with units: the other two parameters of the best sample.
    const held = (await slice.getByTestId('held-values').textContent()) ?? '';
    expect(held).toMatch(/^Other parameters held at: humidity [\d.]+ % RH, temperature [\d.]+ °C\.$/);
    expect(held).not.toContain('polymerConcentration');

    // The model picker's text is short enough for its box (it was cut off at "— r…" in the 1440 px screenshot).
    expect(await diagnostics.getByTestId('diagnostics-model').locator('option:checked').textContent()).toMatch(/^Gaussian process #\d+ \(ranks suggestions\)$/);
    // The relevance bars say what filled means and what the score is.
    const bars = page.getByTestId('feature-bars').first();
    await bars.waitFor({ timeout: 60_000 });
    expect(await bars.getByTestId('feature-bars-legend').textContent()).toContain('recommended: vary these first');
    expect(await bars.locator('figcaption').textContent()).toContain('share of 100 resampled LASSO fits');
    expect(await bars.locator('svg').textContent()).not.toContain('✓');
    await diagnostics.scrollIntoViewIfNeeded();
    await screenshot('01-models-1440');
    expect(pageErrors).toEqual([]);
  });

  it('switches the charts with the selector: parameter, parameter pair and objective', async () => {
    const diagnostics = page.getByTestId('model-diagnostics');
    const parameterPicker = diagnostics.getByTestId('diagnostics-parameter');
    expect(await parameterPicker.locator('option').allTextContents()).toEqual(['polymerConcentration', 'humidity', 'temperature']);
    await parameterPicker.selectOption('humidity');
    const slice = diagnostics.getByTestId('slice-chart');
    await expect.poll(() => slice.getAttribute('data-parameter')).toBe('humidity');
    expect(await slice.getByTestId('x-axis-title').locator('tspan').textContent()).toBe('humidity (% RH)');
    expect(await slice.getByTestId('held-values').textContent()).toMatch(/polymerConcentration [\d.]+ wt%/);

    const pairPicker = diagnostics.getByTestId('diagnostics-pair');
    const options = pairPicker.locator('option');
    const pairs = await Promise.all(Array.from({ length: await options.count() }, (_, i) => options.nth(i).getAttribute('value').then((v) => v ?? '')));
    expect(pairs).toHaveLength(3);
    const map = diagnostics.getByTestId('slice-heatmap');
    expect(await map.getAttribute('data-pair')).toBe(pairs[0]);
    await pairPicker.selectOption(pairs[2]);
    await expect.poll(() => map.getAttribute('data-pair')).toBe(pairs[2]);
    const [xName, yName] = JSON.parse(pairs[2]) as [string, string];
    expect(await map.getByTestId('x-axis-title').locator('tspan').textContent()).toContain(xName);
    expect(await map.getByTestId('y-axis-title').locator('tspan').textContent()).toContain(yName);
    expect(await map.getByTestId('measured-points').locator('circle').count()).toBe(12);

    await diagnostics.getByTestId('diagnostics-objective').selectOption('permeance');
    // A title longer than its axis is shortened; its tooltip keeps all of it.
    await expect.poll(() => slice.getByTestId('y-axis-title').locator('title').textContent(), { timeout: 30_000 }).toBe('predicted permeance (L m⁻² h⁻¹ bar⁻¹)');
    expect(await slice.getByTestId('y-axis-title').locator('tspan').textContent()).toMatch(/^predicted permeance \(L m⁻² h⁻¹ .*…$/);
    // The picked parameter stays picked across objectives.
    expect(await slice.getAttribute('data-parameter')).toBe('humidity');
    // The picked pair's map of this objective is asked for on its own (one map per answer): it may come a moment later.
    await expect.poll(() => diagnostics.locator('svg[role=img]').count(), { timeout: 30_000 }).toBe(3);
    expect(pageErrors).toEqual([]);
  });

  it('fits the Models page on a phone', async () => {
    await page.setViewportSize(NARROW);
    await page.reload();
    await page.getByTestId('slice-chart').waitFor({ timeout: 60_000 });
    await expect.poll(pageWidth, { timeout: 15_000 }).toBeLessThanOrEqual(NARROW.width);
    await page.getByTestId('model-diagnostics').scrollIntoViewIfNeeded();
    await screenshot('02-models-390');
    await page.setViewportSize(WIDE);
  });
});

describe('layout and molecules', () => {
  it('shows the Mg overview with the key columns first and the molecules drawn with their names', async () => {
    await page.goto(`${server.baseUrl}/campaigns/${mgId}`);
    const table = page.locator('table.samples');
    await table.waitFor({ timeout: 30_000 });
    const headers = await table.locator('thead th').allTextContents();
    expect(headers.slice(0, 3)).toEqual(['Sample', 'Status', 'IE [%]']);
    expect(headers.at(-1)).toBe('molecule');
    // The page is no wider than the screen: the long SMILES sit in their own boxes.
    expect(await pageWidth()).toBeLessThanOrEqual(WIDE.width);

    // A measured sample's molecule, drawn by RDKit, named after the data set's record.
    const measuredRow = table.locator('tbody', { has: page.locator('.badge.measured') }).first();
    const molecule = measuredRow.getByTestId('molecule');
    await molecule.scrollIntoViewIfNeeded();
    const image = molecule.locator('img');
    await image.waitFor({ timeout: 30_000 });
    // The SVG decoded into an image with a size: a drawing, not a broken image.
    const drawn = `[...document.querySelectorAll('table.samples [data-testid=molecule] img')].filter((img) => img.naturalWidth > 0).length`;
    await expect.poll(() => page.evaluate<number>(drawn)).toBeGreaterThan(0);
    const smiles = (await molecule.getAttribute('data-smiles')) ?? '';
    expect(await molecule.getAttribute('title')).toContain(`SMILES: ${smiles}`);
    const name = (await molecule.locator('figcaption').textContent()) ?? '';
    expect(name.length).toBeGreaterThan(3);
    expect(await image.getAttribute('alt')).toBe(`Structure of ${name} (SMILES ${smiles})`);
    // The 105 molecules of the design space open on demand instead of widening one table cell.
    const choices = page.getByTestId('parameter-choices');
    expect(await choices.locator('summary').textContent()).toBe('105 molecules');
    await choices.locator('summary').click();
    await choices.getByTestId('molecule').first().locator('img').waitFor({ timeout: 30_000 });
    expect(await choices.getByTestId('molecule').count()).toBe(105);
    await screenshot('03-mg-overview-1440');
    expect(pageErrors).toEqual([]);
  });

  it('fits the campaign list and the Mg overview on a 390 px phone', async () => {
    await page.setViewportSize(NARROW);
    await page.goto(`${server.baseUrl}/`);
    await page.getByRole('heading', { name: 'Campaigns', exact: true }).waitFor();
    await page.getByRole('link', { name: 'Mg corrosion inhibitors (ZE41)' }).waitFor();
    expect(await pageWidth()).toBeLessThanOrEqual(NARROW.width);
    await screenshot('04-list-390');

    await page.goto(`${server.baseUrl}/campaigns/${mgId}`);
    await page.locator('table.samples').waitFor({ timeout: 30_000 });
    await page.getByTestId('parameter-choices').locator('summary').click();
    await page.getByTestId('parameter-choices').getByTestId('molecule').first().locator('img').waitFor({ timeout: 30_000 });
    expect(await pageWidth()).toBeLessThanOrEqual(NARROW.width);
    // Each sample is a card: its name, status and IE are on the screen, not beyond its right edge.
    const measured = page.locator('table.samples tbody', { has: page.locator('.badge.measured') }).first();
    for (const part of [measured.locator('td.sample-cell'), measured.locator('.badge.measured'), measured.locator('td.outcome').first()]) {
      await part.scrollIntoViewIfNeeded();
      const box = await part.boundingBox();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(NARROW.width);
    }
    expect(await measured.locator('td.outcome').first().getAttribute('data-label')).toBe('IE [%]');
    await screenshot('05-mg-overview-390');
    expect(pageErrors).toEqual([]);
  });
});
