// Hostile handlers that go after the Runtime API and the network, under namespace + isolated
// network: a response posted for someone else's request id (403, as AWS's RIE answers), a runtime
// that never asks for its first event (init timeout), and a scan of 127.0.0.1 that must reach
// neither lambkin's API nor another environment's Runtime API — while real egress still works.
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { LambkinClient } from '../../src/client/index.js';
import { call, deploy, ECHO_NODE, stillServes, TALK_NODE } from './hostile.js';

const FOREIGN = `
const { randomUUID } = require('node:crypto');
exports.lambda_handler = async (event, context) => {
  const base = 'http://' + process.env.AWS_LAMBDA_RUNTIME_API + '/2018-06-01/runtime/invocation/';
  const post = async (id, kind) => {
    const res = await fetch(base + id + '/' + kind, { method: 'POST', body: JSON.stringify({ stolen: true }) });
    return { status: res.status, body: await res.text() };
  };
  return { response: await post(randomUUID(), 'response'), error: await post(randomUUID(), 'error'), mine: context.awsRequestId };
};`;

// Every port of 127.0.0.1: which accept a connection, and what an HTTP GET of lambkin's
// routes gets on each (except 9001, this environment's own Runtime API, busy with this very call).
const SCAN = `
const net = require('node:net');
const probe = (port) => new Promise((resolve) => {
  const s = net.connect({ host: '127.0.0.1', port });
  s.setTimeout(1000, () => { s.destroy(); resolve(false); });
  // A connection to itself (source port = the port probed) is TCP's simultaneous open, not a listener.
  s.once('connect', () => { const self = s.localPort === port; s.destroy(); resolve(!self); });
  s.once('error', () => resolve(false));
});
const get = async (port, path) => {
  try {
    const res = await fetch('http://127.0.0.1:' + port + path, { signal: AbortSignal.timeout(1000) });
    return res.status + ' ' + (await res.text()).slice(0, 200);
  } catch (e) { return 'failed: ' + (e.cause?.code ?? e.name); }
};
exports.lambda_handler = async (event) => {
  const open = [];
  for (let start = 1; start <= 65535; start += 1024) {
    const ports = [];
    for (let p = start; p < start + 1024 && p <= 65535; p++) ports.push(p);
    const hits = await Promise.all(ports.map(probe));
    ports.forEach((p, i) => hits[i] && open.push(p));
  }
  const answers = {};
  for (const port of open.filter((p) => p !== 9001)) {
    answers[port] = [await get(port, '/2018-06-01/runtime/invocation/next'), await get(port, '/2015-03-31/functions/')];
  }
  const direct = await get(event.lambkinPort, '/2015-03-31/functions/');
  return { open, answers, direct };
};`;

const EGRESS = `${TALK_NODE}
exports.lambda_handler = async (e) => ({
  outside: await talk(e.outsideHost, e.outsidePort),
  hostLoopback: await talk('10.0.2.2', e.loopbackPort),
});`;

let lk: Lambkin;

beforeAll(async () => {
  lk = await startLambkin({ args: ['--init-timeout', '3'] });
  await deploy(lk.lambda, 'bystander', ECHO_NODE);
});
afterAll(async () => {
  await lk?.stop();
});

function listen(host: string): Promise<Server> {
  const server = createServer((s) => s.end(`hello from ${host}`));
  return new Promise((resolve) => server.listen(0, host, () => resolve(server)));
}

describe('hostile handlers: the Runtime API and the network (namespace, isolated)', () => {
  it('a response or error for a request id that is not the active one is refused with 403', async () => {
    await deploy(lk.lambda, 'foreign', FOREIGN);
    const r = await call(lk.lambda, 'foreign');
    expect(r.functionError).toBeUndefined(); // its own invocation still completes normally
    expect(r.body.response.status).toBe(403);
    expect(r.body.error.status).toBe(403);
    expect(JSON.parse(r.body.response.body).errorType).toBe('InvalidRequestID');
    await stillServes(lk.lambda);
  });

  it('a runtime that never asks for its first event fails with a clear init timeout', async () => {
    // The module never finishes loading, so the runtime never polls /next.
    await deploy(lk.lambda, 'never-ready', 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);\nexports.lambda_handler = async () => ({});');
    const r = await call(lk.lambda, 'never-ready');
    expect(r.functionError).toBe('Unhandled');
    expect(r.body.errorType).toBe('Runtime.InitTimeout');
    expect(r.body.errorMessage).toMatch(/within 3 seconds.*never asked for its first event/);
    await stillServes(lk.lambda);
  });

  it('a port scan of 127.0.0.1 finds only its own Runtime API: not lambkin\'s API, not another environment\'s', async () => {
    await stillServes(lk.lambda); // another environment is up, with its Runtime API
    await deploy(lk.lambda, 'scanner', SCAN, { timeout: 120, memory: 256 });
    const lambkinPort = Number(new URL(lk.url).port);
    const r = await call(lk.lambda, 'scanner', { lambkinPort });
    expect(r.functionError).toBeUndefined();
    expect(r.body.open).toEqual([9001]);
    expect(r.body.answers).toEqual({});
    expect(r.body.direct).toMatch(/^failed: /);
    expect(r.text).not.toContain('"Functions"');
    await stillServes(lk.lambda);
  });

  it('reaches the host\'s own address only when its egress policy allows it, and the host\'s loopback never', async () => {
    const outsideHost = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    expect(outsideHost, 'this machine needs a non-loopback IPv4 address').toBeDefined();
    const outside = await listen(outsideHost!);
    const loopback = await listen('127.0.0.1');
    try {
      const port = (s: Server) => (s.address() as { port: number }).port;
      const event = { outsideHost, outsidePort: port(outside), loopbackPort: port(loopback) };
      // The default policy (public) refuses the host's own addresses (test/security/egress.test.ts).
      await deploy(lk.lambda, 'egress', EGRESS);
      let r = await call(lk.lambda, 'egress', event);
      expect(r.body.outside).toBe('error:EHOSTUNREACH');
      expect(r.body.hostLoopback).toMatch(/^(error:|timeout)/);
      // `all` lets it through slirp4netns to the host's address — but still not to its loopback.
      await new LambkinClient({ endpoint: lk.url }).updateFunctionConfiguration('egress', { LambkinEgress: { Mode: 'all' } });
      r = await call(lk.lambda, 'egress', event);
      expect(r.body.outside).toBe(`got:hello from ${outsideHost}`);
      expect(r.body.hostLoopback).toMatch(/^(error:|timeout)/);
    } finally {
      outside.close();
      loopback.close();
    }
  });
});
