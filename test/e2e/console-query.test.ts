// The console's Query page in a real browser: a function logs a few orders, the user types a
// Logs Insights query and sees its results as a table; a `stats … by bin(…)` query draws a chart;
// the queries run are kept in the history (this browser's localStorage) and survive a reload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { createFunction, NODE, waitFor } from '../helpers/functions.js';
import { filterAll, invokeJson } from '../helpers/logs.js';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.js';

const SHOP = 'exports.lambda_handler = async (e) => { console.log(JSON.stringify({ level: "INFO", orderId: e.order, total: e.total })); return 1; };';

let lk: Lambkin;
let browser: Browser;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  [lk, browser] = await Promise.all([startLambkin(), launchBrowser()]);
  await createFunction(lk.lambda, 'shop', NODE, { [NODE.file]: SHOP });
  for (const [order, total] of [['A-1', 10], ['B-2', 25], ['C-3', 7]] as const) await invokeJson(lk.lambda, 'shop', { order, total });
  await waitFor('the three orders stored', async () => (await filterAll(lk.logs, { logGroupName: '/aws/lambda/shop', filterPattern: 'orderId' })).length === 3 || undefined);
  ({ page, errors: pageErrors } = await newPage(browser));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await lk?.stop();
});

async function runQuery(text: string): Promise<void> {
  await page.getByLabel('Query', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Run' }).click();
}

describe('console Query page', () => {
  it('a typed query shows its results as a table', async () => {
    await page.goto(`${lk.url}/console/query`);
    await page.getByLabel('Log group').locator('option', { hasText: '/aws/lambda/shop' }).waitFor({ state: 'attached' });
    await runQuery('fields orderId, total\n| filter total > 8\n| sort total desc');
    const table = page.locator('table[aria-label="Query results"]');
    await table.waitFor();
    expect(await table.locator('thead th').allTextContents()).toEqual(['orderId', 'total']);
    expect(await table.locator('tbody tr').allTextContents()).toEqual(['B-225', 'A-110']);
    expect(await page.locator('svg, canvas').count()).toBe(0); // not a binned query: no chart
    await screenshot(page, 'query-table');
  });

  it('a stats … by bin() query draws a chart over the bins', async () => {
    await runQuery('filter ispresent(orderId) | stats count(*) as orders, sum(total) as revenue by bin(5m)');
    const table = page.locator('table[aria-label="Query results"]');
    await table.locator('thead th', { hasText: 'revenue' }).waitFor();
    const panel = page.locator('figure.chart-panel');
    await panel.waitFor();
    expect(await panel.locator('figcaption').textContent()).toBe('orders, revenue');
    expect(await panel.locator('canvas').count()).toBeGreaterThan(0);
    const revenue = await table.locator('tbody tr td:last-child').allTextContents();
    expect(revenue.map(Number).reduce((a, b) => a + b, 0)).toBe(42);
    await screenshot(page, 'query-chart');
  });

  it('keeps the history across a reload, and a bad query says where it is wrong', async () => {
    await page.reload();
    await page.getByText('History').click();
    const items = page.getByRole('list', { name: 'Query history' }).getByRole('button');
    expect(await items.count()).toBe(2);
    expect(await items.first().textContent()).toContain('by bin(5m)');
    expect(await page.getByLabel('Query', { exact: true }).inputValue()).toContain('by bin(5m)');
    await runQuery('fields @message | filter (');
    await expect.poll(() => page.locator('.results').textContent()).toMatch(/line 1, column \d+/);
    expect(pageErrors).toEqual([]);
  });
});
