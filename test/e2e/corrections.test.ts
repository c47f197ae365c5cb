// End-to-end: correcting and retracting data, the history panel, archiving and scoped tokens, in Debian's Chromium
// against the production build served by the real server. One server and one page; the cases build on each other.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser.js';
import { ensureFrontendBuilt } from './support/build.js';
import { startTwinlab, type RunningTwinlab } from './support/server.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const screenshotDir = join(repositoryRoot, 'test', 'e2e', 'screenshots');

interface StoredResult {
  id: number;
  sampleId: number;
  outcomes: Record<string, number>;
  retractedAt: string | null;
  retractionReason: string | null;
  corrections: number;
}

interface StoredAuditEvent {
  entity: string;
  entityId: number;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  reason: string;
  actor: string;
}

let server: RunningTwinlab;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
let campaignId = 0;
/** Result ids by the sample's externalId (M-3 has two replicates: the first and the second). */
const resultIds: Record<string, number> = {};
const sampleIds: Record<string, number> = {};

/** Calls the API directly (as a script would) with the admin token; fails on a non-2xx answer. */
async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(server.baseUrl + path, { ...init, headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json', ...init.headers } });
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

async function screenshot(name: string, target: Page | Locator = page): Promise<void> {
  const path = join(screenshotDir, `corrections-${name}.png`);
  if ('goto' in target) await target.screenshot({ path, fullPage: true });
  else await target.screenshot({ path });
}

/** The table row of one result. */
const resultRow = (resultId: number) => page.locator(`tr[data-result-id="${resultId}"]`);

beforeAll(async () => {
  mkdirSync(screenshotDir, { recursive: true });
  ensureFrontendBuilt(repositoryRoot);
  server = await startTwinlab(repositoryRoot, 'tl_e2e_corrections_token_0123456789abcdef');
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    // Refused writes (409 on an archived campaign) are part of the cases; anything else is a bug.
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) pageErrors.push(message.text());
  });

  const campaign = await api<{ id: number }>('/api/campaigns', {
    method: 'POST',
    body: JSON.stringify({
      name: 'PVDF membranes',
      parameters: [{ name: 'temperature', type: 'continuous', min: 20, max: 80, unit: 'C' }],
      objectives: [{ name: 'flux', goal: 'maximize', unit: 'LMH' }, { name: 'rejection', goal: 'maximize' }],
    }),
  });
  campaignId = campaign.id;
  const samples = await api<{ items: { id: number; externalId: string }[] }>(`/api/campaigns/${campaignId}/samples`, {
    method: 'POST',
    body: JSON.stringify([25, 40, 55, 70].map((temperature, index) => ({ externalId: `M-${index + 1}`, params: { temperature } }))),
  });
  for (const sample of samples.items) sampleIds[sample.externalId] = sample.id;
  const recorded = await api<{ items: StoredResult[] }>(`/api/campaigns/${campaignId}/results`, {
    method: 'POST',
    body: JSON.stringify([
      { externalId: 'M-1', outcomes: { flux: 12.5, rejection: 0.91 } },
      { externalId: 'M-2', outcomes: { flux: 180, rejection: 0.2 } },
      { externalId: 'M-3', outcomes: { flux: 15.5, rejection: 0.9 } },
      { externalId: 'M-3', outcomes: { flux: 16.1, rejection: 0.88 } },
    ]),
  });
  [resultIds['M-1'], resultIds['M-2'], resultIds['M-3a'], resultIds['M-3b']] = recorded.items.map((result) => result.id);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('correcting data in the browser', () => {
  it('shows each result of each sample, replicates included, with its actions', async () => {
    await page.goto(server.signInUrl);
    await page.getByRole('heading', { name: 'Campaigns', exact: true }).waitFor();
    await page.goto(`${server.baseUrl}/campaigns/${campaignId}`);
    await page.getByRole('heading', { name: 'Samples (4)' }).waitFor();
    expect(await page.locator('tr[data-result-id]').count()).toBe(4);
    expect(await resultRow(resultIds['M-3b']).locator('td').first().textContent()).toMatch(/^↳/);
    expect(await resultRow(resultIds['M-1']).getByRole('button', { name: 'Correct…' }).isEnabled()).toBe(true);
    // Nothing is retracted yet, so there is nothing to show or hide.
    expect(await page.getByLabel(/Show retracted/).count()).toBe(0);
    await page.getByText('No corrections, retractions or archiving yet.').waitFor();
  });

  it('corrects a result: the reason is required, the row says "corrected ×1" and shows what changed on click', async () => {
    const row = resultRow(resultIds['M-1']);
    await row.getByRole('button', { name: 'Correct…' }).click();
    const dialog = page.getByRole('dialog', { name: /Correct result #\d+ of sample M-1/ });
    await dialog.waitFor();
    expect(await dialog.locator('input[data-outcome=flux]').inputValue()).toBe('12.5');
    await dialog.locator('input[data-outcome=flux]').fill('21.5');
    await dialog.getByRole('button', { name: 'Save correction' }).click();
    await dialog.getByText('Say why this result is corrected').waitFor();
    expect((await api<{ items: StoredResult[] }>(`/api/campaigns/${campaignId}/results`)).items.find((r) => r.id === resultIds['M-1'])?.outcomes.flux).toBe(12.5);

    await dialog.getByLabel('Why is it corrected?').fill('transcription error: the lab sheet says 21.5');
    await screenshot('01-correct-dialog');
    await dialog.getByRole('button', { name: 'Save correction' }).click();
    await page.getByText(`Result #${resultIds['M-1']} of sample M-1 corrected.`).waitFor();
    await dialog.waitFor({ state: 'detached' });
    const marker = row.getByRole('button', { name: 'corrected ×1' });
    await marker.waitFor();
    expect(await row.locator('td.outcome').first().textContent()).toBe('21.5');

    await marker.click();
    const history = page.locator(`[aria-label="History of result #${resultIds['M-1']}"]`);
    await history.getByText('transcription error: the lab sheet says 21.5').waitFor();
    expect(await history.textContent()).toMatch(/corrected by Admin:\s*flux\s*12\.5\s*→\s*21\.5/);
    expect(await marker.getAttribute('aria-expanded')).toBe('true');

    const stored = (await api<{ items: StoredResult[] }>(`/api/campaigns/${campaignId}/results`)).items.find((r) => r.id === resultIds['M-1']);
    expect(stored).toMatchObject({ outcomes: { flux: 21.5, rejection: 0.91 }, corrections: 1, retractedAt: null });
    const audit = await api<{ items: StoredAuditEvent[]; total: number }>(`/api/campaigns/${campaignId}/audit?entity=result&entityId=${resultIds['M-1']}`);
    expect(audit.total).toBe(1);
    expect(audit.items[0]).toMatchObject({
      action: 'correct',
      before: { outcomes: { flux: 12.5, rejection: 0.91 } },
      after: { outcomes: { flux: 21.5, rejection: 0.91 } },
      reason: 'transcription error: the lab sheet says 21.5',
    });
  });

  it('retracts a result with a reason: hidden by default, struck through with the reason behind "Show retracted"', async () => {
    const row = resultRow(resultIds['M-2']);
    await row.getByRole('button', { name: 'Retract…' }).click();
    const dialog = page.getByRole('dialog', { name: /Retract result #\d+ of sample M-2\?/ });
    await dialog.getByRole('button', { name: 'Retract result' }).click();
    await dialog.getByText('A reason is required').waitFor();
    await dialog.getByLabel('Why is it retracted?').fill('the membrane cracked during the measurement');
    await dialog.getByRole('button', { name: 'Retract result' }).click();
    await page.getByText(`Result #${resultIds['M-2']} of sample M-2 retracted.`).waitFor();
    await row.waitFor({ state: 'detached' });

    const toggle = page.getByLabel('Show retracted (1)');
    await toggle.check();
    await row.waitFor();
    expect(await row.getAttribute('class')).toContain('retracted');
    expect(await row.getByTestId('retraction').textContent()).toBe('Retracted: the membrane cracked during the measurement');
    // The page-side code is a string: the root tsconfig has no DOM lib.
    const decoration = await page.evaluate<string>(`getComputedStyle(document.querySelector('tr[data-result-id="${resultIds['M-2']}"] td.outcome')).textDecorationLine`);
    expect(decoration).toBe('line-through');
    expect(await row.getByRole('button', { name: 'Correct…' }).count()).toBe(0);
    // The charts keep to what models use: the 180 LMH outlier is gone from the trace.
    await screenshot('02-corrected-and-retracted-rows', page.locator('section[aria-labelledby=samples-title]'));

    const active = await api<{ items: StoredResult[] }>(`/api/campaigns/${campaignId}/results`);
    expect(active.items.map((r) => r.id)).not.toContain(resultIds['M-2']);
    const all = await api<{ items: StoredResult[] }>(`/api/campaigns/${campaignId}/results?includeRetracted=true`);
    const retracted = all.items.find((r) => r.id === resultIds['M-2']);
    expect(retracted?.retractionReason).toBe('the membrane cracked during the measurement');
    expect(retracted?.retractedAt).not.toBeNull();
  });

  it('retracts a whole sample, which takes its results with it', async () => {
    const firstRow = page.locator(`tbody[data-sample-id="${sampleIds['M-3']}"] tr`).first();
    await firstRow.getByRole('button', { name: 'Retract sample…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Retract sample M-3?' });
    await dialog.getByLabel('Why is it retracted?').fill('wrong precursor batch');
    await dialog.getByRole('button', { name: 'Retract sample' }).click();
    await page.getByText('Sample M-3 retracted.').waitFor();
    await page.getByLabel('Show retracted (4)').waitFor();
    expect(await resultRow(resultIds['M-3a']).getByText('Retracted: wrong precursor batch').count()).toBe(1);
    const samples = await api<{ items: { id: number; status: string }[] }>(`/api/campaigns/${campaignId}/samples`);
    expect(samples.items.find((s) => s.id === sampleIds['M-3'])?.status).toBe('retracted');
  });

  it('lists every change in the History panel, newest first: what, who, before → after, why', async () => {
    const history = page.getByTestId('history');
    await history.getByText('Retracted sample M-3').waitFor();
    const titles = await history.locator('li strong').allTextContents();
    expect(titles).toEqual([
      'Retracted sample M-3',
      `Retracted result #${resultIds['M-3b']} of sample M-3`,
      `Retracted result #${resultIds['M-3a']} of sample M-3`,
      `Retracted result #${resultIds['M-2']} of sample M-2`,
      `Corrected result #${resultIds['M-1']} of sample M-1`,
    ]);
    const correction = history.locator('li').last();
    expect(await correction.textContent()).toMatch(/flux\s*12\.5\s*→\s*21\.5/);
    expect(await correction.textContent()).toContain('Why: transcription error: the lab sheet says 21.5');
    expect(await correction.textContent()).toContain('by Admin');
    expect(await history.locator('li').nth(3).textContent()).toMatch(/sample status\s*measured\s*→\s*candidate/);
    await page.getByRole('heading', { name: 'History (5)' }).scrollIntoViewIfNeeded();
    await screenshot('03-history-panel', page.locator('section.history'));
  });

  it('shows the server message when a write is refused because someone archived the campaign meanwhile, then disables writes', async () => {
    await api(`/api/campaigns/${campaignId}/archive`, { method: 'POST', body: JSON.stringify({ reason: 'study closed by the PI' }) });
    await resultRow(resultIds['M-1']).getByRole('button', { name: 'Correct…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('input[data-outcome=rejection]').fill('0.93');
    await dialog.getByLabel('Why is it corrected?').fill('recalibrated');
    await dialog.getByRole('button', { name: 'Save correction' }).click();
    await dialog.getByRole('alert').getByText(/is archived and read-only; restore it first/).waitFor();
    await screenshot('04-refused-archived');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    const stored = (await api<{ items: StoredResult[] }>(`/api/campaigns/${campaignId}/results`)).items.find((r) => r.id === resultIds['M-1']);
    expect(stored?.outcomes.rejection).toBe(0.91);

    await page.reload();
    await page.getByTestId('archived-badge').waitFor();
    await page.getByText(/this campaign is read-only/).waitFor();
    expect(await resultRow(resultIds['M-1']).getByRole('button', { name: 'Correct…' }).isDisabled()).toBe(true);
    expect(await page.getByRole('heading', { name: 'Import samples from CSV' }).count()).toBe(0);
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot('05-archived-campaign');

    // The other pages keep to it as well: no suggestions (they would mark samples pending), no training.
    await page.getByRole('link', { name: 'Next experiments' }).click();
    await page.getByRole('heading', { name: 'Ask for the next experiments' }).waitFor();
    expect(await page.getByRole('button', { name: 'Suggest batch' }).isDisabled()).toBe(true);
    await page.getByRole('link', { name: 'Models' }).click();
    expect(await page.getByRole('button', { name: 'Train now' }).isDisabled()).toBe(true);
    expect(await page.getByTestId('archived-badge').count()).toBe(1);
  });

  it('hides archived campaigns from the list unless asked, and restores one with a reason', async () => {
    await page.getByRole('link', { name: 'Campaigns' }).click();
    await page.getByText('No campaigns yet').waitFor();
    await page.getByLabel('Show archived').check();
    const card = page.locator('li.card', { hasText: 'PVDF membranes' });
    await card.getByText('Archived').waitFor();
    await screenshot('06-campaign-list-archived');
    await card.getByRole('link', { name: 'PVDF membranes' }).click();

    await page.getByRole('button', { name: 'Restore…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Restore “PVDF membranes”?' });
    await dialog.getByLabel('Why is it restored?').fill('follow-up series');
    await dialog.getByRole('button', { name: 'Restore campaign' }).click();
    await page.getByTestId('archived-badge').waitFor({ state: 'detached' });
    expect(await resultRow(resultIds['M-1']).getByRole('button', { name: 'Correct…' }).isEnabled()).toBe(true);
    await page.getByTestId('history').getByText('Restored the campaign').waitFor();
    expect(await page.getByTestId('history').locator('li').first().textContent()).toContain('Why: follow-up series');
    expect((await api<{ archivedAt: string | null }>(`/api/campaigns/${campaignId}`)).archivedAt).toBeNull();
  });

  it('creates a token limited to one campaign, lists its scope, and shows the admin token from the environment as not revocable', async () => {
    await page.getByRole('link', { name: 'Tokens' }).click();
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    await page.locator('input[placeholder^="e.g. robot"]').fill('robot-1');
    await page.getByLabel('Role').selectOption('client');
    await page.getByLabel('Only these campaigns:').check();
    expect(await page.getByRole('button', { name: 'Create token' }).isDisabled()).toBe(true);
    await page.getByRole('list', { name: 'Campaigns' }).getByLabel('PVDF membranes').check();
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByText('Token for robot-1 (client, PVDF membranes)').waitFor();
    const tokens = await api<{ items: { id: number; name: string; campaigns: number[] | null; managedByEnvironment: boolean }[] }>('/api/tokens');
    const robot = tokens.items.find((token) => token.name === 'robot-1');
    expect(robot?.campaigns).toEqual([campaignId]);
    expect(await page.locator(`tr[data-token-id="${robot?.id}"] td.scope`).textContent()).toBe('PVDF membranes');

    const admin = tokens.items.find((token) => token.managedByEnvironment);
    const adminRow = page.locator(`tr[data-token-id="${admin?.id}"]`);
    expect(await adminRow.getByText('you').count()).toBe(1);
    expect(await adminRow.getByRole('button', { name: 'Revoke…' }).count()).toBe(0);
    expect(await adminRow.textContent()).toContain('cannot be revoked here');
    await screenshot('07-tokens');
    expect(pageErrors).toEqual([]);
  });
});
