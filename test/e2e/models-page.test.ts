// End-to-end: the Models page says which model decides (issue 12, part 5). A campaign gets results over the API; trained
// networks are registered through the service layer with their artifacts (ensemble.json, cv.json) and held-out scores
// computed by the project's own scoring from hand-made predictions (no training in a browser test). Chromium then checks
// the "which model decides" panel, the comparison table, diagnostics named after their model, the surrogate setting,
// the "ranked by" badge on suggestions, the join message of "Train now", and the page at 1440 and 390 px.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkEnsembleSpec, Parameter } from '../../acquisition/index.js';
import { pairedComparison, pointLogDensities, predictiveScores, type PredictiveScores } from '../../acquisition/validation/index.js';
import { openDatabase } from '../../backend/db/client.js';
import { sqliteStore } from '../../backend/db/sqlite-store.js';
import type { Store } from '../../backend/db/store.js';
import type { SurrogateReport } from '../../backend/services/surrogates.js';
import { saveCrossValidation, saveNetworkSurrogate } from '../../backend/trainer/artifacts.js';
import { reasonInWords } from '../../frontend/src/lib/components/models/surrogates.js';
import { launchChromium } from './support/browser.js';
import { ensureFrontendBuilt } from './support/build.js';
import { apiCaller, collectPageErrors, expectNoSidewaysScroll, NARROW, screenshotter, WIDE } from './support/page-helpers.js';
import { startTwinlab, type RunningTwinlab } from './support/server.js';
import { COATING_PARAMETERS } from './support/fixtures.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
/** Leave-one-out folds of the 12 results, as a training job on so few rows would use. */
const FOLDS = Array.from({ length: 12 }, (_, i) => [i]);

let server: RunningTwinlab;
let browser: Browser;
let page: Page;
let database: Store | undefined;
const pageErrors: string[] = [];
let campaignId = 0;
/** The deep ensemble that beats the GP on thickness, the flagged Surgeon ensemble of thickness, the flagged ensemble of roughness. */
const ids = { thicknessEnsemble: 0, thicknessSurgeon: 0, roughnessEnsemble: 0 };
let thicknessEnsembleScores: PredictiveScores;

const api = apiCaller(() => server);
const screenshot = screenshotter(() => page, 'models');


/**
 * A two-member network in the unit cube of (temperature, time): a tanh hidden layer [u_T, 3·u_t], then the head
 * [mean, raw variance] with mean ≈ 3·tanh(u_T) + 1.9·tanh(3 u_t) − 2 in units of 10 nm around 30 nm (thickness rises
 * with temperature and saturates in time, as the seeded results do).
 */
function handMadeEnsemble(): NetworkEnsembleSpec {
  const member = (w0: number, w1: number, b: number) => ({
    layers: [
      { inSize: 2, outSize: 2, kernel: [1, 0, 0, 3], bias: [0, 0], activation: 'tanh' as const },
      { inSize: 2, outSize: 2, kernel: [w0, 0, w1, 0], bias: [b, -2], activation: 'linear' as const },
    ],
  });
  return { inputSize: 2, members: [member(3.9, 1.9, -2), member(4.0, 1.8, -1.95)], output: { offset: 30, scale: 10 }, varianceScale: 1.2, taperLength: 0.3 };
}

/** Registers a network model row with its artifacts and the held-out evidence of the given predictions against the GP's. */
async function registerNetwork(options: {
  kind: 'deep-ensemble' | 'surgeon';
  objective: string;
  rows: { resultId: number; sampleId: number; y: number }[];
  network: { mean: number[]; std: number[] };
  gp: { mean: number[]; std: number[] };
  parameters: Parameter[];
}): Promise<{ id: number; scores: PredictiveScores }> {
  const y = options.rows.map((row) => row.y);
  const asPredictions = (p: { mean: number[]; std: number[] }) => ({ mean: Float64Array.from(p.mean), std: Float64Array.from(p.std) });
  const scores = predictiveScores(y, asPredictions(options.network), FOLDS.length);
  const gp = predictiveScores(y, asPredictions(options.gp), FOLDS.length);
  const difference = pairedComparison(pointLogDensities(y, asPredictions(options.network)), pointLogDensities(y, asPredictions(options.gp)));
  const flags = scores.r2 < 0 ? ['worse-than-mean'] : [];
  const artifactPath = join('models', String(campaignId), `seeded-${options.kind}-${options.objective}`);
  const dir = join(server.dataDir, artifactPath);
  const encoding = { parameters: options.parameters, features: null };
  saveNetworkSurrogate(dir, { format: 1, kind: options.kind, objective: options.objective, ensemble: handMadeEnsemble(), encoding });
  saveCrossValidation(dir, { format: 1, objective: options.objective, rows: options.rows, folds: FOLDS, network: options.network, gp: options.gp });
  const row = await database!.insertModel({
    campaignId,
    kind: options.kind,
    architecture: { objective: options.objective, hidden: [2], members: 2, encoding },
    metrics: { ...scores, varianceScale: 1.2, comparison: { gp, difference }, flags },
    trainingSnapshot: { resultIds: options.rows.map((r) => r.resultId), at: Date.now() },
    artifactPath,
  });
  return { id: row.id, scores };
}

beforeAll(async () => {
  ensureFrontendBuilt(repositoryRoot);
  server = await startTwinlab(repositoryRoot, 'tl_e2e_models_token_0123456789abcdef');
  browser = await launchChromium();
  page = await browser.newPage({ viewport: WIDE });
  collectPageErrors(page, pageErrors);

  const campaign = await api<{ id: number; parameters: Parameter[] }>('/api/campaigns', {
    method: 'POST',
    body: JSON.stringify({
      name: 'Coating thickness',
      parameters: COATING_PARAMETERS,
      objectives: [
        { name: 'thickness', goal: 'maximize', unit: 'nm' },
        { name: 'roughness', goal: 'minimize', unit: 'nm' },
      ],
    }),
  });
  campaignId = campaign.id;
  // A smooth response on a 4 × 3 grid plus fixed noise; roughness is noise around 2 nm.
  const noise = [0.8, -1.1, 0.4, -0.3, 1.2, -0.9, 0.1, -1.4, 0.9, -0.2, 0.6, -0.7];
  const grid = [20, 40, 60, 80].flatMap((temperature) => [2, 12, 28].map((time) => ({ temperature, time })));
  await api(`/api/campaigns/${campaignId}/results`, {
    method: 'POST',
    body: JSON.stringify(grid.map((params, i) => ({
      params,
      outcomes: { thickness: 0.5 * params.temperature + 20 * (1 - Math.exp(-params.time / 8)) + noise[i], roughness: 2 + 0.3 * noise[(i + 5) % 12] },
    }))),
  });
  const results = await api<{ items: { id: number; sampleId: number; outcomes: Record<string, number> }[] }>(`/api/campaigns/${campaignId}/results`);
  const rowsOf = (objective: string) => results.items.map((r) => ({ resultId: r.id, sampleId: r.sampleId, y: r.outcomes[objective] }));
  const thickness = rowsOf('thickness');
  const roughness = rowsOf('roughness');
  const meanOf = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

  database = sqliteStore(openDatabase(join(server.dataDir, 'twinlab.sqlite')));
  // Thickness: the ensemble is close (errors ±0.5 nm, σ 0.8), the GP farther and wider: the ensemble wins clearly.
  const thicknessGp = { mean: thickness.map((r, i) => r.y + (i % 2 === 0 ? 1.3 : -1.1)), std: thickness.map(() => 1.6) };
  // An older Surgeon ensemble (registered first) that predicts the opposite trend: worse than the mean, flagged.
  const yMean = meanOf(thickness.map((r) => r.y));
  ids.thicknessSurgeon = (await registerNetwork({
    kind: 'surgeon', objective: 'thickness', rows: thickness, parameters: campaign.parameters, gp: thicknessGp,
    network: { mean: thickness.map((r) => 2 * yMean - r.y), std: thickness.map(() => 3) },
  })).id;
  const ensemble = await registerNetwork({
    kind: 'deep-ensemble', objective: 'thickness', rows: thickness, parameters: campaign.parameters, gp: thicknessGp,
    network: { mean: thickness.map((r, i) => r.y + (i % 3 === 0 ? 0.5 : -0.4)), std: thickness.map(() => 0.8) },
  });
  ids.thicknessEnsemble = ensemble.id;
  thicknessEnsembleScores = ensemble.scores;
  // Roughness is noise: the ensemble overfits it (worse than the mean), so the GP decides.
  const roughnessMean = meanOf(roughness.map((r) => r.y));
  ids.roughnessEnsemble = (await registerNetwork({
    kind: 'deep-ensemble', objective: 'roughness', rows: roughness, parameters: campaign.parameters,
    gp: { mean: roughness.map(() => roughnessMean), std: roughness.map(() => 0.35) },
    network: { mean: roughness.map((r) => 2 * roughnessMean - r.y), std: roughness.map(() => 0.2) },
  })).id;
});

afterAll(async () => {
  await database?.close();
  await browser?.close();
  await server?.stop();
});

/** The "which model decides" card of one objective. */
const choiceOf = (objective: string) => page.locator(`[data-testid=surrogate-choice][data-objective="${objective}"]`);

describe('the Models page says which model decides', () => {
  it('names the deciding model per objective with the reason and the comparison that chose it', async () => {
    const report = await api<SurrogateReport>(`/api/campaigns/${campaignId}/surrogates`);
    const thicknessView = report.objectives.find((view) => view.objective === 'thickness')!;
    const roughnessView = report.objectives.find((view) => view.objective === 'roughness')!;
    expect(thicknessView.chosen).toEqual({ kind: 'deep-ensemble', modelId: ids.thicknessEnsemble });
    expect(roughnessView.chosen.kind).toBe('gp');

    await page.goto(server.signInUrl);
    await page.getByRole('heading', { name: 'Campaigns', exact: true }).waitFor();
    await page.goto(`${server.baseUrl}/campaigns/${campaignId}/models`);
    await page.getByRole('heading', { name: 'Which model decides' }).waitFor();

    const thickness = choiceOf('thickness');
    await thickness.waitFor();
    expect(await thickness.getByTestId('decider').textContent()).toBe(`Deep ensemble #${ids.thicknessEnsemble}`);
    expect(await thickness.getByTestId('decider-reason').textContent()).toBe(reasonInWords(thicknessView.reason));
    expect(thicknessView.reason).toContain(`#${ids.thicknessEnsemble}`);
    // GP, ensemble and Surgeon ensemble were compared on the same folds: one GP row for both networks.
    const rows = thickness.getByTestId('comparison-row');
    expect(await rows.evaluateAll((list) => list.map((row) => row.getAttribute('data-kind')))).toEqual(['gp', 'deep-ensemble', 'surgeon']);
    const ensembleRow = thickness.locator(`[data-testid=comparison-row][data-model-id="${ids.thicknessEnsemble}"]`);
    expect(await ensembleRow.getAttribute('class')).toContain('chosen');
    const ensembleText = (await ensembleRow.textContent()) ?? '';
    expect(ensembleText).toContain(thicknessEnsembleScores.logDensity.toFixed(2).replace('-', '−'));
    expect(ensembleText).toContain('ranks suggestions');
    expect(await thickness.locator(`[data-testid=comparison-row][data-model-id="${ids.thicknessSurgeon}"] [data-testid=candidate-verdict]`).textContent())
      .toContain('worse than predicting the mean');
    expect(await thickness.locator('thead').textContent()).toContain('target 95 %');
    expect(await thickness.locator('thead').textContent()).toContain('nm');

    const roughness = choiceOf('roughness');
    expect(await roughness.getByTestId('decider').textContent()).toBe('Gaussian process (fitted at each suggestion)');
    expect(await roughness.getByTestId('decider-reason').textContent()).toBe(reasonInWords(roughnessView.reason));
    expect(await roughness.getByTestId('candidate-verdict').textContent()).toContain('worse than predicting the mean');
  });

  it('shows the diagnostics of the deciding model by default, titled with its kind and id, and lets the user pick another', async () => {
    const diagnostics = page.getByTestId('model-diagnostics');
    const title = `Deep ensemble #${ids.thicknessEnsemble}`;
    await diagnostics.getByText(`${title} — held-out predictions`).waitFor({ timeout: 60_000 });
    expect(await diagnostics.getByTestId('diagnostics-objective').inputValue()).toBe('thickness');
    expect(await diagnostics.getByTestId('diagnostics-model').inputValue()).toBe(String(ids.thicknessEnsemble));
    // One objective of one model at a time: a parity plot, one 2-D slice and one 1-D slice (the selector picks them).
    const parity = diagnostics.locator('svg[role=img]', { has: page.locator('title', { hasText: 'Parity plot of thickness' }) });
    expect(await parity.locator('circle').count()).toBe(12);
    expect(await diagnostics.locator('svg[role=img]').count()).toBe(3);
    for (const heading of await diagnostics.locator('.chart-heading').allTextContents()) expect(heading.startsWith(title)).toBe(true);
    await diagnostics.scrollIntoViewIfNeeded();
    await screenshot('01-decides-1440');

    await diagnostics.getByTestId('diagnostics-model').selectOption(String(ids.thicknessSurgeon));
    await diagnostics.getByText(`Surgeon ensemble #${ids.thicknessSurgeon} — held-out predictions`).waitFor({ timeout: 60_000 });
    await diagnostics.getByTestId('diagnostics-objective').selectOption('roughness');
    // Roughness has no GP record before the first suggestion: the page says so, and its network is the only model to diagnose.
    await diagnostics.getByTestId('gp-not-recorded').waitFor();
    await diagnostics.getByText(`Deep ensemble #${ids.roughnessEnsemble} — held-out predictions`).waitFor({ timeout: 60_000 });
    expect(pageErrors).toEqual([]);
  });

  it('changes the campaign’s surrogate setting and refreshes the choice', async () => {
    const setting = page.getByTestId('surrogate-setting');
    expect(await setting.inputValue()).toBe('auto');
    await setting.selectOption('gp');
    await expect.poll(async () => (await api<{ settings: { surrogate?: string } }>(`/api/campaigns/${campaignId}`)).settings.surrogate).toBe('gp');
    await expect.poll(() => choiceOf('thickness').getByTestId('decider').textContent()).toBe('Gaussian process (fitted at each suggestion)');
    await setting.selectOption('auto');
    await expect.poll(() => choiceOf('thickness').getByTestId('decider').textContent()).toBe(`Deep ensemble #${ids.thicknessEnsemble}`);
    expect(await setting.isDisabled()).toBe(false);
  });

  it('badges the suggestions a network ranked', async () => {
    await page.getByRole('link', { name: 'Next experiments' }).click();
    await page.getByRole('button', { name: 'Suggest batch' }).click();
    const cards = page.getByTestId('suggestion');
    await cards.first().waitFor({ timeout: 60_000 });
    const badges = page.getByTestId('ranked-by');
    expect(await badges.count()).toBe(await cards.count());
    expect(await badges.first().textContent()).toBe(`thickness ranked by deep ensemble #${ids.thicknessEnsemble}`);
    // The batch heading names both models: the GP record that ranked roughness and the network that ranked thickness.
    expect(await page.locator('#batch-title').textContent()).toMatch(new RegExp(`Gaussian process #\\d+, deep ensemble #${ids.thicknessEnsemble}`));
    await screenshot('02-badge-1440');
  });

  it('offers the GP record’s diagnostics after a suggestion, titled with its id', async () => {
    await page.getByRole('link', { name: 'Models' }).click();
    const report = await api<SurrogateReport>(`/api/campaigns/${campaignId}/surrogates`);
    const gpId = report.objectives.find((view) => view.objective === 'roughness')!.chosen.modelId;
    expect(gpId).not.toBeNull();
    const diagnostics = page.getByTestId('model-diagnostics');
    await diagnostics.getByTestId('diagnostics-objective').selectOption('roughness');
    expect(await diagnostics.getByTestId('diagnostics-model').inputValue()).toBe(String(gpId));
    await diagnostics.getByText(`Gaussian process #${gpId} — held-out predictions`).waitFor({ timeout: 60_000 });
    expect(pageErrors).toEqual([]);
  });

  it('fits a phone: no sideways scroll, the comparison as cards', async () => {
    await page.setViewportSize(NARROW);
    await page.reload();
    await choiceOf('thickness').getByTestId('decider').waitFor();
    await page.getByTestId('model-diagnostics').locator('svg[role=img]').first().waitFor({ timeout: 60_000 });
    await expectNoSidewaysScroll(page);
    await screenshot('03-decides-390');
    await page.setViewportSize(WIDE);
  });

  it('joins the automatic training job already waiting on the same data instead of pretending a new one started', async () => {
    // Posting results scheduled an automatic retraining (held back for an hour in these tests): it is queued now.
    const active = async () => (await api<{ items: { id: number; kind: string; status: string }[] }>(`/api/jobs?campaignId=${campaignId}`)).items
      .filter((job) => job.status === 'queued' || job.status === 'running');
    const [waiting] = await active();
    expect(waiting).toBeDefined();
    await page.reload();
    await page.getByRole('button', { name: 'Train now' }).click();
    const joined = page.getByTestId('train-joined');
    await joined.waitFor();
    expect(await joined.textContent()).toMatch(new RegExp(`^Joined the training job #${waiting.id} already (running|queued) on the same data\\.$`));
    expect(await page.getByTestId('job-progress').locator('strong').textContent()).toContain(`#${waiting.id}`);
    expect((await active()).map((job) => job.id)).toEqual([waiting.id]);
    await screenshot('04-train-joined-1440');
    expect(pageErrors).toEqual([]);
  });
});
