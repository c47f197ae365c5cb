// End-to-end: the experiments board a chemist trusts (issue 14, parts 2, 3 and 5). A campaign with the simulated
// membrane lab's definition (as the demo seeds it) gets 12 simulated results over the API; Chromium then asks for a
// batch, reloads (the batch, its predictions ± std with units and the engine's per-objective reasons are still there),
// compares it in the table view, moves a running sample back to pending, marks one failed and back, measures with the
// simulated lab (one card, then the rest of the batch; measured cards offer only an explicit replicate) and checks the
// board and result entry at 390 px. On the membrane-from-SEM-images demo
// the simulated lab attaches a micrograph to the experiment and links to labeling it. An ordinary campaign offers no
// simulated lab.
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../acquisition/index.js';
import { membraneImagesLab, membraneLab, mgCorrosion } from '../../backend/demo/index.js';
import { launchChromium } from './support/browser.js';
import { ensureFrontendBuilt } from './support/build.js';
import { apiCaller, collectPageErrors, expectNoSidewaysScroll, NARROW, screenshotter, WIDE } from './support/page-helpers.js';
import { COATING_PARAMETERS } from './support/fixtures.js';
import { startTwinlab, type RunningTwinlab } from './support/server.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

let server: RunningTwinlab;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
let membraneId = 0;
let plainId = 0;

const api = apiCaller(() => server);
const screenshot = screenshotter(() => page, 'board');


const cards = () => page.getByTestId('suggestion');

/** Each card's sample id, prediction text and reason lines, in board order. */
async function cardContents(): Promise<{ sampleId: string | null; predictions: string; reasons: string[] }[]> {
  const out = [];
  for (const card of await cards().all()) {
    out.push({
      sampleId: await card.getAttribute('data-sample-id'),
      predictions: ((await card.locator('.predictions').textContent()) ?? '').replace(/\s+/g, ' ').trim(),
      reasons: (await card.getByTestId('reasons').locator('li').allTextContents()).map((line) => line.replace(/\s+/g, ' ').trim()),
    });
  }
  return out;
}

beforeAll(async () => {
  ensureFrontendBuilt(repositoryRoot);
  server = await startTwinlab(repositoryRoot, 'tl_e2e_board_token_0123456789abcdef');
  browser = await launchChromium();
  page = await browser.newPage({ viewport: WIDE });
  collectPageErrors(page, pageErrors);

  const def = membraneLab.membraneCampaign;
  membraneId = (await api<{ id: number }>('/api/campaigns', {
    method: 'POST',
    body: JSON.stringify({ name: def.name, description: def.description, parameters: def.parameters, objectives: def.objectives, settings: { batchSize: 3, simulator: 'membrane' } }),
  })).id;
  const rng = createRandom(1);
  const objectives = new Set(def.objectives.map((o) => o.name));
  await api(`/api/campaigns/${membraneId}/results`, {
    method: 'POST',
    body: JSON.stringify(Array.from({ length: 12 }, () => {
      const params = membraneLab.sampleMembraneParams(rng);
      const outcomes = Object.fromEntries(Object.entries(membraneLab.measure(params, rng)).filter(([name]) => objectives.has(name)));
      return { params, outcomes };
    })),
  });
  plainId = (await api<{ id: number }>('/api/campaigns', {
    method: 'POST',
    body: JSON.stringify({ name: 'Coating (real lab)', parameters: COATING_PARAMETERS, objectives: [{ name: 'thickness', goal: 'maximize', unit: 'nm' }] }),
  })).id;
  await page.goto(server.signInUrl);
  await page.getByRole('heading', { name: 'Campaigns', exact: true }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the experiments board', () => {
  let before: Awaited<ReturnType<typeof cardContents>> = [];

  it('shows a batch with predictions ± std in units and the engine’s reasons per objective, and still after a reload', async () => {
    await page.goto(`${server.baseUrl}/campaigns/${membraneId}/experiments`);
    await page.getByTestId('simulator-note').waitFor();
    await page.getByLabel('Candidates').selectOption('space');
    await page.locator('input.seed').fill('5');
    await page.getByRole('button', { name: 'Suggest batch' }).click();
    await cards().nth(2).waitFor({ timeout: 60_000 });
    expect(await cards().count()).toBe(3);
    before = await cardContents();
    for (const card of before) {
      expect(card.predictions).toMatch(/poreDiameter\s*[\d.]+ ± [\d.]+ nm/);
      expect(card.predictions).toMatch(/permeance\s*[\d.e+]+ ± [\d.e+]+ L m⁻² h⁻¹ bar⁻¹/);
      expect(card.reasons[0]).toMatch(/^poreDiameter P\(in 27–33 nm target\) (= \d+ %|< 1 %|> 99 %)$/);
      expect(card.reasons[1]).toMatch(/^permeance expected \+[\d.e+]+ L m⁻² h⁻¹ bar⁻¹ over the best so far \([\d.e+]+ L m⁻² h⁻¹ bar⁻¹\); P\(better\)/);
      expect(card.reasons[2]).toMatch(/^orderScore expected \+[\d.e-]+ over the best so far/);
    }
    expect(await cards().first().locator('.why').textContent()).toMatch(/^Ranked #1 by /);
    expect(await cards().first().locator('.params').textContent()).toContain('wt%');
    await screenshot('01-batch-1440');

    await page.reload();
    await cards().nth(2).waitFor();
    expect(await cards().count()).toBe(3);
    expect(await cardContents()).toEqual(before);
    expect(await page.locator('#batch-title').textContent()).toContain('seed 5');
    // The strategy in plain words, its code in the tooltip.
    const strategy = page.locator('#batch-title .strategy');
    const code = /Strategy code: ([a-z-]+)\.$/.exec((await strategy.getAttribute('title')) ?? '')?.[1];
    expect(code).toBeDefined();
    expect(await strategy.textContent()).not.toBe(code);
  });

  it('compares the batch in a table with units in the headings, and remembers the choice', async () => {
    await page.getByRole('button', { name: 'Table' }).click();
    const table = page.getByTestId('batch-table');
    await table.waitFor();
    expect(await table.getByTestId('batch-row').count()).toBe(3);
    const headings = (await table.locator('thead th').allTextContents()).map((text) => text.trim());
    expect(headings).toEqual(expect.arrayContaining(['Experiment', 'Status', 'polymerConcentration [wt%]', 'poreDiameter [nm]', 'permeance [L m⁻² h⁻¹ bar⁻¹]', 'orderScore', 'Flags', 'Actions']));
    const firstRow = table.getByTestId('batch-row').first();
    expect(await firstRow.locator('.prediction').first().textContent()).toMatch(/^[\d.]+ ± [\d.]+$/);
    const poreReason = firstRow.locator('.reason').first();
    expect(await poreReason.textContent()).toMatch(/^P\(in target\) (\d+ %|< 1 %|> 99 %)$/);
    expect(await poreReason.getAttribute('title')).toContain('P(in 27–33 nm target)');
    expect(await firstRow.locator('.reason').nth(1).textContent()).toMatch(/^\+[\d.e+]+ vs best, P /);
    await screenshot('02-table-1440');
    await page.reload();
    await page.getByTestId('batch-table').waitFor();
    await page.getByRole('button', { name: 'Cards' }).click();
    await cards().first().waitFor();
  });

  it('moves a running experiment back to pending (audited)', async () => {
    const card = cards().first();
    const sampleId = Number(await card.getAttribute('data-sample-id'));
    await card.getByRole('button', { name: 'Mark running' }).click();
    await page.getByText(`Sample #${sampleId} is running.`).waitFor();
    expect(await card.getByTestId('status').textContent()).toBe('running');
    await card.getByRole('button', { name: 'Back to pending' }).click();
    await page.getByText(`Sample #${sampleId} is pending again.`).waitFor();
    expect(await card.getByTestId('status').textContent()).toBe('pending');
    const audit = await api<{ items: { entityId: number; before: unknown; after: unknown }[] }>(`/api/campaigns/${membraneId}/audit?entity=sample`);
    expect(audit.items.map((e) => [e.entityId, e.before, e.after])).toEqual([[sampleId, { status: 'running' }, { status: 'pending' }]]);
  });

  it('keeps a failed experiment on its card as failed, with "Back to pending" to undo', async () => {
    const card = cards().first();
    const sampleId = Number(await card.getAttribute('data-sample-id'));
    await card.getByRole('button', { name: 'Mark failed' }).click();
    await page.getByText(`Sample #${sampleId} is marked failed.`).waitFor();
    expect(await card.getByTestId('status').textContent()).toBe('failed');
    expect(await card.getByRole('button', { name: 'Mark running' }).count()).toBe(0);
    expect(await card.getByRole('button', { name: 'Save result' }).count()).toBe(0);
    await card.getByRole('button', { name: 'Back to pending' }).click();
    await page.getByText(`Sample #${sampleId} is pending again.`).waitFor();
    expect(await card.getByTestId('status').textContent()).toBe('pending');
  });

  it('measures one experiment, then the rest of the batch, with the simulated lab: results labelled simulated', async () => {
    const first = cards().first();
    const sampleId = Number(await first.getAttribute('data-sample-id'));
    await first.getByRole('button', { name: 'Measure with the simulated lab' }).click();
    await page.getByText(`Simulated result saved for sample #${sampleId}.`).waitFor();
    await first.getByTestId('simulated-badge').waitFor();
    expect(await first.getByTestId('measured-value').first().textContent()).toMatch(/^[\d.]+/);
    const results = await api<{ items: { sampleId: number; source: string; idempotencyKey: string }[] }>(`/api/campaigns/${membraneId}/results`);
    const simulated = results.items.filter((r) => r.source === 'simulated');
    expect(simulated.map((r) => r.sampleId)).toEqual([sampleId]);
    expect(simulated[0].idempotencyKey).toMatch(new RegExp(`^simulated:sample-${sampleId}:seed-\\d+$`));

    await page.getByRole('button', { name: 'Measure this batch with the simulated lab' }).click();
    await page.getByText('Simulated results saved for 2 experiments.').waitFor();
    await expect.poll(() => page.getByTestId('simulated-badge').count()).toBe(3);
    const after = await api<{ items: { source: string }[] }>(`/api/campaigns/${membraneId}/results`);
    expect(after.items.filter((r) => r.source === 'simulated')).toHaveLength(3);
    // A measured card offers no empty result form, only an explicit replicate.
    expect(await first.getByRole('button', { name: 'Save result' }).isVisible()).toBe(false);
    await screenshot('03-simulated-1440');
    await first.getByText('Add a replicate').click();
    await first.getByRole('button', { name: 'Save result' }).waitFor();
    await first.getByText('Add a replicate').click();
  });

  it('fits a phone: cards stack, the table scrolls in its own box, result entry fits', async () => {
    await page.getByRole('button', { name: 'Suggest batch' }).click();
    // A second batch on top of the measured one: open cards with their result forms.
    await expect.poll(() => page.getByTestId('batch').count(), { timeout: 60_000 }).toBe(2);
    await page.getByTestId('batch').first().getByRole('button', { name: 'Mark running' }).first().waitFor();
    await page.setViewportSize(NARROW);
    await expectNoSidewaysScroll(page);
    // Cards keep the reasons and the result form behind disclosures at phone width.
    const openCard = page.getByTestId('batch').first().getByTestId('suggestion').first();
    expect(await openCard.getByTestId('reasons').isVisible()).toBe(false);
    expect(await openCard.getByRole('button', { name: 'Save result' }).isVisible()).toBe(false);
    await screenshot('04-cards-390');
    await openCard.getByText('Why this experiment').click();
    await openCard.getByTestId('reasons').waitFor();
    await openCard.getByText('Enter the measured result').click();
    await openCard.getByRole('button', { name: 'Save result' }).waitFor();
    await expectNoSidewaysScroll(page);
    await screenshot('04b-card-open-390');
    await page.getByRole('button', { name: 'Table' }).click();
    await page.getByTestId('batch-table').first().waitFor();
    await expectNoSidewaysScroll(page);
    // The table itself is wider than the phone and scrolls inside its box.
    expect(await page.getByTestId('batch-table').first().evaluate<boolean, HTMLElementLike>((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await screenshot('05-table-390');
    await page.getByRole('button', { name: 'Cards' }).click();
    await page.setViewportSize(WIDE);
  });

  it('draws the molecules of the Mg pool on its cards and measures a pool molecule with the table’s recorded IE', async () => {
    const pool = mgCorrosion.loadMgCorrosionPool(mgCorrosion.DEFAULT_MG_ALLOY).slice(0, 6);
    const def = mgCorrosion.mgCorrosionCampaign(mgCorrosion.DEFAULT_MG_ALLOY, pool);
    const mgId = (await api<{ id: number }>('/api/campaigns', {
      method: 'POST',
      body: JSON.stringify({ name: def.name, parameters: def.parameters.map((p) => ({ ...p, featuresOnly: true })), objectives: def.objectives, settings: { simulator: 'corrosion' } }),
    })).id;
    await api(`/api/campaigns/${mgId}/samples`, { method: 'POST', body: JSON.stringify(mgCorrosion.mgCorrosionCandidates(pool)) });
    const batch = await api<{ items: { sampleId: number; params: { molecule: string } }[] }>(`/api/campaigns/${mgId}/suggestions`, {
      method: 'POST', body: JSON.stringify({ count: 2, seed: 3, pool: true, strategy: 'random' }),
    });
    await page.goto(`${server.baseUrl}/campaigns/${mgId}/experiments`);
    await page.getByRole('button', { name: 'Cards' }).click();
    const card = page.locator(`[data-testid=suggestion][data-sample-id="${batch.items[0].sampleId}"]`);
    await card.getByTestId('molecule').locator('img').waitFor();
    expect(await card.getByTestId('molecule').getAttribute('data-smiles')).toBe(batch.items[0].params.molecule);
    await card.getByRole('button', { name: 'Measure with the simulated lab' }).click();
    await card.getByTestId('simulated-badge').waitFor();
    const ie = pool.find((item) => item.smiles === batch.items[0].params.molecule)!.ie;
    const results = await api<{ items: { sampleId: number; source: string; outcomes: { IE: number } }[] }>(`/api/campaigns/${mgId}/results`);
    expect(results.items.find((r) => r.sampleId === batch.items[0].sampleId)).toMatchObject({ source: 'simulated', outcomes: { IE: ie } });
    await screenshot('06-molecules-1440');
  });

  it('membrane from SEM images: the simulated lab attaches a micrograph to the experiment, with a link to label it', async () => {
    const def = membraneImagesLab.membraneImagesCampaign;
    const imagesId = (await api<{ id: number }>('/api/campaigns', {
      method: 'POST',
      body: JSON.stringify({
        name: def.name, parameters: def.parameters, objectives: def.objectives, imageMeasurements: def.imageMeasurements,
        settings: { batchSize: 2, simulator: 'membrane-images', labelClasses: [{ name: 'pore', color: '#1f77b4' }, { name: 'solid', color: '#ff7f0e' }] },
      }),
    })).id;
    const batch = await api<{ items: { sampleId: number }[] }>(`/api/campaigns/${imagesId}/suggestions`, { method: 'POST', body: JSON.stringify({ count: 2, seed: 1, pool: false }) });
    await page.goto(`${server.baseUrl}/campaigns/${imagesId}/experiments`);
    await page.getByTestId('simulator-note').waitFor();
    const sampleId = batch.items[0].sampleId;
    const card = page.locator(`[data-testid=suggestion][data-sample-id="${sampleId}"]`);
    await card.getByRole('button', { name: 'Measure with the simulated lab' }).click();
    const notice = page.getByTestId('micrograph-attached');
    await notice.waitFor();
    expect(await notice.textContent()).toContain(`Simulated SEM micrograph attached to sample #${sampleId}: label it or wait for the model.`);
    const assets = await api<{ items: { id: number; sampleId: number | null; filename: string; pixelSize: number | null; pixelUnit: string | null }[] }>(`/api/campaigns/${imagesId}/assets`);
    expect(assets.items).toHaveLength(1);
    expect(assets.items[0]).toMatchObject({ sampleId, pixelSize: 2, pixelUnit: 'nm' });
    expect(assets.items[0].filename).toMatch(new RegExp(`^simulated-SEM_sample-${sampleId}_seed-\\d+\\.png$`));
    // Imaged and running: its values now come from the image, so the lab is not offered for it again.
    await expect.poll(() => card.getByTestId('status').textContent()).toBe('running');
    expect(await card.getByRole('button', { name: 'Measure with the simulated lab' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Measure this batch with the simulated lab' }).count()).toBe(0);
    await screenshot('07-micrograph-attached-1440');
    await page.setViewportSize(NARROW);
    await expectNoSidewaysScroll(page);
    await screenshot('08-micrograph-attached-390');
    await page.setViewportSize(WIDE);
    await notice.getByRole('link', { name: `Label the micrograph of sample #${sampleId}` }).click();
    await page.waitForURL(`**/campaigns/${imagesId}/label/${assets.items[0].id}`);
  });

  it('offers no simulated lab on an ordinary campaign, even one with the membrane lab’s definition', async () => {
    await api(`/api/campaigns/${plainId}/suggestions`, { method: 'POST', body: JSON.stringify({ count: 2, seed: 1, pool: false }) });
    await page.goto(`${server.baseUrl}/campaigns/${plainId}/experiments`);
    await cards().nth(1).waitFor();
    expect(await page.getByRole('button', { name: /simulated lab/ }).count()).toBe(0);
    expect(await page.getByTestId('simulator-note').count()).toBe(0);
    expect(await cards().first().locator('.params').textContent()).toMatch(/°C/);
    // A real lab's campaign with the membrane lab's very design space and objectives, but no simulator marked.
    const def = membraneLab.membraneCampaign;
    const realId = (await api<{ id: number }>('/api/campaigns', { method: 'POST', body: JSON.stringify({ name: 'Membranes (our lab)', parameters: def.parameters, objectives: def.objectives }) })).id;
    await api(`/api/campaigns/${realId}/suggestions`, { method: 'POST', body: JSON.stringify({ count: 2, seed: 1, pool: false }) });
    await page.goto(`${server.baseUrl}/campaigns/${realId}/experiments`);
    await cards().nth(1).waitFor();
    expect(await page.getByRole('button', { name: /simulated lab/ }).count()).toBe(0);
    expect(await page.getByTestId('simulator-note').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});

/** The part of an element the overflow check reads (this file compiles without the DOM library). */
interface HTMLElementLike {
  scrollWidth: number;
  clientWidth: number;
}
