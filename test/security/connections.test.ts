// Connections cannot starve the main port (issue 14, item 7): thousands of idle TCP connections
// are held to --max-connections (idle ones closed first: never-used ones, then the least recently
// used), so the server's file
// descriptors stay bounded and a normal SDK client still gets its answers; a client sending its
// headers a byte at a time is cut off after LAMBKIN_HEADERS_TIMEOUT_MS, one that never finishes
// its body after LAMBKIN_REQUEST_TIMEOUT_MS — while a synchronous Invoke that runs longer than
// that request timeout is still answered, and a live tail stays open past it (it bounds receiving
// a request, not answering it).
import { connect, type Socket } from 'node:net';
import { readdirSync } from 'node:fs';
import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { call, deploy, stillServes, waitFor } from './hostile.js';

const CAP = 1000;
const IDLE = 3000;

let lk: Lambkin;
let port: number;

beforeAll(async () => {
  lk = await startLambkin({
    args: ['--max-connections', String(CAP)],
    env: { LAMBKIN_HEADERS_TIMEOUT_MS: '1500', LAMBKIN_REQUEST_TIMEOUT_MS: '3000' },
  });
  port = Number(new URL(lk.url).port);
  await deploy(lk.lambda, 'bystander', 'exports.lambda_handler = async (event) => ({ ok: true, event });');
  await deploy(lk.lambda, 'slow', 'exports.lambda_handler = async () => { await new Promise((r) => setTimeout(r, 4500)); return { slept: true }; };', { timeout: 30 });
}, 60_000);
afterAll(async () => {
  await lk?.stop();
});

function fds(): number {
  return readdirSync(`/proc/${lk.proc.pid}/fd`).length;
}

/** A raw connection to the main port, and whether the server closed it. */
function open(): Promise<{ socket: Socket; closed: () => boolean; received: () => string }> {
  return new Promise((resolve) => {
    let closed = false;
    let received = '';
    const socket = connect(port, '127.0.0.1');
    socket.on('data', (c: Buffer) => (received += c.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => (closed = true));
    const handle = { socket, closed: () => closed, received: () => received };
    socket.once('connect', () => resolve(handle));
    socket.once('close', () => resolve(handle));
  });
}

describe('connections to the main port', () => {
  it(`${IDLE} idle connections: the server keeps under --max-connections ${CAP}, and an SDK client is answered`, async () => {
    const before = fds();
    const idle = [];
    for (let i = 0; i < IDLE; i += 100) idle.push(...await Promise.all(Array.from({ length: 100 }, open)));
    const peak = fds();
    await stillServes(lk.lambda);
    expect((await lk.lambda.send(new ListFunctionsCommand({}))).Functions?.length).toBe(2);
    // Closes reach the client a moment after the server decides them (and the last connections
    // may still sit in the accept queue on a loaded machine): wait for the count, don't snapshot it.
    const closedCount = () => idle.filter((c) => c.closed()).length;
    await waitFor(`${IDLE - CAP} idle connections closed by the server`, () => (closedCount() >= IDLE - CAP ? true : undefined), 30_000)
      .catch(() => undefined); // the expect below says how many
    const closedByServer = closedCount();
    console.log(`${IDLE} idle connections, cap ${CAP}: server fds ${before} before, ${peak} with them open; ${closedByServer} closed by the server`);
    expect(peak).toBeLessThan(before + CAP);
    expect(closedByServer).toBeGreaterThanOrEqual(IDLE - CAP);
    for (const c of idle) c.socket.destroy();
    expect(lk.proc.exitCode).toBeNull();
  });

  it('a flood of silent connections costs a kept-alive client nothing: never-used ones are closed first', async () => {
    // A client that has made a request and keeps its socket open for the next one.
    const client = await open();
    const ask = async () => {
      const before = client.received().length;
      client.socket.write('GET /2015-03-31/functions/ HTTP/1.1\r\nHost: x\r\n\r\n');
      await waitFor('an answer on the kept-alive socket', () => (client.received().length > before && client.received().endsWith('}') ? true : undefined), 30_000);
    };
    await ask();
    const silent = [];
    for (let i = 0; i < CAP; i += 100) silent.push(...await Promise.all(Array.from({ length: 100 }, open)));
    await waitFor('the server to close silent connections', () => (silent.some((c) => c.closed()) ? true : undefined), 30_000);
    expect(client.closed()).toBe(false);
    await ask(); // the same socket still works
    expect(client.received().match(/HTTP\/1\.1 200/g)?.length).toBe(2);
    for (const c of silent) c.socket.destroy();
    client.socket.destroy();
  });

  it('cuts off a client sending its headers a byte at a time once the headers timeout passes', async () => {
    const c = await open();
    const request = 'GET /2015-03-31/functions/ HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(10_000);
    let i = 0;
    const drip = setInterval(() => {
      if (c.closed() || i >= request.length) return;
      c.socket.write(request[i++]!);
    }, 50);
    await waitFor('the server to close the slow-headers connection', () => (c.closed() ? true : undefined), 30_000).finally(() => clearInterval(drip));
    expect(i).toBeLessThan(request.length);
  });

  it('cuts off a request whose body never finishes once the request timeout passes, with 408', async () => {
    const c = await open();
    c.socket.write('POST /2015-03-31/functions/bystander/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"a":');
    const drip = setInterval(() => c.closed() || c.socket.write(' '), 200);
    await waitFor('the server to close the unfinished-body connection', () => (c.closed() ? true : undefined), 30_000).finally(() => clearInterval(drip));
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('answers a synchronous Invoke that runs longer than the request timeout, and a live tail outlives it too', async () => {
    const tail = await open();
    tail.socket.write('GET /lambkin/v1/tail?function=bystander HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor('the tail to start', () => (tail.received().includes('event: ready') ? true : undefined));
    const r = await call(lk.lambda, 'slow');
    expect(r.functionError).toBeUndefined();
    expect(r.body).toEqual({ slept: true });
    // 4.5 s later, past the 3 s request timeout: the stream still delivers.
    await call(lk.lambda, 'bystander', { after: 'slow' });
    await waitFor('the tail to show the new invocation', () => (tail.received().includes('event: log') ? true : undefined));
    expect(tail.closed()).toBe(false);
    tail.socket.destroy();
  });
});

describe('when every connection up to the cap is busy', () => {
  let small: Lambkin;
  beforeAll(async () => {
    small = await startLambkin({ args: ['--sandbox', 'process', '--max-connections', '16'] });
  });
  afterAll(async () => {
    await small?.stop();
  });

  it('refuses new connections, says so in the server log, and serves again once they end', async () => {
    const smallPort = Number(new URL(small.url).port);
    const busy: Socket[] = [];
    // 16 requests in progress: their bodies are still coming. (The 100 Continue says the server
    // has the request and wants its body: the connection counts as busy from then on.)
    for (let i = 0; i < 16; i++) {
      const s = connect(smallPort, '127.0.0.1');
      s.on('error', () => undefined);
      const invited = new Promise((r) => s.once('data', r));
      s.write('POST /2015-03-31/functions/nope/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n');
      expect(String(await invited)).toMatch(/^HTTP\/1\.1 100 Continue/);
      s.write('{');
      busy.push(s);
    }
    // The 17th: refused (closed at once), however often it tries.
    await waitFor('a connection to be refused', async () => {
      const c = connect(smallPort, '127.0.0.1');
      const closed = await new Promise<boolean>((resolve) => {
        c.on('error', () => resolve(true));
        c.on('close', () => resolve(true));
        c.on('connect', () => c.write('GET /2015-03-31/functions/ HTTP/1.1\r\nHost: x\r\n\r\n'));
        c.on('data', () => resolve(false));
      });
      c.destroy();
      return closed || undefined;
    });
    await waitFor('the log line', () => (small.output().includes('refusing connections: all 16 are busy') ? true : undefined));
    for (const s of busy) s.destroy();
    await waitFor('the server to serve again', async () => {
      const res = await fetch(small.url + '/2015-03-31/functions/').catch(() => undefined);
      return res?.status === 200 || undefined;
    });
  });
});
