// End-to-end (issue 14, the smaller items): the header names the environment's admin token "Admin" and keeps its
// origin in a tooltip; the Tokens page will not revoke the token the browser is signed in with and says why; a CSV
// import button that cannot be pressed says why, and the preview and the server name bad rows by the same file line;
// the header and the campaign tabs fit a 390 px phone (tabs wrap, nothing scrolls sideways). Screenshots at 1440 and
// 390 px are saved under test/e2e/screenshots/header-tokens-*.png.
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser.js';
import { ensureFrontendBuilt } from './support/build.js';
import { apiCaller, collectPageErrors, expectNoSidewaysScroll as expectPageNotSideways, NARROW, screenshotter, WIDE } from './support/page-helpers.js';
import { startTwinlab, type RunningTwinlab } from './support/server.js';
import { COATING_PARAMETERS } from './support/fixtures.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

let server: RunningTwinlab;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
let campaignId = 0;
let otherTokenId = 0;

const api = apiCaller(() => server);
const screenshot = screenshotter(() => page, 'header-tokens');

/** Neither the page nor the given boxes scroll sideways at phone width (a box may not hide content to the right). */
async function expectNoSidewaysScroll(selectors: string[]): Promise<void> {
  await expectPageNotSideways(page);
  for (const selector of selectors) {
    const overflow = await page.evaluate<number>(`(() => { const box = document.querySelector(${JSON.stringify(selector)}); return box.scrollWidth - box.clientWidth; })()`);
    expect(overflow, `${selector} overflows by ${overflow} px`).toBeLessThanOrEqual(0);
  }
}

beforeAll(async () => {
  ensureFrontendBuilt(repositoryRoot);
  server = await startTwinlab(repositoryRoot, 'tl_e2e_header_token_0123456789abcdef');
  browser = await launchChromium();
  page = await browser.newPage({ viewport: WIDE });
  // The refused import answers 422; anything else in the console is a bug.
  collectPageErrors(page, pageErrors);
  const campaign = await api<{ id: number }>('/api/campaigns', {
    method: 'POST',
    body: JSON.stringify({
      name: 'Sol–gel coating of Mg AZ31 sheets for corrosion protection (second series)',
      parameters: COATING_PARAMETERS,
      objectives: [{ name: 'thickness', goal: 'maximize', unit: 'nm' }],
    }),
  });
  campaignId = campaign.id;
  otherTokenId = (await api<{ id: number }>('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'robot-1', role: 'client' }) })).id;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('header, tokens and CSV import', () => {
  it('names the environment admin token "Admin", with where it comes from in the tooltip only', async () => {
    await page.goto(server.signInUrl);
    await page.getByRole('heading', { name: 'Campaigns', exact: true }).waitFor();
    const who = page.getByTestId('who');
    expect(await who.textContent()).toBe('Admin');
    expect(await who.getAttribute('title')).toContain('TWINLAB_ADMIN_TOKEN');
    expect(await page.locator('header').textContent()).not.toContain('TWINLAB_ADMIN_TOKEN');
  });

  it('will not revoke the token this browser is signed in with, and says why; other tokens can be revoked', async () => {
    await page.getByRole('link', { name: 'Tokens' }).click();
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    const me = (await api<{ tokenId: number }>('/api/whoami')).tokenId;
    // The environment's token is the one in use here: it says it cannot be revoked here at all.
    const ownRow = page.locator(`tr[data-token-id="${me}"]`);
    expect(await ownRow.textContent()).toContain('cannot be revoked here');

    // A second admin token, signed in with in another tab: its own row's button is disabled with the reason.
    const second = await api<{ id: number; token: string }>('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'lab lead', role: 'admin' }) });
    const secondPage = await browser.newPage({ viewport: WIDE });
    secondPage.on('pageerror', (error) => pageErrors.push(error.message));
    await secondPage.goto(`${server.baseUrl}/tokens?token=${encodeURIComponent(second.token)}`);
    const secondRow = secondPage.locator(`tr[data-token-id="${second.id}"]`);
    await secondRow.waitFor();
    const revoke = secondRow.getByRole('button', { name: 'Revoke…' });
    expect(await revoke.isDisabled()).toBe(true);
    expect(await secondRow.textContent()).toContain('You are signed in with this token');
    expect(await revoke.getAttribute('aria-describedby')).toBe(`own-token-${second.id}`);
    await screenshotter(() => secondPage, 'header-tokens')('01-own-token-1440');
    await secondPage.close();

    // The environment admin revokes the robot's token through the dialog.
    await page.reload();
    const robotRow = page.locator(`tr[data-token-id="${otherTokenId}"]`);
    await robotRow.getByRole('button', { name: 'Revoke…' }).click();
    await page.getByRole('button', { name: 'Revoke token' }).click();
    await page.getByText('Token “robot-1” revoked.').waitFor();
    await robotRow.waitFor({ state: 'detached' });
    await screenshot('02-tokens-1440');
  });

  it('says why the import button is disabled, and names bad rows by the same file line as the server', async () => {
    await page.goto(`${server.baseUrl}/campaigns/${campaignId}`);
    await page.getByRole('heading', { name: 'Import samples from CSV' }).waitFor();
    // Line 1 is the header, line 3 is blank, line 4 is out of range.
    const bad = 'temperature,time\n25,10\n\n95,10\n';
    await page.locator('#csv-input-samples').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    const button = page.getByRole('button', { name: 'Fix 1 row to import' });
    await button.waitFor();
    expect(await button.isDisabled()).toBe(true);
    expect(await page.getByTestId('import-disabled-reason').textContent()).toMatch(/all-or-nothing.*Nothing has been written/);
    expect(await page.getByTestId('invalid-row').locator('td').first().textContent()).toBe('4');

    // A duplicate externalId passes the browser's checks; the server's refusal names the same line numbers.
    const duplicate = 'externalId,temperature,time\nC-1,25,10\n\nC-1,30,12\n';
    await page.locator('#csv-input-samples').setInputFiles({ name: 'duplicate.csv', mimeType: 'text/csv', buffer: Buffer.from(duplicate) });
    await page.getByRole('button', { name: 'Import 2 samples' }).click();
    const refusal = page.getByTestId('server-import-error');
    await refusal.waitFor();
    expect(await refusal.locator('li').first().textContent()).toBe('Line 4 (externalId): "C-1" also appears at line 2');
    await screenshot('03-csv-import-1440');
  });

  it('fits the header and the campaign tabs into a 390 px phone: nothing scrolls sideways, every tab visible', async () => {
    await page.setViewportSize(WIDE);
    await page.goto(`${server.baseUrl}/campaigns/${campaignId}`);
    await page.getByRole('navigation', { name: 'Campaign' }).waitFor();
    await screenshot('04-campaign-1440');

    await page.setViewportSize(NARROW);
    await page.reload();
    const tabs = page.getByRole('navigation', { name: 'Campaign' });
    await tabs.waitFor();
    await expectNoSidewaysScroll(['header.app-header', 'nav.tabs', '.campaign-head h1']);
    for (const tab of await tabs.getByRole('link').all()) {
      const box = await tab.boundingBox();
      expect(box, `${await tab.textContent()} is drawn`).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width, `${await tab.textContent()} ends inside the screen`).toBeLessThanOrEqual(NARROW.width);
    }
    // "Admin" stands in for the role badge, so it stays on a phone.
    expect(await page.getByTestId('who').isVisible()).toBe(true);
    const signOut = await page.getByRole('button', { name: 'Sign out' }).boundingBox();
    expect(signOut!.x + signOut!.width).toBeLessThanOrEqual(NARROW.width);
    await screenshot('05-campaign-390');

    await page.getByRole('link', { name: 'Models' }).click();
    await page.getByRole('link', { name: 'Models', exact: true }).and(page.locator('[aria-current=page]')).waitFor();
    await expectNoSidewaysScroll(['header.app-header', 'nav.tabs']);

    await page.getByRole('link', { name: 'Tokens' }).click();
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    await expectNoSidewaysScroll(['header.app-header']);
    await screenshot('06-tokens-390');
  });

  it('logged no errors in the browser other than expected 4xx answers', () => {
    expect(pageErrors.join('\n')).toBe('');
  });
});
