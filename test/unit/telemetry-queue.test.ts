// The Telemetry API's queue against real listeners on the loopback: batches are JSON arrays of at
// most maxItems; a listener that never answers holds at most one batch in flight and a bounded
// queue, the rest is dropped and counted, and the next delivery starts with platform.logsDropped.
import { createServer, type Server } from 'node:net';
import { connect } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Telemetry } from '../../src/environment/telemetry/telemetry.js';
import { parseSubscription, type Subscription } from '../../src/environment/telemetry/subscribe.js';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

function subscription(port: number, buffering: object = {}): Subscription {
  const sub = parseSubscription(Buffer.from(JSON.stringify({
    types: ['platform', 'function'], buffering, destination: { protocol: 'HTTP', URI: `http://sandbox.localdomain:${port}/in` },
  })));
  if ('status' in sub) throw new Error(sub.errorMessage);
  return sub;
}

function telemetry(open: () => boolean = () => true): Telemetry {
  return new Telemetry({ connect: (port) => connect({ host: '127.0.0.1', port }), canDeliver: open, deliveryEnded: () => undefined, maySubscribe: () => true });
}

describe('Telemetry queue', () => {
  it('delivers JSON arrays of Lambda-shaped events to a listener, in order', async () => {
    const batches: { type: string; record: unknown }[][] = [];
    const http = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        batches.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    servers.push(http as unknown as Server);
    const t = telemetry();
    t.subscribe('ext', subscription((http.address() as AddressInfo).port, { timeoutMs: 25 }));
    t.endInit();
    for (let i = 0; i < 5; i++) t.emit('function', 'function', `line ${i}`);
    t.emit('extension', 'extension', 'not subscribed');
    await waitUntil(() => batches.flat().length >= 5);
    const events = batches.flat();
    expect(events.map((e) => e.record)).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
    expect(events.every((e) => e.type === 'function' && typeof (e as { time?: string }).time === 'string')).toBe(true);
    t.stop();
  });

  it('a listener that never answers costs a bounded queue; what does not fit is dropped and counted', async () => {
    let connections = 0;
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((s) => {
      connections++;
      sockets.push(s); // reads nothing, answers nothing
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    servers.push(silent);
    const t = telemetry();
    t.subscribe('ext', subscription((silent.address() as AddressInfo).port, { maxItems: 1000, timeoutMs: 25 }));
    t.endInit();
    for (let i = 0; i < 10_000; i++) t.emit('platform', 'platform.start', { requestId: String(i) });
    await waitUntil(() => connections >= 1);
    // One batch in flight, at most two batches queued: the 10,000 events did not all stay.
    const held = (t as unknown as { subs: Map<string, { queue: string[]; droppedRecords: number }> }).subs.get('ext')!;
    expect(connections).toBe(1);
    expect(held.queue.length).toBeLessThanOrEqual(2000);
    expect(held.droppedRecords).toBeGreaterThanOrEqual(10_000 - 1000 - 2000);
    t.stop();
    for (const s of sockets) s.destroy();
  });

  it('nothing is delivered while the sandbox is frozen; flushAll sends it once thawed', async () => {
    const got: unknown[] = [];
    const http = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        got.push(...JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    servers.push(http as unknown as Server);
    let thawed = false;
    const t = telemetry(() => thawed);
    t.subscribe('ext', subscription((http.address() as AddressInfo).port, { timeoutMs: 25 }));
    t.emit('platform', 'platform.report', { requestId: 'r1' });
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toEqual([]);
    thawed = true;
    t.flushAll();
    await waitUntil(() => got.length === 1);
    t.stop();
  });

  it('refuses subscriptions outside Lambda\'s bounds with a sentence', () => {
    const refused = (body: object) => {
      const r = parseSubscription(Buffer.from(JSON.stringify(body)));
      return 'status' in r ? r.errorMessage : undefined;
    };
    const dest = { protocol: 'HTTP', URI: 'http://sandbox.localdomain:4243/' };
    expect(refused({ types: ['platform'], destination: dest, buffering: { maxItems: 10 } })).toContain('maxItems must be an integer from 1000 to 10000');
    expect(refused({ types: ['platform'], destination: { protocol: 'HTTP', URI: 'http://example.com:80/' } })).toContain('sandbox.localdomain');
    expect(refused({ types: ['platform'], destination: { protocol: 'HTTP', URI: 'http://sandbox.localdomain:9001/' } })).toContain('not 9001');
    expect(refused({ types: ['platforms'], destination: dest })).toContain('types');
    expect(refused({ types: ['platform'], destination: dest })).toBeUndefined();
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
