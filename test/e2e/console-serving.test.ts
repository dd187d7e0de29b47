// How the console is served (static files with their types and cache headers, the app's pages
// falling back to index.html), and that it works against a server with credentials: the files
// need none, the API still refuses unsigned calls, and the app asks for the key once and signs
// every call it makes — the live tail's stream included.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { createFunction, invoke, PYTHON } from '../helpers/functions.js';
import { launchBrowser, newPage, rowCells, screenshot } from '../helpers/browser.js';

// The test helper's SDK clients sign with test/test: the server is given the same pair.
const KEY = { LAMBKIN_ACCESS_KEY_ID: 'test', LAMBKIN_SECRET_ACCESS_KEY: 'test' };
const ECHO = 'def lambda_handler(event, context):\n    print("echo", event.get("say"))\n    return event\n';

let lambkin: Lambkin;
let browser: Browser;

beforeAll(async () => {
  [lambkin, browser] = await Promise.all([startLambkin({ env: KEY }), launchBrowser()]);
  await createFunction(lambkin.lambda, 'echo', PYTHON, { 'lambda_function.py': ECHO });
  await invoke(lambkin.lambda, 'echo', { say: 'first' });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await lambkin?.stop();
});

describe('serving the console', () => {
  it('serves index.html, hashed assets with long caching, and the app for any page path', async () => {
    const index = await fetch(`${lambkin.url}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const style = /href="(\/console\/assets\/[^"]+\.css)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${lambkin.url}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-encoding')).toBe('gzip');
    expect((await js.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(`${lambkin.url}${style}`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const etag = index.headers.get('etag')!;
    expect((await fetch(`${lambkin.url}/console/`, { headers: { 'if-none-match': etag } })).status).toBe(304);

    const deep = await fetch(`${lambkin.url}/console/functions/echo?window=24h`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);
    expect((await fetch(`${lambkin.url}/console/assets/gone-1234.js`)).status).toBe(404);
    // Sent as is (fetch would resolve the dots): nothing outside the console's folder is served.
    expect(await rawStatus(`${lambkin.url}/console/%2e%2e/%2e%2e/package.json`)).toBe(404);
    expect(await rawStatus(`${lambkin.url}/console/..%2f..%2fpackage.json`)).toBe(404);
    const bare = await fetch(`${lambkin.url}/console`, { redirect: 'manual' });
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe('/console/');
    const root = await fetch(`${lambkin.url}/`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(root.headers.get('location')).toBe('/console/');
  });

  it('does not open the API: unsigned calls are still refused', async () => {
    for (const path of ['/lambkin/v1/overview', '/lambkin/v1/tail', '/lambkin/v1/environments', '/2015-03-31/functions/']) {
      const res = await fetch(`${lambkin.url}${path}`);
      expect(res.status, path).toBe(403);
    }
  });

  it('asks for the key once, refuses a wrong one, then signs every call it makes', async () => {
    const { page, context, errors } = await newPage(browser);
    try {
      await page.goto(`${lambkin.url}/console/`);
      const dialog = page.getByRole('dialog', { name: 'Sign in' });
      await dialog.getByText('This server requires signed requests.').waitFor();
      await screenshot(page, 'sign-in');
      await dialog.getByLabel('Access key ID').fill('test');
      await dialog.getByLabel('Secret access key').fill('not-the-secret');
      await dialog.getByRole('button', { name: 'Sign in' }).click();
      await dialog.getByText('The server refused those credentials').waitFor();
      await dialog.getByLabel('Access key ID').fill('test');
      await dialog.getByLabel('Secret access key').fill('test');
      await dialog.getByRole('button', { name: 'Sign in' }).click();
      const echo = await rowCells(page, 'Functions', 'echo');
      expect(echo.Invocations).toBe('1');

      // Other pages and the live tail's stream are signed too, with no second prompt.
      await page.goto(`${lambkin.url}/console/tail?function=echo`);
      await page.locator('.status.live').waitFor();
      await invoke(lambkin.lambda, 'echo', { say: 'signed-stream' });
      await page.locator('ol.log.live').getByText('echo signed-stream').waitFor();
      await page.goto(`${lambkin.url}/console/invoke?function=echo`);
      await page.locator('textarea[name="event"]').fill('{"say": "from the form"}');
      await page.getByRole('button', { name: 'Invoke' }).click();
      await page.locator('pre.json').getByText('from the form').waitFor();
      expect(await page.getByRole('dialog').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

function rawStatus(url: string): Promise<number> {
  const u = new URL(url);
  const path = url.slice(u.origin.length);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.once('error', reject);
    req.end();
  });
}
