// Debian's chromium for browser tests: found at /usr/bin/chromium, installed with apt-get (under
// the shared apt lock) when missing, launched headless through playwright-core with a fresh
// profile. Callers skip with the returned reason when no browser can be had.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** Path of a usable chromium, or the reason there is none. */
export function ensureChromium(): { path: string } | { skip: string } {
  if (existsSync(CHROMIUM_PATH)) return { path: CHROMIUM_PATH };
  const r = spawnSync('flock', ['/tmp/es2scope-apt.lock', 'apt-get', 'install', '-y', 'chromium'], { encoding: 'utf8', timeout: 600_000 });
  if (r.status === 0 && existsSync(CHROMIUM_PATH)) return { path: CHROMIUM_PATH };
  const why = (r.error?.message ?? r.stderr ?? '').trim().split('\n').slice(-2).join(' ');
  return { skip: `chromium not installed at ${CHROMIUM_PATH} and "apt-get install -y chromium" failed: ${why || `exit ${r.status}`}` };
}

export interface LaunchedBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A headless chromium with a fresh --user-data-dir, removed on close. */
export async function launchChromium(executablePath: string): Promise<LaunchedBrowser> {
  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'es2scope-chromium-'));
  // playwright passes the profile as --user-data-dir itself (launch() refuses it among args)
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface PageReport {
  charts: { id: string; rendered: string | null; marks: number }[];
  /** Every request other than the page itself (each one was aborted). */
  requests: string[];
  consoleErrors: string[];
  dialogs: string[];
  title: string;
  bodyText: string;
}

/**
 * Open an es2scope report page with every request routed (only the page itself loads), wait for
 * its charts, count marks per chart, save a full-page screenshot.
 */
export async function inspectReportPage(context: BrowserContext, pageUrl: string, screenshotPath: string): Promise<PageReport> {
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  const dialogs: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url === pageUrl) return route.continue();
    requests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('request', (r) => { if (r.url() !== pageUrl && !r.url().startsWith('data:') && !requests.includes(r.url())) requests.push(r.url()); });
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  await page.goto(pageUrl);
  await page.waitForSelector('body[data-charts-done="yes"]', { timeout: 60_000 });
  const charts = await page.$$eval('div.vega', (els) => els.map((el) => ({
    id: el.id,
    rendered: el.getAttribute('data-rendered'),
    // data marks only (vega's SVG renderer tags them "role-mark"; axes and legends are other roles)
    marks: el.querySelectorAll('svg g.role-mark > path, svg g.role-mark > text, svg g.role-mark > g > path').length,
  })));
  await page.screenshot({ path: screenshotPath, fullPage: true });
  return { charts, requests, consoleErrors, dialogs, title: await page.title(), bodyText: await page.locator('body').innerText() };
}
