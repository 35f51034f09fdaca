// A real headless browser for the dashboard's tests: Debian's chromium (scripts/setup/browser.sh installs it) driven by
// playwright-core, which never downloads a browser of its own.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env['TG4_CHROMIUM'] ?? '/usr/bin/chromium';
/** Where the tests save a screenshot of each view (docs/dashboard.md). */
export const SCREENSHOTS = join(process.cwd(), '.tmp', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no chromium at ${CHROMIUM}: run 'bash scripts/setup/browser.sh' (apt-get install chromium), or set TG4_CHROMIUM`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/** A page whose console errors and failed requests are collected (a test asserts there were none). */
export async function openPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return { page, errors };
}

/** Waits until the router finished drawing the current view. */
export async function ready(page: Page): Promise<void> {
  await page.waitForSelector('#main[data-ready="true"]', { timeout: 15_000 });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
