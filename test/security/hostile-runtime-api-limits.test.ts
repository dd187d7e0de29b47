// Function code against its own Runtime API's budgets, under namespace + isolated network: a path
// that does not decode (the server used to exit), thousands of connections held open — through
// 127.0.0.1:9001 (socat) and straight to the unix socket /run/lambkin/runtime-api.sock — and
// bodies of 6 MB for request ids that are not the running invocation. The server stays up, its
// descriptors and memory stay bounded, another function keeps answering, and the attacking
// invocation itself ends Lambda-shaped.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Lambkin } from '../helpers/server.js';
import { call, deploy, stillServes, waitFor, type Called, withBystanderServer } from './hostile.js';

const SOCKET = '/run/lambkin/runtime-api.sock';

// A request whose request id is not valid percent-encoding, then a request that must still work.
const BAD_ENCODING = `
exports.lambda_handler = async () => {
  const base = 'http://' + process.env.AWS_LAMBDA_RUNTIME_API + '/2018-06-01/runtime/invocation/';
  const answers = [];
  for (const id of ['%E0%A4%A', '%', '%ZZ', '%C0%AF', '%ED%A0%80']) {
    const res = await fetch(base + id + '/response', { method: 'POST', body: '{}' });
    answers.push({ status: res.status, body: await res.json() });
  }
  return answers;
};`;

// Open many connections (unix socket and TCP via socat), send one request on each and see which
// are answered and which the server closes; hold them all a while, then close them.
const FLOOD = `
const net = require('node:net');
const probe = (connect) => new Promise((resolve) => {
  const s = connect();
  let answered = false;
  s.on('data', () => { answered = true; resolve({ s, answered }); });
  s.on('error', () => resolve({ s, answered }));
  s.on('close', () => resolve({ s, answered }));
  s.on('connect', () => s.write('GET /2018-06-01/runtime/ping HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'));
});
exports.lambda_handler = async (event) => {
  const held = [];
  let answeredUnix = 0, answeredTcp = 0;
  for (let i = 0; i < event.unix; i += 250) {
    const batch = await Promise.all(Array.from({ length: Math.min(250, event.unix - i) }, () => probe(() => net.connect('${SOCKET}'))));
    for (const b of batch) { held.push(b.s); if (b.answered) answeredUnix++; }
  }
  // A few at a time: socat listens with a backlog of 5, and a SYN it drops is retried seconds later.
  for (let i = 0; i < event.tcp; i += 4) {
    const batch = await Promise.all(Array.from({ length: Math.min(4, event.tcp - i) }, () => probe(() => net.connect(9001, '127.0.0.1'))));
    for (const b of batch) { held.push(b.s); if (b.answered) answeredTcp++; }
  }
  const open = held.filter((s) => !s.destroyed && s.readyState === 'open').length;
  await new Promise((r) => setTimeout(r, event.holdMs));
  for (const s of held) s.destroy();
  return { answeredUnix, answeredTcp, open };
};`;

// 6 MB bodies held one byte short of their end: for request ids that are not the running one, and
// for its own id several times at once. What did the server answer to each before the body was
// all sent? Then the one body the server reads (its own id's, a JSON string of 6,291,556 bytes:
// Lambda's limit) gets its last byte and becomes the invocation's result; the tally goes to the log.
const BODIES = `
const net = require('node:net');
const { randomUUID } = require('node:crypto');
const LENGTH = 6291556;
const BODY = Buffer.alloc(LENGTH, 0x61);
BODY[0] = BODY[LENGTH - 1] = 0x22; // "aaa…a"
const post = (id) => new Promise((resolve) => {
  const s = net.connect('${SOCKET}');
  let head = '';
  const done = (what) => resolve({ s, what });
  s.on('data', (d) => { head += d; if (head.includes('\\r\\n\\r\\n')) done('answered ' + head.slice(9, 12)); });
  s.on('error', (e) => done('error ' + e.code));
  s.on('close', () => done('closed'));
  s.on('connect', () => {
    s.write('POST /2018-06-01/runtime/invocation/' + id + '/response HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: ' + LENGTH + '\\r\\n\\r\\n');
    let sent = 0;
    const pump = () => {
      while (sent < LENGTH - 1 && !s.destroyed) {
        const n = Math.min(65536, LENGTH - 1 - sent);
        const more = s.write(BODY.subarray(sent, sent + n));
        sent += n;
        if (!more) return s.once('drain', pump);
      }
      if (sent >= LENGTH - 1) done('all sent, no answer');
    };
    pump();
  });
});
exports.lambda_handler = async (event, context) => {
  // Its own id first: those connections are made (and accepted) before the cap is reached.
  const ids = [...Array.from({ length: event.own }, () => context.awsRequestId), ...Array.from({ length: event.foreign }, () => randomUUID())];
  const results = await Promise.all(ids.map(post));
  await new Promise((r) => setTimeout(r, event.holdMs));
  const tally = {};
  results.forEach((r, i) => { const k = (i < event.own ? 'own ' : 'foreign ') + r.what; tally[k] = (tally[k] ?? 0) + 1; });
  console.log('tally ' + JSON.stringify(tally));
  const reading = results.find((r) => r.what === 'all sent, no answer');
  if (reading) {
    const answer = new Promise((resolve) => reading.s.once('data', (d) => resolve(String(d).slice(9, 12))));
    reading.s.write(BODY.subarray(LENGTH - 1));
    await answer; // the 202 comes after the caller's answer, i.e. after this invocation's END
  }
  for (const r of results) r.s.destroy();
  return 'no body was read';
};`;

let lk: Lambkin;

withBystanderServer((server) => (lk = server));

function fds(): number {
  return readdirSync(`/proc/${lk.proc.pid}/fd`).length;
}

function rssMb(): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${lk.proc.pid}/status`, 'utf8'))![1]) / 1024;
}

/** Run `attack` and, until it ends, sample `measure` and call the bystander; returns the attack's result, the peak and the bystander's answers. */
async function during(attack: Promise<Called>, measure: () => number): Promise<{ r: Called; peak: number; bystander: number }> {
  let over = false;
  let peak = measure();
  let bystander = 0;
  const watching = attack.finally(() => (over = true));
  await Promise.all([
    (async () => {
      while (!over) {
        peak = Math.max(peak, measure());
        await new Promise((r) => setTimeout(r, 25));
      }
    })(),
    (async () => {
      while (!over) {
        await stillServes(lk.lambda);
        bystander++;
      }
    })(),
  ]);
  return { r: await watching, peak, bystander };
}

describe('hostile handlers: the Runtime API\'s own limits (namespace, isolated)', () => {
  it('a request id that is not valid percent-encoding is answered 400 InvalidRequestID; the server stays up', async () => {
    await deploy(lk.lambda, 'bad-encoding', BAD_ENCODING);
    const r = await call(lk.lambda, 'bad-encoding');
    expect(r.functionError).toBeUndefined();
    expect(r.body).toHaveLength(5);
    for (const a of r.body) expect(a).toEqual({ status: 400, body: { errorType: 'InvalidRequestID', errorMessage: expect.stringMatching(/percent-encoded/) } });
    expect(lk.proc.exitCode).toBeNull();
    await stillServes(lk.lambda);
  });

  it('2,000 connections to the unix socket and 100 through 127.0.0.1:9001: at most 16 are kept, the server\'s descriptors stay bounded', async () => {
    await stillServes(lk.lambda);
    await deploy(lk.lambda, 'flood', FLOOD, { timeout: 120, memory: 512 });
    const before = fds();
    const { r, peak, bystander } = await during(call(lk.lambda, 'flood', { unix: 2000, tcp: 100, holdMs: 1500 }), fds);
    expect(r.functionError).toBeUndefined();
    // The runtime holds one connection of its 16; the function gets the rest, whatever the path.
    expect(r.body.answeredUnix + r.body.answeredTcp).toBeLessThanOrEqual(15);
    expect(r.body.open).toBeLessThanOrEqual(15);
    expect(peak - before).toBeLessThan(100);
    expect(bystander).toBeGreaterThan(0);
    expect(r.log).toMatch(/refused a connection: this environment already has 16 open/);
    expect(lk.proc.exitCode).toBeNull();
    await stillServes(lk.lambda);
    // The environment itself is fine once the flood is over (and the server has seen its connections close).
    await waitFor('the flooded environment to take connections again', async () => {
      const again = await call(lk.lambda, 'flood', { unix: 1, tcp: 1, holdMs: 0 });
      return again.body?.answeredUnix === 1 && again.body?.answeredTcp === 1;
    });
  }, 180_000);

  it('6 MB bodies that never finish: refused before they are read unless they are the one running invocation\'s first', async () => {
    await deploy(lk.lambda, 'bodies', BODIES, { timeout: 60, memory: 256 });
    await call(lk.lambda, 'bodies', { foreign: 0, own: 0, holdMs: 0 }); // warm: its start-up is not in the figures
    const before = rssMb();
    const { r, peak } = await during(call(lk.lambda, 'bodies', { foreign: 40, own: 4, holdMs: 1500 }), rssMb);
    const tally = JSON.parse(/tally (.*)/.exec(r.log)![1]!) as Record<string, number>;
    const count = (re: RegExp) => Object.entries(tally).filter(([k]) => re.test(k)).reduce((n, [, v]) => n + v, 0);
    // Foreign ids: refused (403, or over the connection cap) on their headers, the connection
    // closed while the body was still being sent — none of them read to its last byte.
    expect(count(/^foreign (answered 403|error|closed)/)).toBe(40);
    // Its own id: one body is read (all but its last byte sent, so no answer yet), the others refused.
    expect(tally['own all sent, no answer']).toBe(1);
    expect(count(/^own (answered 403|error|closed)/)).toBe(3);
    // That one, finished, is the invocation's result: Lambda's limit, 6,291,556 bytes, is accepted.
    expect(r.functionError).toBeUndefined();
    expect(r.text).toHaveLength(6_291_556);
    expect(r.body).toBe('a'.repeat(6_291_554));
    // One body of 6 MB in the server at most (the figure with a margin for a loaded machine's noise).
    expect(peak - before).toBeLessThan(60);
    expect(lk.proc.exitCode).toBeNull();
    await stillServes(lk.lambda);
  }, 120_000);
});
