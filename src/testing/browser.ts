/**
 * Debian's Chromium driven by playwright-core, for the browser tests (never `playwright install`:
 * it downloads a browser from outside the npm registry). The flags keep a headless Chromium from
 * calling out to Google's services, which this machine's closed network refuses.
 *
 * `openPage` blocks every request that does not go to the page's own origin (file:// or
 * loopback) and records it, and records console errors and page errors, so a test can assert
 * that a page works offline and cleanly.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env['BATCHWISE_CHROMIUM'] ?? '/usr/bin/chromium';

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export async function launchBrowser(): Promise<Browser> {
  if (!chromiumAvailable()) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set BATCHWISE_CHROMIUM`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

export interface WatchedPage {
  readonly page: Page;
  /** Console messages of type error, and uncaught page errors. */
  readonly errors: string[];
  /** Requests refused because they left file:// and loopback. */
  readonly blocked: string[];
}

const LOCAL = /^(file:|data:|blob:|about:|https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\/)/;

export async function openPage(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  const blocked: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (LOCAL.test(url)) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  return { page, errors, blocked };
}

/** A full-page screenshot where a person can look at it (the tests' screenshot folder). */
export async function screenshot(page: Page, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
}

/** Where browser tests leave their screenshots: `screenshots/` at the package root (git-ignored). */
export const SCREENSHOTS = new URL('../../screenshots/', import.meta.url).pathname;
