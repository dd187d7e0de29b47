// No listener handler can end the process: the main listener's edge (src/api/edge), built with a
// router and function-URL and console handlers that fail in every way a handler can — a
// synchronous throw, a rejection, a throw after a streaming response started, an 'error' event on
// the request or the response — answers each such request with a 500 in its surface's style
// (Lambda, CloudWatch Logs, function URL, console) carrying the request id, or closes its
// connection when the answer had started; logs each failure once with that id; and keeps serving.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEdge } from '../../src/api/edge/index.js';
import { Router } from '../../src/api/router.js';

const logged: string[] = [];
let server: Server;
let base: string;

const boom = (what: string) => new Error(`boom: ${what}`);

beforeAll(async () => {
  const router = new Router().add([
    { method: 'GET', pattern: '/ok', operation: () => ({ status: 200, body: { ok: true } }) },
    { method: 'GET', pattern: '/sync', operation: () => { throw boom('sync'); } },
    { method: 'GET', pattern: '/reject', operation: async () => { throw boom('reject'); } },
    { method: 'GET', pattern: '/not-an-error', operation: () => { throw 'a string, thrown'; } },
    {
      method: 'GET', pattern: '/stream', operation: () => ({
        status: 200, headers: { 'content-type': 'text/event-stream' },
        stream: (out) => {
          out.write('event: first\ndata: {}\n\n');
          throw boom('mid-stream');
        },
      }),
    },
    { method: 'POST', pattern: '/', operation: async () => { throw boom('logs'); } },
  ]);
  server = createEdge({
    router, auth: undefined, log: (line) => logged.push(line),
    serveUrl: async (req, res) => {
      if (req.url === '/url/throw/') throw boom('url sync');
      if (req.url === '/url/res-error/') return void res.emit('error', boom('url res error'));
      if (req.url === '/url/req-error/') return void req.emit('error', boom('url req error'));
      await Promise.resolve();
      throw boom('url reject');
    },
    serveConsole: (req) => {
      if (req.url === '/console/req-error') return void req.emit('error', boom('console req error'));
      throw boom('console');
    },
    limits: { maxConnections: 64, bodyBudgetBytes: 16 << 20, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

interface Answer {
  readonly status?: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** The connection closed before a complete answer. */
  readonly cut: boolean;
}

function get(path: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(base + path, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body, cut: false }));
      res.on('error', () => resolve({ status: res.statusCode, headers: res.headers, body, cut: true }));
    });
    req.on('error', () => resolve({ headers: {}, body: '', cut: true }));
    req.end(init.method === 'POST' ? '{}' : undefined);
  });
}

async function stillServes(): Promise<void> {
  const ok = await get('/ok');
  expect(ok.status).toBe(200);
  expect(JSON.parse(ok.body)).toEqual({ ok: true });
}

function linesAbout(requestId: string): string[] {
  return logged.filter((l) => l.includes(requestId));
}

describe('the main listener\'s request boundary', () => {
  it.each(['/sync', '/reject', '/not-an-error'])('an API operation failing (%s) is that request\'s ServiceException, logged once', async (path) => {
    const a = await get(path);
    expect(a.status).toBe(500);
    expect(a.headers['x-amzn-errortype']).toBe('ServiceException');
    const id = String(a.headers['x-amzn-requestid']);
    expect(JSON.parse(a.body)).toEqual({ Type: 'Service', message: `lambkin failed to handle the request (request id ${id}); the server log has the details.` });
    expect(a.body).not.toMatch(/boom|at .*\.ts/); // no internals reach the caller
    expect(linesAbout(id)).toHaveLength(1);
    expect(linesAbout(id)[0]).toMatch(/boom|a string, thrown/);
    await stillServes();
  });

  it('a CloudWatch Logs request failing gets the Logs-shaped error', async () => {
    const a = await get('/', { method: 'POST', headers: { 'x-amz-target': 'Logs_20140328.DescribeLogGroups', 'content-type': 'application/x-amz-json-1.1' } });
    expect(a.status).toBe(500);
    expect(a.headers['x-amzn-errortype']).toBe('ServiceUnavailableException');
    expect(JSON.parse(a.body)).toMatchObject({ __type: 'ServiceUnavailableException' });
    expect(linesAbout(String(a.headers['x-amzn-requestid']))).toHaveLength(1);
    await stillServes();
  });

  it('a throw after a streaming answer started closes that connection, logged once, and the server goes on', async () => {
    const before = logged.length;
    const a = await get('/stream');
    expect(a.status).toBe(200);
    expect(a.cut).toBe(true);
    const lines = logged.slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/internal error in api request [0-9a-f-]{36} \(GET \/stream\): Error: boom: mid-stream/);
    await stillServes();
  });

  it.each(['/url/throw/', '/url/reject/', '/url/res-error/', '/url/req-error/'])('a function URL handler failing (%s) is a 500 in function URL style', async (path) => {
    const a = await get(path);
    expect(a.status).toBe(500);
    expect(JSON.parse(a.body)).toEqual({ Message: 'Internal Server Error' });
    expect(linesAbout(String(a.headers['x-amzn-requestid']))).toHaveLength(1);
    await stillServes();
  });

  it.each(['/console/x', '/console/req-error'])('the console handler failing (%s) is a plain 500 with the request id', async (path) => {
    const a = await get(path);
    expect(a.status).toBe(500);
    const id = String(a.headers['x-amzn-requestid']);
    expect(a.body).toContain(`request id ${id}`);
    expect(linesAbout(id)).toHaveLength(1);
    await stillServes();
  });

  it('a client that goes away mid-body is nobody\'s error: no log line, the server goes on', async () => {
    const before = logged.length;
    await new Promise<void>((resolve) => {
      const req = request(base + '/ok', { method: 'GET', headers: { 'content-length': '1000' }, agent: false });
      req.on('error', () => resolve());
      req.write('x'.repeat(10), () => setImmediate(() => {
        req.destroy();
        resolve();
      }));
    });
    await stillServes();
    expect(logged.slice(before)).toEqual([]);
  });
});
