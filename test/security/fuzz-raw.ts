// Below HTTP: raw bytes on a TCP connection to the main listener, from the same seeded PRNG as
// fuzz-cases.ts. Random bytes, broken request lines, smuggling-shaped framing (Content-Length with
// Transfer-Encoding, two lengths, bad chunk sizes), NULs and bare LFs in headers, oversized
// headers, a TLS ClientHello and an HTTP/2 preface on the plain port, pipelined requests followed
// by garbage, and connections cut mid-request. And the slow kind (slowloris): headers or a body
// sent a byte at a time, or nothing at all.
import { connect, type Socket } from 'node:net';
import type { Rng } from './fuzz-cases.js';
import type { RouteSpec } from './fuzz-routes.js';

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

export interface RawCase {
  readonly kind: string;
  readonly bytes: Buffer;
}

function bytes(r: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

function path(r: Rng, routes: readonly RouteSpec[]): string {
  return pick(r, routes).pattern.replace(/\{\w+\}/g, () => pick(r, ['fz-echo', 'bystander', 'nope', '%', '..', '%00']));
}

const TLS_HELLO = Buffer.from('16030100a5010000a10303' + '00'.repeat(32) + '000020c02bc02fc02cc030cca9cca8c013c014009c009d002f0035000a01000058', 'hex');

export function rawCase(r: Rng, routes: readonly RouteSpec[]): RawCase {
  const p = path(r, routes);
  const head = (extra: string) => `POST ${p} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;
  const cases: (() => RawCase)[] = [
    () => ({ kind: 'random-bytes', bytes: bytes(r, int(r, 1, 8192)) }),
    () => ({ kind: 'random-after-request-line', bytes: Buffer.concat([Buffer.from(`GET ${p} HTTP/1.1\r\n`), bytes(r, int(r, 1, 2048))]) }),
    () => ({ kind: 'bad-request-line', bytes: Buffer.from(`${pick(r, ['GET', 'G\u0000T', 'get', '', 'POST POST'])} ${pick(r, [p, '', '*', 'http://x/', '/\u00ff'])} ${pick(r, ['HTTP/1.1', 'HTTP/9.9', 'HTTP/1', 'HTTPS/1.1', ''])}\r\n\r\n`, 'latin1') }),
    () => ({ kind: 'cl-and-te', bytes: Buffer.from(head('Content-Length: 5\r\nTransfer-Encoding: chunked\r\n') + '0\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n') }),
    () => ({ kind: 'two-lengths', bytes: Buffer.from(head('Content-Length: 3\r\nContent-Length: 10\r\n') + '{}\n') }),
    () => ({ kind: 'bad-length', bytes: Buffer.from(head(`Content-Length: ${pick(r, ['-1', '1e3', '0x10', '99999999999999999999999', ' 3', '3 3'])}\r\n`) + '{}\n') }),
    () => ({ kind: 'bad-chunks', bytes: Buffer.from(head('Transfer-Encoding: chunked\r\n') + pick(r, ['zz\r\nabc\r\n0\r\n\r\n', '5\r\nab\r\n0\r\n\r\n', 'ffffffffffffffff\r\n', '3;ext=\u0000\r\nabc\r\n0\r\n\r\n', '-1\r\n']), 'latin1') }),
    () => ({ kind: 'te-not-chunked', bytes: Buffer.from(head(`Transfer-Encoding: ${pick(r, ['gzip', 'chunked, gzip', 'identity', 'xchunked'])}\r\n`) + '{}') }),
    () => ({ kind: 'nul-in-header', bytes: Buffer.from(`GET ${p} HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n`, 'latin1') }),
    () => ({ kind: 'bare-lf', bytes: Buffer.from(`GET ${p} HTTP/1.1\nHost: x\nX-A: b\n\n`) }),
    () => ({ kind: 'obs-fold', bytes: Buffer.from(`GET ${p} HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\n\r\n`) }),
    () => ({ kind: 'no-colon', bytes: Buffer.from(`GET ${p} HTTP/1.1\r\nHost x\r\nnonsense\r\n\r\n`) }),
    () => ({ kind: 'oversized-headers', bytes: Buffer.from(`GET ${p} HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(int(r, 17_000, 80_000))}\r\n\r\n`) }),
    () => ({ kind: 'many-headers', bytes: Buffer.from(`GET ${p} HTTP/1.1\r\nHost: x\r\n${'X-H: 1\r\n'.repeat(int(r, 500, 3000))}\r\n`) }),
    () => ({ kind: 'tls-hello', bytes: TLS_HELLO }),
    () => ({ kind: 'http2-preface', bytes: Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n') }),
    () => ({ kind: 'http09', bytes: Buffer.from(`GET ${p}\r\n`) }),
    () => ({ kind: 'upgrade', bytes: Buffer.from(`GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: ${pick(r, ['websocket', 'h2c', 'x'])}\r\n\r\n`) }),
    () => ({ kind: 'expect', bytes: Buffer.from(head(`Expect: ${pick(r, ['100-continue', '200-ok', ''])}\r\nContent-Length: 2\r\n`) + '{}') }),
    () => ({
      kind: 'pipelined-then-garbage',
      bytes: Buffer.concat([Buffer.from(`GET /2015-03-31/functions/ HTTP/1.1\r\nHost: x\r\n\r\n`.repeat(int(r, 1, 5))), bytes(r, int(r, 1, 512))]),
    }),
    () => {
      const full = Buffer.from(head('Content-Length: 100\r\n') + '{"a":1}');
      return { kind: 'cut-mid-request', bytes: full.subarray(0, int(r, 1, full.length)) };
    },
  ];
  return pick(r, cases)();
}

export interface RawOutcome {
  /** Status codes of every answer the server sent on the connection. */
  readonly statuses: number[];
  /** The server closed the connection (rather than the client giving up). */
  readonly closedByServer: boolean;
  readonly text: string;
}

/** Sends the bytes, half-closes, and reads until the server closes (or `giveUpMs`). */
export function sendRaw(port: number, data: Buffer, giveUpMs = 30_000): Promise<RawOutcome> {
  return new Promise((resolve) => {
    let text = '';
    const socket: Socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => finish(false), giveUpMs);
    const finish = (byServer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
      resolve({ statuses, closedByServer: byServer, text });
    };
    socket.on('data', (c: Buffer) => {
      if (text.length < 65_536) text += c.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => finish(true));
    socket.once('connect', () => socket.end(data));
  });
}

/**
 * A connection that sends `initial` at once, then `data` a byte every `everyMs`, never finishing;
 * tells when the server closed it.
 */
export function slowSend(port: number, data: Buffer, everyMs: number, initial?: Buffer): { closed: () => boolean; text: () => string; sent: () => number; stop: () => void } {
  let closed = false;
  let text = '';
  let i = 0;
  const socket = connect(port, '127.0.0.1');
  socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
    clearInterval(drip);
  });
  if (initial) socket.write(initial);
  const drip = setInterval(() => {
    if (!closed && socket.writable && i < data.length) socket.write(data.subarray(i, ++i));
  }, everyMs);
  return { closed: () => closed, text: () => text, sent: () => i, stop: () => { clearInterval(drip); socket.destroy(); } };
}
