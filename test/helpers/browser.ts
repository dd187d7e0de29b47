// A real browser for the console's tests: Debian's Chromium driven by playwright-core (no
// browser download). Screenshots go to test-output/console/ (ignored by git); the ones kept for
// the README are copied from there into docs/console/ by hand, after looking at them.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './server.js';

export const CHROMIUM = process.env.LAMBKIN_CHROMIUM ?? '/usr/bin/chromium';
export const SHOTS = join(ROOT, 'test-output/console');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function newPage(browser: Browser, opts: { width?: number; height?: number; dark?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: opts.height ?? 860 }, colorScheme: opts.dark ? 'dark' : 'light' });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  // Uncaught errors in the app are failures of the app: tests assert there are none.
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** The cells of the table row containing `text`, keyed by column title. */
export async function rowCells(page: Page, tableLabel: string, text: string): Promise<Record<string, string>> {
  const table = page.locator(`table[aria-label="${tableLabel}"]`);
  const row = table.locator('tbody tr', { hasText: text }).first();
  await row.waitFor();
  return table.evaluate((t, rowIndex) => {
    const heads = [...t.querySelectorAll('thead th')].map((th) => th.textContent ?? '');
    const tr = (t as HTMLTableElement).tBodies[0]!.rows[rowIndex]!;
    return Object.fromEntries([...tr.cells].map((c, i) => [heads[i], (c.textContent ?? '').trim()]));
  }, await row.evaluate((tr) => (tr as HTMLTableRowElement).sectionRowIndex));
}
