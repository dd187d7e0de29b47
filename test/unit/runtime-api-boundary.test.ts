// The Runtime API server (src/environment/runtime-api/routes.ts) is a request-level boundary:
// whatever one request makes the code behind it do — throw, reject, send a path that does not
// decode — becomes that request's answer (a 4xx, a 500 or a closed connection), never the end of the
// process, and the same server answers the next request.
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntimeApiServer } from '../../src/environment/runtime-api/routes.js';
import type { Refusal, RuntimeApiHost } from '../../src/environment/runtime-api/host.js';
import type { RuntimeStream } from '../../src/environment/invocation.js';

const ID = '8476a536-e9f4-11e8-9739-2dfe598c3fcd';
const BASE = '/2018-06-01/runtime/';

interface Answer {
  readonly status?: number;
  readonly body: string;
  readonly error?: string;
}

let server: Server | undefined;
const internal: string[] = [];
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
  internal.length = 0;
});

/** A host that answers like a healthy environment, except for what `faults` replaces. */
function host(faults: Partial<RuntimeApiHost> = {}): RuntimeApiHost {
  const ok = (): Refusal | undefined => undefined;
  return {
    next: (res: ServerResponse) => res.end('{}'),
    admits: ok,
    admitsInitError: ok,
    response: ok,
    responseTooLarge: ok,
    beginStream: () => takeAll(),
    error: ok,
    initError: ok,
    settling: () => Promise.resolve(),
    ...faults,
  };
}

async function serve(h: RuntimeApiHost): Promise<number> {
  server = createRuntimeApiServer(h, { label: 'test', log: (line) => internal.push(line) });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/** A streamed response's host side that takes every chunk; `ended` records how it ended. */
function takeAll(faults: Partial<RuntimeStream> = {}, ended: unknown[] = []): RuntimeStream {
  return {
    chunk: () => 'more', drained: () => Promise.resolve(), limit: 20 * 1024 * 1024, bytes: 0,
    end: (error) => {
      ended.push(error ?? 'ok');
      return true;
    },
    ...faults,
  };
}

const STREAMING = { 'lambda-runtime-function-response-mode': 'streaming' };

function send(port: number, method: string, path: string, body = '', headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const r = request({ host: '127.0.0.1', port, method, path, agent: false, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode, body: text }));
      res.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message, body: text }));
    });
    r.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message, body: '' }));
    r.end(body);
  });
}

const boom = (): never => {
  throw new Error('boom from the host');
};

describe('Runtime API: one request cannot end the server', () => {
  it('answers a request id that is not valid percent-encoding with 400, and keeps serving', async () => {
    const port = await serve(host());
    const bad = await send(port, 'POST', `${BASE}invocation/%E0%A4%A/response`, '{}');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).errorType).toBe('InvalidRequestID');
    expect((await send(port, 'POST', `${BASE}invocation/%E0%A4%A/error`, '{}')).status).toBe(400);
    expect((await send(port, 'POST', `${BASE}invocation/${ID}/response`, '{}')).status).toBe(202);
  });

  const routes: ReadonlyArray<[string, Partial<RuntimeApiHost>, string, string]> = [
    ['GET next', { next: boom }, 'GET', 'invocation/next'],
    ['POST response (before the body)', { admits: boom }, 'POST', `invocation/${ID}/response`],
    ['POST response', { response: boom }, 'POST', `invocation/${ID}/response`],
    ['POST response (too large)', { responseTooLarge: boom }, 'POST', `invocation/${ID}/response`],
    ['POST error', { error: boom }, 'POST', `invocation/${ID}/error`],
    ['POST init/error (before the body)', { admitsInitError: boom }, 'POST', 'init/error'],
    ['POST init/error', { initError: boom }, 'POST', 'init/error'],
    ['the 202 after the caller', { settling: () => Promise.reject(new Error('settling failed')) }, 'POST', `invocation/${ID}/response`],
    ['the 202 after the caller (a throw)', { settling: boom }, 'POST', `invocation/${ID}/error`],
  ];

  it.each(routes)('%s: a throw is that request\'s 500, logged once; the next request is served', async (_label, fault, method, path) => {
    const port = await serve(host(fault));
    const body = path.endsWith('response') && 'responseTooLarge' in fault ? 'x'.repeat(6_291_557) : '{"a":1}';
    const out = await send(port, method, BASE + path, body);
    // Either a 500 or a closed connection, whatever had been sent already.
    if (out.error === undefined) expect(out.status).toBe(500);
    if (out.status === 500) expect(JSON.parse(out.body)).toEqual({ errorType: 'ServiceException', errorMessage: expect.stringMatching(/internal error/) });
    expect(out.body).not.toContain('boom');
    expect(internal).toHaveLength(1);
    expect(internal[0]).toMatch(new RegExp(`test.*${method} .*(boom from the host|settling failed)`));
    // Still serving, on a fresh connection.
    const fine = await serve2(port);
    expect(fine.status).toBe(404);
  });
});

describe('Runtime API: a streamed response cannot end the server', () => {
  it('a throw where the stream begins is that request\'s 500; the next request is served', async () => {
    const port = await serve(host({ beginStream: boom }));
    const out = await send(port, 'POST', `${BASE}invocation/${ID}/response`, 'abc', STREAMING);
    expect(out.status).toBe(500);
    expect(internal).toHaveLength(1);
    expect((await serve2(port)).status).toBe(404);
  });

  it('a throw while a chunk is handed on ends the request and the invocation (not the process)', async () => {
    const ended: unknown[] = [];
    const port = await serve(host({ beginStream: () => takeAll({ chunk: boom }, ended) }));
    const out = await send(port, 'POST', `${BASE}invocation/${ID}/response`, 'abc', STREAMING);
    if (out.error === undefined) expect(out.status).toBe(500);
    expect(internal).toHaveLength(1);
    expect(ended).toEqual([expect.objectContaining({ errorType: 'Runtime.TruncatedResponse' })]);
    expect((await serve2(port)).status).toBe(404);
  });

  it('the error in the trailers reaches the invocation', async () => {
    const ended: unknown[] = [];
    const port = await serve(host({ beginStream: () => takeAll({}, ended) }));
    const answer = await new Promise<number | undefined>((resolve) => {
      const r = request({
        host: '127.0.0.1', port, method: 'POST', path: `${BASE}invocation/${ID}/response`, agent: false,
        headers: { ...STREAMING, 'transfer-encoding': 'chunked', trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body' },
      }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      r.write('partial');
      r.addTrailers({
        'Lambda-Runtime-Function-Error-Type': 'Fuzz.Boom',
        'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify({ errorType: 'Fuzz.Boom', errorMessage: 'late' })).toString('base64'),
      });
      r.end();
    });
    expect(answer).toBe(202);
    expect(ended).toEqual([expect.objectContaining({ errorType: 'Fuzz.Boom', errorMessage: 'late' })]);
  });
});

/** Any request that reaches the router: an unknown path, answered 404. */
function serve2(port: number): Promise<Answer> {
  return send(port, 'GET', `${BASE}nothing-here`);
}
