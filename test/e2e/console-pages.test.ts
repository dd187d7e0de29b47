// The web console in a real browser (Debian's Chromium): two functions are deployed and invoked
// through the AWS SDK (successes, an error, a timeout, concurrent cold starts), then the console
// must show the same numbers, the error group, the invocation with its log lines, and let the
// user invoke from its form. Each page's screenshot goes to test-output/console/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { createFunction, invoke, NODE, PYTHON, type FunctionErrorBody } from '../helpers/functions.js';
import { launchBrowser, newPage, rowCells, screenshot } from '../helpers/browser.js';

const SHOP = `
exports.lambda_handler = async (event) => {
  console.log('order', event.order ?? '-', 'received');
  if (event.sleep) await new Promise((r) => setTimeout(r, event.sleep));
  if (event.fail) throw new Error('Order ' + event.order + ' not found');
  return { order: event.order, status: 'shipped' };
};
`;
const GREETER = `
def lambda_handler(event, context):
    name = event.get("name", "world")
    print(f"greeting {name}")
    return {"greeting": f"Hello, {name}!"}
`;

let lambkin: Lambkin;
let browser: Browser;
let page: Page;
let pageErrors: string[];
let failedRequestId: string;

beforeAll(async () => {
  [lambkin, browser] = await Promise.all([startLambkin(), launchBrowser()]);
  await createFunction(lambkin.lambda, 'shop', NODE, { 'lambda_function.js': SHOP }, { Timeout: 1, MemorySize: 256 });
  await createFunction(lambkin.lambda, 'greeter', PYTHON, { 'lambda_function.py': GREETER });
  // shop: three at once (three cold starts), one more success, an error, then a timeout.
  await Promise.all([1, 2, 3].map((order) => invoke(lambkin.lambda, 'shop', { order, sleep: 400 })));
  await invoke(lambkin.lambda, 'shop', { order: 4 });
  const failed = await invoke<FunctionErrorBody>(lambkin.lambda, 'shop', { order: 42, fail: true });
  expect(failed.body.errorMessage).toBe('Order 42 not found');
  failedRequestId = failed.requestId!;
  const timedOut = await invoke<FunctionErrorBody>(lambkin.lambda, 'shop', { order: 5, sleep: 3000 });
  expect(timedOut.body.errorType).toBe('Sandbox.Timedout');
  for (const name of ['ada', 'grace', 'linus']) await invoke(lambkin.lambda, 'greeter', { name });
  ({ page, errors: pageErrors } = await newPage(browser));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await lambkin?.stop();
});

describe('console pages', () => {
  it('the functions table shows each function with the numbers of its invocations', async () => {
    await page.goto(`${lambkin.url}/console/`);
    const shop = await rowCells(page, 'Functions', 'shop');
    expect(shop).toMatchObject({ Runtime: 'nodejs20.x', Memory: '256 MB', Timeout: '1 s', Invocations: '6', Errors: '2', Throttles: '0', 'Cold starts': '3' });
    expect(shop.p50).toMatch(/ms$/);
    expect(parseFloat(shop.p99!)).toBeGreaterThanOrEqual(900); // the timeout: about a second, in ms
    const greeter = await rowCells(page, 'Functions', 'greeter');
    expect(greeter).toMatchObject({ Runtime: 'python3.11', Invocations: '3', Errors: '0', 'Cold starts': '1', 'Warm now': '1' });
    await expect.poll(() => page.locator('svg.spark').count()).toBe(2);
    await screenshot(page, 'functions');
  });

  it('the time window picker keeps its choice in the address, redraws the numbers and carries it to the function', async () => {
    await page.goto(`${lambkin.url}/console/`);
    await page.locator('[data-window="24h"]').click();
    await expect.poll(() => page.evaluate(() => location.search)).toBe('?window=24h');
    await expect.poll(() => page.locator('[data-window="24h"]').getAttribute('aria-checked')).toBe('true');
    expect(await page.locator('[data-window="1h"]').getAttribute('aria-checked')).toBe('false');
    await expect.poll(() => page.locator('p.muted.small').first().textContent()).toContain('numbers over the last 24h');
    expect(await rowCells(page, 'Functions', 'shop')).toMatchObject({ Invocations: '6' });
    await page.locator('table[aria-label="Functions"] a', { hasText: 'shop' }).click();
    await page.waitForURL(/\/console\/functions\/shop\?window=24h/);
    await expect.poll(() => page.locator('[data-window="24h"]').getAttribute('aria-checked')).toBe('true');
  });

  it('the table is usable from the keyboard: arrows move, Enter opens the function', async () => {
    await page.goto(`${lambkin.url}/console/`);
    await page.locator('table[aria-label="Functions"] tbody tr').first().focus();
    await page.keyboard.press('ArrowDown'); // rows are sorted by name: greeter, shop
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console\/functions\/shop/);
    await expect.poll(() => page.locator('h1').textContent()).toBe('shop');
  });

  it('the function page has its charts, configuration, environments now and deploy history', async () => {
    await page.goto(`${lambkin.url}/console/functions/greeter`);
    await expect.poll(() => page.locator('figure.chart-panel').count()).toBe(5);
    await expect.poll(() => page.locator('.summary .stat', { hasText: 'Invocations' }).locator('.value').textContent()).toBe('3');
    const env = await rowCells(page, 'Environments now', 'idle');
    expect(env.Invocations).toBe('3');
    await rowCells(page, 'Deploy history', 'created');
    await expect.poll(() => page.locator('dl.kv').first().textContent()).toContain('python3.11');
    await screenshot(page, 'function');

    // Stopping the environment: it goes away, and the next invoke is a cold start again.
    await page.getByRole('button', { name: /^Stop environment/ }).click();
    await page.getByText('No environment is running').waitFor();
    const envs = await fetch(`${lambkin.url}/lambkin/v1/environments?function=greeter`).then((r) => r.json()) as { environments: unknown[] };
    expect(envs.environments).toEqual([]);
  });

  it('the errors page groups failures; a group opens on its latest invocation with log lines and stack trace', async () => {
    await page.goto(`${lambkin.url}/console/errors`);
    const group = await rowCells(page, 'Error groups', 'not found');
    expect(group).toMatchObject({ Function: 'shop', Count: '1' });
    expect(group.Error).toContain('Order <n> not found');
    await rowCells(page, 'Error groups', 'Sandbox.Timedout');
    await screenshot(page, 'errors');

    await page.locator('table[aria-label="Error groups"] tbody tr', { hasText: 'not found' }).click();
    await page.locator('tr.detail pre.stack').getByText('Order 42 not found').waitFor();
    await page.getByRole('link', { name: 'Latest invocation →' }).click();
    await page.waitForURL(new RegExp(`/console/invocations/${failedRequestId}$`));
    await page.locator('.error-panel .error-title').getByText('Order 42 not found').waitFor();
    const log = page.locator('ol.log');
    await log.getByText(`START RequestId: ${failedRequestId}`).waitFor();
    await log.getByText('order 42 received').first().waitFor();
    await log.getByText(`REPORT RequestId: ${failedRequestId}`).waitFor();
    expect(await page.locator('.error-panel pre.stack').textContent()).toContain('lambda_handler');
    await expect.poll(() => page.locator('.timeline .seg.run').count()).toBe(1);
    await screenshot(page, 'invocation');
  });

  it('the invocations explorer filters by outcome, start and text, and pages through the rest', async () => {
    await page.goto(`${lambkin.url}/console/invocations`);
    const rows = page.locator('table[aria-label="Invocations"] tbody tr');
    await expect.poll(() => rows.count()).toBe(9);
    await screenshot(page, 'invocations');
    await page.locator('select[name="outcome"]').selectOption('timeout');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Sandbox.Timedout');
    await page.locator('select[name="outcome"]').selectOption('');
    await page.locator('select[name="cold"]').selectOption('true');
    await expect.poll(() => rows.count()).toBe(4); // three of shop, one of greeter
    await page.locator('select[name="cold"]').selectOption('');
    await page.locator('input[name="q"]').fill('grace');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('greeter');
    expect(page.url()).toContain('q=grace');
  });

  it('live tail shows new log lines of the function as it is invoked', async () => {
    await page.goto(`${lambkin.url}/console/tail?function=greeter`);
    await page.locator('.status.live').waitFor();
    await invoke(lambkin.lambda, 'greeter', { name: 'tail-watcher-7' });
    await page.locator('ol.log.live').getByText('greeting tail-watcher-7').waitFor();
    await page.locator('ol.log.live').getByText(/^REPORT RequestId/).first().waitFor();
    // Lines of other functions are not shown.
    await invoke(lambkin.lambda, 'shop', { order: 'not-for-this-tail' });
    await invoke(lambkin.lambda, 'greeter', { name: 'second-line' });
    await page.locator('ol.log.live').getByText('greeting second-line').waitFor();
    expect(await page.locator('ol.log.live').textContent()).not.toContain('not-for-this-tail');
    await screenshot(page, 'tail');
  });

  it('the invoke form checks the JSON as it is typed and shows result, logs and REPORT', async () => {
    await page.goto(`${lambkin.url}/console/invoke?function=greeter`);
    const editor = page.locator('textarea[name="event"]');
    await editor.fill('{"name": "form"');
    await page.locator('.json-status.bad').waitFor();
    expect(await page.getByRole('button', { name: 'Invoke' }).isDisabled()).toBe(true);
    await editor.fill('{"name": "form user"}');
    await page.locator('.json-status.ok').waitFor();
    await page.getByRole('button', { name: 'Invoke' }).click();
    await page.locator('pre.json').getByText('Hello, form user!').waitFor();
    await page.locator('pre.logtext').getByText('greeting form user').waitFor();
    await page.locator('dl.kv dt', { hasText: 'Billed duration' }).waitFor();
    await screenshot(page, 'invoke');
    await page.getByRole('link', { name: 'Open this invocation →' }).click();
    await page.locator('ol.log').getByText('greeting form user').waitFor();
  });

  it('fits a phone-width screen and follows the dark system theme', async () => {
    const phone = await newPage(browser, { width: 390, height: 844, dark: true });
    try {
      await phone.page.goto(`${lambkin.url}/console/`);
      await rowCells(phone.page, 'Functions', 'shop');
      const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      const bg = await phone.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(bg).toBe('rgb(15, 18, 22)');
      await screenshot(phone.page, 'functions-phone-dark');
      await phone.page.goto(`${lambkin.url}/console/functions/shop`);
      await expect.poll(() => phone.page.locator('figure.chart-panel').count()).toBe(5);
      await screenshot(phone.page, 'function-phone-dark');
      expect(phone.errors).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });

  it('raised no uncaught error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
