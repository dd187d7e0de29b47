// Invocation records and the lists over them, against a function that fails with a 6 MB error
// message: stored whole, 20 such invocations grew logs.db by 230 MB and made one answer of
// GET /lambkin/v1/invocations 120 MB (/errors 90 MB). Records now keep the first 4 KB of an error
// (saying how long it was), and every list comes a page at a time with a cursor that walks it all.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { runCli } from '../helpers/cli.js';
import { call, deploy } from './hostile.js';

const HUGE_ERROR = `exports.lambda_handler = async (event) => {
  const err = new Error('m'.repeat(6_000_000));
  err.name = 'Failure' + String.fromCharCode(65 + event.i);
  throw err;
};`;
const CHATTY = `exports.lambda_handler = async () => {
  for (let i = 0; i < 2500; i++) console.log('line ' + i + ' ' + 'x'.repeat(200));
  return 'ok';
};`;
const HUGE_ERROR_PY = `def lambda_handler(event, context):
    raise ValueError('p' * 6_000_000)
`;
const MAX_MESSAGE = 4096;

let lk: Lambkin;

beforeAll(async () => {
  lk = await startLambkin();
  await deploy(lk.lambda, 'huge-error', HUGE_ERROR, { timeout: 30, memory: 256 });
  await deploy(lk.lambda, 'chatty', CHATTY, { timeout: 30 });
  await deploy(lk.lambda, 'huge-error-node', HUGE_ERROR, { timeout: 30, memory: 256 });
  await deploy(lk.lambda, 'huge-error-py', HUGE_ERROR_PY, { timeout: 30, memory: 256, runtime: 'python3.11' });
});
afterAll(async () => {
  await lk?.stop();
});

function storeBytes(): number {
  let total = 0;
  for (const f of ['logs.db', 'logs.db-wal']) {
    try {
      total += statSync(join(lk.dataDir, f)).size;
    } catch {
      // not there (yet)
    }
  }
  return total;
}

// biome-ignore lint/suspicious/noExplicitAny: the pages' bodies are checked field by field
async function get(path: string): Promise<{ status: number; bytes: number; body: any }> {
  const res = await fetch(lk.url + path);
  const text = await res.text();
  return { status: res.status, bytes: Buffer.byteLength(text), body: JSON.parse(text) };
}

/** Every item of a cursor-paged list, following `nextCursor` (and counting pages). */
// biome-ignore lint/suspicious/noExplicitAny: the pages' items are checked field by field
async function walk(path: string, key: 'invocations' | 'errors'): Promise<{ items: any[]; pages: number }> {
  const items = [];
  let cursor: string | undefined;
  for (let pages = 1; pages < 100; pages++) {
    const page = await get(path + (cursor ? `&cursor=${cursor}` : ''));
    expect(page.status).toBe(200);
    items.push(...page.body[key]);
    cursor = page.body.nextCursor;
    if (!cursor) return { items, pages };
  }
  throw new Error('the cursor never ran out');
}

describe('hostile error messages and the lists over records', () => {
  // The server reads such a body without decoding it whole (runtime-api/error-body.ts); the
  // caller still gets the error as the function raised it, all 6 MB of its message.
  it('a 6 MB error reaches the caller whole and Lambda-shaped (Node.js and Python)', async () => {
    const node = await call(lk.lambda, 'huge-error-node', { i: 25 });
    expect(node.functionError).toBe('Unhandled');
    expect(Object.keys(node.body).sort()).toEqual(['errorMessage', 'errorType', 'stackTrace']);
    expect(node.body.errorType).toBe('FailureZ');
    expect(node.body.errorMessage === 'm'.repeat(6_000_000)).toBe(true);
    expect(node.body.stackTrace.length).toBeGreaterThan(0);
    expect(node.body.stackTrace.every((l: unknown) => typeof l === 'string' && l.includes('at '))).toBe(true);

    const py = await call(lk.lambda, 'huge-error-py');
    expect(py.functionError).toBe('Unhandled');
    expect(Object.keys(py.body).sort()).toEqual(['errorMessage', 'errorType', 'requestId', 'stackTrace']);
    expect(py.body.errorType).toBe('ValueError');
    expect(py.body.errorMessage === 'p'.repeat(6_000_000)).toBe(true);
    expect(py.body.requestId).toBe(py.requestId);
    expect(py.body.stackTrace.join('')).toContain('lambda_function.py');
    // The function's own error line is in its log, cut at 256 KB.
    expect(py.log).toMatch(/REPORT RequestId/);
  }, 120_000);

  it('20 invocations failing with a 6 MB message: the store grows little, the lists stay small and page through all of them', async () => {
    const before = storeBytes();
    for (let i = 0; i < 20; i++) {
      const r = await call(lk.lambda, 'huge-error', { i });
      expect(r.functionError).toBe('Unhandled');
    }
    // Records arrive through the write queue: wait until all 20 are listed.
    let all = await walk('/lambkin/v1/invocations?function=huge-error&limit=1000', 'invocations');
    for (let tries = 0; all.items.length < 20 && tries < 200; tries++) {
      await new Promise((r) => setTimeout(r, 50));
      all = await walk('/lambkin/v1/invocations?function=huge-error&limit=1000', 'invocations');
    }
    expect(all.items).toHaveLength(20);
    for (const inv of all.items) {
      expect(inv.errorMessage.length).toBeLessThanOrEqual(MAX_MESSAGE);
      expect(inv.errorMessage).toMatch(/^m+ … \[cut: 6000000 characters in all\]$/);
    }
    // Each invocation keeps its log line (cut at 256 KB, as Lambda does) and a 4 KB record: not 6 MB.
    expect(storeBytes() - before).toBeLessThan(40 * 1024 * 1024);

    const list = await get('/lambkin/v1/invocations?function=huge-error&limit=1000');
    expect(list.bytes).toBeLessThan(1024 * 1024);
    const errors = await get('/lambkin/v1/errors?function=huge-error&limit=1000');
    expect(errors.bytes).toBeLessThan(1024 * 1024);
    expect(errors.body.errors).toHaveLength(20);

    // Paging walks every invocation and every error group exactly once.
    const paged = await walk('/lambkin/v1/invocations?function=huge-error&limit=6', 'invocations');
    expect(paged.pages).toBe(4);
    expect(new Set(paged.items.map((i) => i.requestId))).toEqual(new Set(all.items.map((i) => i.requestId)));
    const groups = await walk('/lambkin/v1/errors?function=huge-error&limit=6', 'errors');
    expect(groups.pages).toBe(4);
    expect(groups.items.map((g) => g.errorType).sort()).toEqual(Array.from({ length: 20 }, (_, i) => 'Failure' + String.fromCharCode(65 + i)).sort());
  }, 240_000);

  it("one invocation's log lines come a page at a time, and `lambkin logs --request-id` follows the pages", async () => {
    const r = await call(lk.lambda, 'chatty');
    expect(r.body).toBe('ok');
    const id = r.requestId!;
    const lines: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await get(`/lambkin/v1/invocations/${id}${after ? `?after=${after}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.bytes).toBeLessThan(2 * 1024 * 1024);
      lines.push(...page.body.events.map((e: { message: string }) => e.message));
      pages++;
      after = page.body.next;
      if (!after) break;
    }
    expect(pages).toBeGreaterThan(2);
    const printed = lines.filter((l) => /\tline \d+ x+$/.test(l));
    expect(printed.map((l) => Number(/line (\d+)/.exec(l)![1]))).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    const cli = await runCli(lk.url, 'logs', 'chatty', '--request-id', id);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout.split('\n').filter((l) => /\tline \d+ x+$/.test(l))).toHaveLength(2500);
  }, 120_000);
});
