// End-to-end (issues 13 and 14, the leftovers): an objective's physical range entered in the campaign form (checked
// in the browser before sending) and shown on the overview; on a 390 px phone the samples, the experiments in the lab
// and the result entry are cards with the status and the outcomes in view, never a page that scrolls sideways; the
// Models page asks the diagnostics of one objective and one map at a time.
// One campaign is made through the form (three continuous parameters, a bounded score and a bounded target); results
// and a suggestion (which records the GP the Models page diagnoses) come over the API, as a lab script would send them.
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../acquisition/sampling/random.js';
import { launchChromium } from './support/browser.js';
import { ensureFrontendBuilt } from './support/build.js';
import { apiCaller, collectPageErrors, expectNoSidewaysScroll, NARROW, screenshotter, WIDE } from './support/page-helpers.js';
import { startTwinlab, type RunningTwinlab } from './support/server.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

let server: RunningTwinlab;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
let campaignId = 0;

const api = apiCaller(() => server);
const screenshot = screenshotter(() => page, 'phone-layout');

/** Expects `locator` to lie fully within the phone screen's width once scrolled into view (not cut off at the right). */
async function expectInView(locator: Locator): Promise<void> {
  await locator.scrollIntoViewIfNeeded();
  const box = await locator.boundingBox();
  expect(box).not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(NARROW.width);
}

beforeAll(async () => {
  ensureFrontendBuilt(repositoryRoot);
  server = await startTwinlab(repositoryRoot, 'tl_e2e_phone_layout_token_0123456789');
  browser = await launchChromium();
  page = await browser.newPage({ viewport: WIDE });
  collectPageErrors(page, pageErrors);
  await page.goto(server.signInUrl);
  await page.getByRole('heading', { name: 'Campaigns', exact: true }).waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('physical range of an objective', () => {
  it('checks the range in the form, sends it, and shows it next to the objective', async () => {
    await page.getByRole('link', { name: 'New campaign' }).first().click();
    await page.getByRole('heading', { name: 'New campaign' }).waitFor();
    await page.locator('input[name=name]').fill('Membranes on a phone');
    const parameters = [['polymerConcentration', '20', '32', 'wt%'], ['humidity', '20', '80', '% RH'], ['temperature', '15', '35', '°C']];
    for (const [index, [name, min, max, unit]] of parameters.entries()) {
      if (index > 0) await page.getByRole('button', { name: 'Add parameter' }).click();
      await page.locator(`#param-${index}-name`).fill(name);
      await page.locator(`#param-${index}-min`).fill(min);
      await page.locator(`#param-${index}-max`).fill(max);
      await page.locator(`#param-${index}-unit`).fill(unit);
    }
    await page.locator('#objective-0-name').fill('orderScore');
    await page.locator('#objective-0-lowerBound').fill('1');
    await page.locator('#objective-0-upperBound').fill('0');
    await page.getByRole('button', { name: 'Add objective' }).click();
    await page.locator('#objective-1-name').fill('poreDiameter');
    await page.locator('#objective-1-goal').selectOption('target');
    await page.locator('#objective-1-target').fill('30');
    await page.locator('#objective-1-tolerance').fill('5');
    await page.locator('#objective-1-unit').fill('nm');
    await page.locator('#objective-1-lowerBound').fill('0');
    await page.locator('#objective-1-upperBound').fill('20');
    await page.getByRole('button', { name: 'Create campaign' }).click();

    // Refused in the browser, each message tied to its field; nothing was sent.
    const upper = page.locator('#objective-0-upperBound');
    await expect.poll(() => upper.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator(`#${await upper.getAttribute('aria-describedby')}`).textContent()).toBe('The highest possible value must be greater than the lowest');
    const target = page.locator('#objective-1-target');
    expect(await target.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator(`#${await target.getAttribute('aria-describedby')}`).textContent()).toBe('The target lies above the highest possible value (20)');
    expect((await api<{ items: unknown[] }>('/api/campaigns')).items).toHaveLength(0);
    await screenshot('01-form-refused-1440');

    await page.locator('#objective-0-lowerBound').fill('0');
    await page.locator('#objective-0-upperBound').fill('1');
    await page.locator('#objective-1-upperBound').fill('');
    await expect.poll(() => page.locator('[aria-invalid=true]').count()).toBe(0);
    await page.setViewportSize(NARROW);
    await expectNoSidewaysScroll(page);
    await page.locator('#objective-0-lowerBound').scrollIntoViewIfNeeded();
    await screenshot('02-form-390');
    await page.setViewportSize(WIDE);
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByRole('heading', { name: 'Membranes on a phone' }).waitFor();
    campaignId = Number(/\/campaigns\/(\d+)/.exec(page.url())?.[1]);

    const stored = await api<{ objectives: unknown[] }>(`/api/campaigns/${campaignId}`);
    expect(stored.objectives).toEqual([
      { name: 'orderScore', goal: 'maximize', lowerBound: 0, upperBound: 1 },
      { name: 'poreDiameter', goal: 'target', target: 30, tolerance: 5, unit: 'nm', lowerBound: 0 },
    ]);
    const ranges = page.getByTestId('objective-range');
    expect(await ranges.allTextContents()).toEqual(['(0–1)', '(≥ 0)']);
    expect(await ranges.first().getAttribute('title')).toContain('orderScore can only take values 0–1');
    expect(pageErrors).toEqual([]);
  });
});

describe('a 390 px phone', () => {
  beforeAll(async () => {
    const rng = createRandom(3);
    const round = (v: number) => Math.round(v * 100) / 100;
    const results = Array.from({ length: 10 }, (_, i) => {
      const c = 20 + 12 * rng.uniform(), h = 20 + 60 * rng.uniform(), t = 15 + 20 * rng.uniform();
      return {
        externalId: `M-${i + 1}`,
        params: { polymerConcentration: round(c), humidity: round(h), temperature: round(t) },
        outcomes: { orderScore: round(Math.min(0.99, Math.max(0.01, 0.5 + 0.04 * (c - 26) - 0.005 * (h - 50)))), poreDiameter: round(20 + 0.8 * (c - 26) ** 2 - 0.1 * h + 0.3 * t) },
        idempotencyKey: `phone-layout-${i}`,
      };
    });
    await api(`/api/campaigns/${campaignId}/results`, { method: 'POST', body: JSON.stringify(results) });
    // A suggestion records the GP (the Models page diagnoses it) and puts a batch on the board.
    await api(`/api/campaigns/${campaignId}/suggestions`, { method: 'POST', body: JSON.stringify({ count: 2, seed: 4 }) });
  }, 120_000);

  it('shows each sample as a card with its status and outcomes in view', async () => {
    await page.setViewportSize(NARROW);
    await page.goto(`${server.baseUrl}/campaigns/${campaignId}`);
    const table = page.locator('table.samples');
    await table.waitFor({ timeout: 30_000 });
    await expectNoSidewaysScroll(page);
    const measured = table.locator('tbody.sample-group', { has: page.locator('.badge.measured') }).first();
    await expectInView(measured.locator('.badge.measured'));
    // Each value sits under its column's name, inside the screen.
    const score = measured.locator('td.outcome').first();
    expect(await score.getAttribute('data-label')).toBe('orderScore');
    await expectInView(score);
    expect(Number(await score.getAttribute('title'))).toBeGreaterThan(0);
    await expectInView(measured.locator('td.outcome').nth(1));
    // The pending samples of the batch, too.
    await expectInView(table.locator('.badge.pending').first());
    await measured.scrollIntoViewIfNeeded();
    await screenshot('03-overview-samples-390');
    expect(pageErrors).toEqual([]);
  });

  it('keeps the wide table on a wide screen, status and outcomes next to the sample', async () => {
    await page.setViewportSize(WIDE);
    const table = page.locator('table.samples');
    const headers = await table.locator('thead th').allTextContents();
    expect(headers.slice(0, 4)).toEqual(['Sample', 'Status', 'orderScore', 'poreDiameter [nm]']);
    expect(await table.locator('thead').isVisible()).toBe(true);
    await table.scrollIntoViewIfNeeded();
    await screenshot('04-overview-samples-1440');
    await page.setViewportSize(NARROW);
  });

  it('fits the board and the result entry: status in view, a result saved from a card', async () => {
    await page.goto(`${server.baseUrl}/campaigns/${campaignId}/experiments`);
    const cards = page.getByTestId('suggestion');
    await cards.first().waitFor({ timeout: 30_000 });
    await expectNoSidewaysScroll(page);
    await screenshot('05-board-cards-390');

    await page.getByRole('button', { name: 'Table', exact: true }).click();
    const row = page.getByTestId('batch-row').first();
    await row.waitFor();
    await expectNoSidewaysScroll(page);
    await expectInView(row.getByTestId('status'));
    // The first objective's prediction, too (the rest of the row scrolls inside the table's box).
    await expectInView(row.locator('td.num').first());
    await screenshot('06-board-table-390');
    await page.getByRole('button', { name: 'Cards', exact: true }).click();

    // Result entry on the first card: the fields fit, and the saved value shows the sample as measured.
    const card = cards.first();
    const entry = card.getByTestId('result-entry');
    if ((await entry.count()) > 0) await entry.locator('summary').click();
    const input = card.locator('input[data-objective=orderScore]');
    await expectInView(input);
    await expectInView(card.getByRole('button', { name: 'Save result' }));
    await screenshot('07-result-entry-390');
    // A value outside the declared range 0–1 is refused in the browser, with the reason.
    await input.fill('1.4');
    await card.getByRole('button', { name: 'Save result' }).click();
    await card.getByText('orderScore: 1.4 is above the highest possible value 1').waitFor();
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    await input.fill('0.42');
    const sampleId = Number(await card.getAttribute('data-sample-id'));
    await card.getByRole('button', { name: 'Save result' }).click();
    // A first result takes the card off the board and says so.
    await page.getByText(`Result saved; sample #${sampleId} is measured.`).waitFor({ timeout: 15_000 });
    const samples = await api<{ items: { id: number; status: string }[] }>(`/api/campaigns/${campaignId}/samples`);
    expect(samples.items.find((s) => s.id === sampleId)?.status).toBe('measured');
    await expectNoSidewaysScroll(page);
    expect(pageErrors).toEqual([]);
  });
});

describe('diagnostics of what the page shows', () => {
  it('asks for one objective and one map, and a picked pair on its own', async () => {
    await page.setViewportSize(WIDE);
    // Requests as they leave (synchronously: a map drawn without one was not asked for), sizes as they arrive.
    const asked: string[] = [];
    const bytes = new Map<string, number>();
    page.on('request', (request) => {
      if (request.url().includes('/diagnostics')) asked.push(request.url());
    });
    page.on('response', async (response) => {
      if (response.url().includes('/diagnostics')) bytes.set(response.url(), (await response.body()).length);
    });
    await page.goto(`${server.baseUrl}/campaigns/${campaignId}/models`);
    const diagnostics = page.getByTestId('model-diagnostics');
    const map = diagnostics.getByTestId('slice-heatmap');
    await map.waitFor({ timeout: 60_000 });
    await expect.poll(() => asked.length).toBe(1);
    const first = new URL(asked[0]);
    expect(first.searchParams.get('objective')).toBe('orderScore');
    expect(first.searchParams.get('pair')).toBe('first');

    const pairPicker = diagnostics.getByTestId('diagnostics-pair');
    const options = pairPicker.locator('option');
    const keys = await Promise.all(Array.from({ length: await options.count() }, (_, i) => options.nth(i).getAttribute('value').then((v) => v ?? '')));
    expect(keys).toHaveLength(3);
    await pairPicker.selectOption(keys[2]);
    await expect.poll(() => map.getAttribute('data-pair'), { timeout: 30_000 }).toBe(keys[2]);
    expect(asked).toHaveLength(2);
    expect(new URL(asked[1]).searchParams.get('pair')).toBe(keys[2]);
    // Back to the first pair: already here, not asked again.
    await pairPicker.selectOption(keys[0]);
    await expect.poll(() => map.getAttribute('data-pair')).toBe(keys[0]);
    expect(asked).toHaveLength(2);

    // The whole answer (every objective, every map), as a client without a view gets it, for the size.
    const whole = await fetch(`${server.baseUrl}${first.pathname}`, { headers: { Authorization: `Bearer ${server.token}` } });
    const wholeBytes = (await whole.text()).length;
    await expect.poll(() => bytes.get(asked[0])).toBeDefined();
    expect(bytes.get(asked[0])).toBeLessThan(wholeBytes / 3);
    console.log(`diagnostics bytes: whole ${wholeBytes}, one view ${bytes.get(asked[0])}`);
    await diagnostics.scrollIntoViewIfNeeded();
    await screenshot('08-models-1440');
    expect(pageErrors).toEqual([]);
  });
});
