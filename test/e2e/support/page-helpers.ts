// What every browser test sets up the same way: the two viewports it checks, direct API calls with the admin token
// (as a lab script would make them), full-page screenshots under test/e2e/screenshots/, and the page's errors
// collected for the final "no errors" check.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { RunningTwinlab } from './server.js';

export const WIDE = { width: 1440, height: 900 };
export const NARROW = { width: 390, height: 844 };
const SCREENSHOT_DIR = fileURLToPath(new URL('../screenshots', import.meta.url));

/**
 * The API of the server `server()` returns (read at each call: tests start it in beforeAll), called with its admin
 * token; fails on a non-2xx answer. Bodies are sent as JSON unless they are FormData (multipart, an upload).
 */
export function apiCaller(server: () => RunningTwinlab): <T>(path: string, init?: RequestInit) => Promise<T> {
  return async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const { baseUrl, token } = server();
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${token}`);
    if (!(init.body instanceof FormData) && !headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
    const response = await fetch(baseUrl + path, { ...init, headers });
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
}

/** Saves full-page screenshots of `page()` as test/e2e/screenshots/<prefix>-<name>.png. */
export function screenshotter(page: () => Page, prefix: string): (name: string) => Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return async (name) => {
    await page().screenshot({ path: join(SCREENSHOT_DIR, `${prefix}-${name}.png`), fullPage: true });
  };
}

/**
 * Collects the page's uncaught errors and console errors into `errors`. A resource that answered 4xx is left out: the
 * tests provoke those (a refused form, an image no model has predicted yet); anything else is a bug.
 */
export function collectPageErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) errors.push(message.text());
  });
}

/**
 * Waits until the page no longer scrolls sideways at phone width (wide tables scroll inside their own box or become
 * cards). A string script: these files compile without the DOM library, and the protocol evaluates it (the app's CSP
 * forbids the page itself to evaluate strings, as waitForFunction would).
 */
export async function expectNoSidewaysScroll(page: Page, width = NARROW.width): Promise<void> {
  await expect.poll(() => page.evaluate<number>('document.documentElement.scrollWidth'), { timeout: 15_000 }).toBeLessThanOrEqual(width);
}
