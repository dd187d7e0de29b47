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

function send(port: number, method: string, path: string, body = ''): Promise<Answer> {
  return new Promise((resolve) => {
    const r = request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
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

/** Any request that reaches the router: an unknown path, answered 404. */
function serve2(port: number): Promise<Answer> {
  return send(port, 'GET', `${BASE}nothing-here`);
}
