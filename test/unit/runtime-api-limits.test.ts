// The Runtime API's per-environment limits (src/environment/runtime-api/limits.ts), with short
// timeouts so the test does not wait the real ones: connections over the cap are closed at once;
// a connection that sends nothing, headers that never end, a body that never ends and an idle
// kept-alive connection are all closed — and the runtime's pending GET /next is not.
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntimeApiServer } from '../../src/environment/runtime-api/routes.js';
import { DRAIN_LIMIT_BYTES, RUNTIME_API_LIMITS, type RuntimeApiLimits } from '../../src/environment/runtime-api/limits.js';
import type { RuntimeApiHost } from '../../src/environment/runtime-api/host.js';

const ID = '8476a536-e9f4-11e8-9739-2dfe598c3fcd';
const LIMITS: RuntimeApiLimits = { maxConnections: 4, headersTimeoutMs: 300, requestTimeoutMs: 600, idleTimeoutMs: 300, maxHeaderBytes: 2048 };

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** A host whose /next is never answered (as when no event comes) and which takes any result. */
const host: RuntimeApiHost = {
  next: (_res: ServerResponse) => undefined,
  admits: () => undefined,
  admitsInitError: () => undefined,
  response: () => undefined,
  responseTooLarge: () => undefined,
  beginStream: () => ({ chunk: () => 'more', drained: () => Promise.resolve(), limit: 20 * 1024 * 1024, bytes: 0, end: () => true }),
  error: () => undefined,
  initError: () => undefined,
  settling: () => Promise.resolve(),
};

async function serve(h: RuntimeApiHost = host): Promise<number> {
  server = createRuntimeApiServer(h, { label: 'test', log: () => undefined, limits: LIMITS });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

interface Conn {
  readonly socket: Socket;
  readonly received: () => string;
  readonly closed: Promise<number>;
}

/** A raw connection; `closed` resolves with the ms from opening to the server closing it. */
function open(port: number, first = ''): Conn {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  const t0 = performance.now();
  let got = '';
  socket.on('data', (d: Buffer) => (got += d.toString()));
  socket.on('error', () => undefined);
  if (first) socket.write(first);
  return { socket, received: () => got, closed: new Promise((r) => socket.once('close', () => r(performance.now() - t0))) };
}

describe('Runtime API limits', () => {
  it('are set, by default, to what one environment needs', () => {
    expect(RUNTIME_API_LIMITS).toEqual({ maxConnections: 16, headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, idleTimeoutMs: 60_000, maxHeaderBytes: 16_384 });
  });

  it('closes a connection over the cap as soon as it is accepted', async () => {
    const port = await serve();
    const held = Array.from({ length: LIMITS.maxConnections }, () => open(port));
    await Promise.all(held.map((c) => new Promise((r) => c.socket.once('connect', r))));
    await new Promise((r) => setImmediate(r));
    const over = open(port);
    // Closed long before any timeout could have done it.
    expect(await over.closed).toBeLessThan(LIMITS.headersTimeoutMs);
    expect(over.received()).toBe('');
  });

  it('closes silent, unfinished and idle connections; leaves the pending /next alone', async () => {
    const port = await serve();
    const next = open(port, 'GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n');
    const silent = open(port);
    const halfHeaders = open(port, 'POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: x\r\n');
    const halfBody = open(port, `POST /2018-06-01/runtime/invocation/${ID}/response HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a":`);
    await Promise.all([silent.closed, halfHeaders.closed, halfBody.closed]);
    expect(silent.received()).toMatch(/^HTTP\/1.1 408/);
    expect(halfBody.received()).toMatch(/^HTTP\/1.1 408/);
    const idle = open(port, 'GET /2018-06-01/runtime/nothing HTTP/1.1\r\nHost: x\r\n\r\n');
    await idle.closed;
    expect(idle.received()).toMatch(/^HTTP\/1.1 404/);
    // Well past every timeout, the long poll is still open and unanswered.
    expect(next.socket.destroyed).toBe(false);
    expect(next.received()).toBe('');
  });

  it('answers headers over the size limit with 431 and closes the connection', async () => {
    const port = await serve();
    const big = open(port, `GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(LIMITS.maxHeaderBytes)}\r\n\r\n`);
    await big.closed;
    expect(big.received()).toMatch(/^HTTP\/1.1 431/);
  });
});

describe('Runtime API bodies', () => {
  it('reads one body at a time: a second result while one is coming is refused on its headers', async () => {
    const taken: string[] = [];
    let headersIn!: () => void;
    const firstIn = new Promise<void>((r) => (headersIn = r));
    const port = await serve({
      ...host,
      admits: () => void headersIn(), // the gate is taken in the same turn
      response: (_id, body) => void taken.push(body.toString()),
    });
    const path = `/2018-06-01/runtime/invocation/${ID}/response`;
    const first = open(port, `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n"fir`);
    await firstIn; // its body is being read
    const second = open(port, `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n"second"`);
    await new Promise<void>((r) => second.socket.on('data', () => second.received().includes('}') && r()));
    expect(second.received()).toMatch(/^HTTP\/1.1 403[\s\S]*InvalidStateTransition/);
    first.socket.write('st"!!');
    await new Promise<void>((r) => first.socket.on('data', () => first.received().includes('}') && r()));
    expect(first.received()).toMatch(/^HTTP\/1.1 202/);
    expect(taken).toEqual(['"first"!!']);
  });

  it('stops reading an endless result at the drain limit: the invocation fails with its size, the connection is closed', async () => {
    let reported = 0;
    const port = await serve({ ...host, responseTooLarge: (_id, size) => void (reported = size) });
    const c = open(port, `POST /2018-06-01/runtime/invocation/${ID}/response HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const chunk = Buffer.concat([Buffer.from('100000\r\n'), Buffer.alloc(0x100000, 0x61), Buffer.from('\r\n')]);
    let sent = 0;
    const pump = () => {
      while (!c.socket.destroyed && sent < 4 * DRAIN_LIMIT_BYTES) {
        sent += 0x100000;
        if (!c.socket.write(chunk)) return void c.socket.once('drain', pump);
      }
    };
    c.socket.once('connect', pump);
    await c.closed;
    expect(reported).toBeGreaterThan(DRAIN_LIMIT_BYTES);
    expect(sent).toBeLessThan(4 * DRAIN_LIMIT_BYTES);
  });
});
