// Debian's Chromium driven by playwright-core (no downloaded browser).
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.TWINLAB_CHROMIUM ?? '/usr/bin/chromium';

/** Launches headless Chromium with the flags that make it quiet and sandbox-free in CI containers. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
