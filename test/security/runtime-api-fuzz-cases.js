// The Runtime API fuzzer: a Node.js function (this file is its lambda_function.js) that, during its
// own invocation, sends malformed requests to its own Runtime API from inside the sandbox — bad
// percent-encoding, foreign and unknown request ids, wrong methods and paths, oversized headers
// and bodies, chunked garbage, broken framing, raw socket garbage, half-open connections and
// bursts of connections — straight to the unix socket and through 127.0.0.1:9001 (socat), and
// returns a tally of what came back. Standard library only; a seeded PRNG (the seed is in the
// event and the result) replays a run. Used by runtime-api-fuzz.test.ts.
//
// It never posts a well-formed result for its own request id: that would end its own invocation.
// Its own id appears only where the request cannot be one (wrong method, wrong action, headers
// the parser refuses).
// biome-ignore lint/suspicious/noRedundantUseStrict: this file runs as a function's CommonJS lambda_function.js, not as a module of this repository
'use strict';
const net = require('node:net');
const { randomUUID } = require('node:crypto');

const SOCKET = '/run/lambkin/runtime-api.sock';
const BASE = '/2018-06-01/runtime/';
/** How long a case waits for an answer before it counts as held (no answer is expected of some). */
const ANSWER_MS = 3000;

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BAD_ENCODINGS = ['%E0%A4%A', '%', '%Z', '%ZZ', '%C0%AF', '%ED%A0%80', '%FF%FE', '%E2%82', 'a%', '%%', '%u0041', '%C3'];
const WRONG_METHODS = ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'SEARCH'];
const WRONG_ACTIONS = ['responsee', 'RESPONSE', 'error/x', 'response/', 'response/../error', '', 'next', 'result'];
const PATHS = [
  '/', '/2018-06-01', '/2018-06-01/runtime', BASE, `${BASE}invocation`, `${BASE}invocation/`, `${BASE}invocation//response`,
  `${BASE}init`, `${BASE}init/error/x`, `${BASE}../../etc/passwd`, `${BASE}%2e%2e/%2e%2e`, '/2015-03-31/functions/', '*',
  `${BASE}invocation/next?x=1`, `${BASE}invocation/next/`, `${BASE}INVOCATION/NEXT`, '/2020-01-01/extension/register',
];

function pick(r, xs) {
  return xs[Math.floor(r() * xs.length)];
}
function int(r, lo, hi) {
  return lo + Math.floor(r() * (hi - lo + 1));
}
function bytes(r, n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}
/** A request id that is not the running one: a UUID, or anything at all (percent-encoded validly). */
function foreignId(r) {
  const roll = r();
  if (roll < 0.5) return randomUUID();
  if (roll < 0.7) return encodeURIComponent(bytes(r, int(r, 1, 64)).toString('latin1'));
  if (roll < 0.8) return pick(r, ['%2F', '%00', '..', '%2e%2e', 'a%2Fb', '😀'.repeat(3), encodeURIComponent('日本'), '__proto__', 'constructor']);
  if (roll < 0.9) return 'x'.repeat(int(r, 100, 8000));
  return randomUUID().toUpperCase();
}
function head(method, path, headers) {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n${headers.map((h) => h + '\r\n').join('')}\r\n`;
}
function post(path, body, extra = []) {
  return Buffer.concat([Buffer.from(head('POST', path, [`Content-Length: ${body.length}`, ...extra])), body]);
}
function randomBody(r) {
  const roll = r();
  if (roll < 0.3) return Buffer.from(JSON.stringify({ errorMessage: 'x'.repeat(int(r, 0, 500)), errorType: 'Fuzz' }));
  if (roll < 0.6) return bytes(r, int(r, 0, 4096));
  if (roll < 0.8) return Buffer.from('['.repeat(int(r, 100, 50000)));
  return Buffer.alloc(0);
}

const EXT = '/2020-01-01/extension/';
const EVENT_LISTS = ['{"events":["INVOKE","SHUTDOWN"]}', '{"events":[]}', '{"events":["BOOM"]}', '{"events":"INVOKE"}', '[]', 'null', '{', '{"events":[' + '"INVOKE",'.repeat(5000) + '"INVOKE"]}'];
const SUBSCRIPTIONS = [
  '{"types":["platform"],"destination":{"protocol":"HTTP","URI":"http://sandbox.localdomain:4243/x"}}',
  '{"types":["platform"],"destination":{"protocol":"HTTP","URI":"http://10.0.0.1:80/"}}',
  '{"types":["nope"],"destination":{"protocol":"TCP","URI":"x"}}',
  '{"types":["function"],"buffering":{"maxItems":1,"maxBytes":1e12,"timeoutMs":-1},"destination":{"protocol":"HTTP","URI":"http://sandbox.localdomain:9001/"}}',
];

/**
 * The Extensions and Telemetry APIs: registration after init, unknown identifiers, bad names,
 * bodies that are garbage or too large. The fuzzer is no registered extension, and registration
 * is closed while its invocation runs: every one of these is refused.
 */
function extensionCase(r) {
  const id = r() < 0.5 ? randomUUID() : foreignId(r);
  const idHeader = `Lambda-Extension-Identifier: ${id.slice(0, 200)}`;
  const roll = r();
  if (roll < 0.3) {
    const name = pick(r, ['ext', '', 'a b', 'x'.repeat(int(r, 100, 3000)), '../../etc', '\u00e9t\u00e9']);
    return post(`${EXT}register`, r() < 0.2 ? bytes(r, int(r, 1, 70000)) : Buffer.from(pick(r, EVENT_LISTS)), [`Lambda-Extension-Name: ${name}`, 'Lambda-Extension-Accept-Feature: accountId']);
  }
  if (roll < 0.5) return Buffer.from(head('GET', `${EXT}event/next`, r() < 0.8 ? [idHeader] : []));
  if (roll < 0.7) return post(`${EXT}${pick(r, ['init/error', 'exit/error'])}`, randomBody(r), [idHeader, 'Lambda-Extension-Function-Error-Type: Fuzz.Error']);
  if (roll < 0.9) {
    const body = r() < 0.2 ? bytes(r, int(r, 1, 40000)) : Buffer.from(pick(r, SUBSCRIPTIONS));
    return Buffer.concat([Buffer.from(head('PUT', pick(r, ['/2022-07-01/telemetry', '/2020-08-15/logs']), [idHeader, `Content-Length: ${body.length}`])), body]);
  }
  return Buffer.from(head(pick(r, WRONG_METHODS), pick(r, [`${EXT}register`, `${EXT}event/next`, '/2022-07-01/telemetry', `${EXT}nope`]), [idHeader]));
}

/**
 * One case: what to send and how. `send` is a list of steps: bytes to write, or a pause in ms;
 * `hold` keeps the connection open that long after the last step (half-open cases); `burst`
 * opens that many connections at once, each sending `send`.
 */
function makeCase(r, ownId) {
  const roll = r();
  const kinds = [
    [0.1, 'bad-encoding', () => post(`${BASE}invocation/${pick(r, BAD_ENCODINGS)}/${pick(r, ['response', 'error'])}`, randomBody(r))],
    [0.22, 'foreign-id', () => post(`${BASE}invocation/${foreignId(r)}/${pick(r, ['response', 'error'])}`, randomBody(r), [
      ...(r() < 0.2 ? ['Lambda-Runtime-Function-Error-Type: ' + 'F'.repeat(int(r, 1, 3000))] : []),
      ...(r() < 0.3 ? [`Lambda-Runtime-Function-Response-Mode: ${pick(r, ['streaming', 'STREAMING', 'buffered', ''])}`] : []),
    ])],
    [0.3, 'wrong-method', () => Buffer.from(head(pick(r, WRONG_METHODS), `${BASE}invocation/${r() < 0.5 ? ownId : foreignId(r)}/${pick(r, ['response', 'error'])}`, []))],
    [0.36, 'wrong-action', () => post(`${BASE}invocation/${r() < 0.5 ? ownId : foreignId(r)}/${pick(r, WRONG_ACTIONS)}`, randomBody(r))],
    [0.42, 'unknown-path', () => Buffer.from(head(pick(r, ['GET', 'POST', 'PUT']), pick(r, PATHS) + (r() < 0.2 ? 'x'.repeat(int(r, 1, 9000)) : ''), ['Content-Length: 0']))],
    [0.46, 'init-error-while-busy', () => post(`${BASE}init/error`, randomBody(r), ['Lambda-Runtime-Function-Error-Type: Fuzz.Init'])],
    [0.5, 'oversized-headers', () => Buffer.from(head('POST', `${BASE}invocation/${r() < 0.5 ? ownId : foreignId(r)}/response`, [`X-Big: ${'h'.repeat(int(r, 17000, 70000))}`, 'Content-Length: 2']) + '{}')],
    [0.53, 'many-headers', () => post(`${BASE}invocation/${foreignId(r)}/response`, Buffer.from('{}'), Array.from({ length: int(r, 100, 3000) }, (_, i) => `X-H${i}: ${i}`).slice(0, 1500))],
    [0.58, 'big-body', () => {
      const size = r() < 0.2 ? 7 * 1024 * 1024 : int(r, 65537, 1024 * 1024);
      return post(`${BASE}invocation/${foreignId(r)}/${pick(r, ['response', 'error'])}`, Buffer.alloc(size, 0x61));
    }],
    [0.64, 'chunked-garbage', () => Buffer.concat([
      Buffer.from(head('POST', r() < 0.3 ? `${BASE}init/error` : `${BASE}invocation/${foreignId(r)}/response`,
        ['Transfer-Encoding: chunked', ...(r() < 0.5 ? ['Lambda-Runtime-Function-Response-Mode: streaming'] : [])])),
      Buffer.from(pick(r, ['zz\r\nabc\r\n0\r\n\r\n', 'ffffffffffffffffff\r\n', '5\r\nabc\r\n', '-1\r\n', '3;ext=' + 'e'.repeat(5000) + '\r\nabc\r\n0\r\n\r\n', '4\r\nabcd\r\n' + '0\r\nTrailer: ' + 't'.repeat(20000) + '\r\n\r\n'])),
      bytes(r, int(r, 0, 512)),
    ])],
    [0.69, 'bad-framing', () => Buffer.from(pick(r, [
      head('POST', `${BASE}invocation/${foreignId(r)}/response`, ['Content-Length: 5', 'Transfer-Encoding: chunked']) + '0\r\n\r\n',
      head('POST', `${BASE}invocation/${foreignId(r)}/response`, ['Content-Length: 5', 'Content-Length: 6']) + 'abcdef',
      head('POST', `${BASE}invocation/${ownId}/response`, ['Content-Length: -1']),
      head('POST', `${BASE}invocation/${ownId}/error`, ['Content-Length: 99999999999999999999999']),
      head('POST', `${BASE}invocation/${ownId}/response`, ['Content-Length: 1e3']),
      head('POST', `${BASE}init/error`, ['Transfer-Encoding: gzip, chunked, identity']),
      `POST ${BASE}invocation/${foreignId(r)}/response HTTP/1.1\r\nHost: x\r\nContent-Length:  12 \r\nX: a\nb\r\n\r\n`,
      `POST ${BASE}invocation/${foreignId(r)}/response HTTP/1.1\r\nHost: x\r\n Folded: header\r\nContent-Length: 2\r\n\r\n{}`,
      `POST ${BASE}invocation/${foreignId(r)}/response HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nBad\u0000Header: x\r\n\r\n{}`,
      `GET ${BASE}invocation/next HTTP/9.9\r\n\r\n`,
      `GET http://evil/${BASE}invocation/next HTTP/1.1\r\nHost: x\r\n\r\n`,
      `POST ${BASE}invocation/${foreignId(r)}/response HTTP/1.0\r\n\r\n{}`,
      `POST ${BASE}invocation/${foreignId(r)}/response HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}`,
    ]))],
    [0.75, 'raw-garbage', () => bytes(r, int(r, 1, 8192))],
    [0.79, 'pipelined', () => Buffer.concat(Array.from({ length: int(r, 2, 40) }, () => pick(r, [
      post(`${BASE}invocation/${foreignId(r)}/response`, Buffer.from('{}')),
      Buffer.from(head('GET', pick(r, PATHS), [])),
      post(`${BASE}invocation/${pick(r, BAD_ENCODINGS)}/error`, Buffer.from('{}')),
      Buffer.from(head('DELETE', `${BASE}invocation/${ownId}/response`, [])),
    ])))],
    [0.82, 'expect-continue', () => Buffer.from(head('POST', `${BASE}invocation/${foreignId(r)}/response`, ['Expect: 100-continue', `Content-Length: ${int(r, 1, 7000000)}`]))],
    [0.86, 'extensions', () => extensionCase(r)],
  ];
  for (const [below, kind, make] of kinds) if (roll < below) return { kind, send: [make()], hold: 0 };
  // A poll of its own while its invocation runs: it waits for an event that goes to no one else.
  if (roll < 0.88) return { kind: 'next-while-busy', send: [Buffer.from(head('GET', `${BASE}invocation/next`, []))], hold: int(r, 20, 200) };
  if (roll < 0.92) {
    // Half-open: a connection that starts and stalls — nothing, part of the headers, or part of a body.
    const start = pick(r, ['', 'POST ', `POST ${BASE}invocation/${foreignId(r)}/response HTTP/1.1\r\nHost: x\r\n`, `POST ${BASE}invocation/${foreignId(r)}/response HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{"a":`]);
    return { kind: 'half-open', send: start ? [Buffer.from(start)] : [], hold: int(r, 20, 300) };
  }
  if (roll < 0.96) {
    // Slowloris: headers a few bytes at a time.
    const full = head('POST', `${BASE}invocation/${foreignId(r)}/response`, ['Content-Length: 2']) + '{}';
    const steps = [];
    for (let i = 0; i < full.length;) {
      const n = int(r, 5, 40);
      steps.push(Buffer.from(full.slice(i, i + n)), int(r, 1, 10));
      i += n;
    }
    return { kind: 'slowloris', send: steps.slice(0, 30), hold: 300 };
  }
  return { kind: 'burst', send: [post(`${BASE}invocation/${foreignId(r)}/response`, Buffer.from('{}'))], hold: 0, burst: int(r, 20, 80) };
}

/** Run one connection of a case; resolves with what came back: an HTTP status, 'closed', 'reset', 'held'. */
function runOne(c, viaTcp) {
  return new Promise((resolve) => {
    const s = viaTcp ? net.connect(9001, '127.0.0.1') : net.connect(SOCKET);
    let got = '';
    let over = false;
    const done = (what) => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      s.destroy();
      resolve(what);
    };
    const timer = setTimeout(() => done('held'), c.hold ? c.hold : ANSWER_MS);
    s.on('data', (d) => {
      got += d.toString('latin1');
      // A 100 Continue is not the answer; whatever follows it is.
      const status = [...got.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => m[1]).find((code) => code !== '100');
      if (status) done(status);
      else if (!got.startsWith('HTTP/'.slice(0, got.length))) done('not-http');
    });
    s.on('error', (e) => done(e.code === 'ECONNRESET' || e.code === 'EPIPE' ? 'reset' : 'error ' + e.code));
    s.on('close', () => done('closed'));
    s.on('connect', async () => {
      for (const step of c.send) {
        if (over) return;
        if (typeof step === 'number') await new Promise((w) => setTimeout(w, step));
        else s.write(step);
      }
    });
  });
}

exports.lambda_handler = async (event, context) => {
  const count = event.count ?? 2000;
  const seed = event.seed ?? 1;
  const ownId = context.awsRequestId;
  const tally = {};
  const byKind = {};
  let sent = 0;
  const note = (kind, what) => {
    tally[what] = (tally[what] ?? 0) + 1;
    const k = (byKind[kind] = byKind[kind] ?? {});
    k[what] = (k[what] ?? 0) + 1;
  };
  let next = 0;
  const started = Date.now();
  // Unix-socket workers, and one through socat (which listens with a backlog of 5).
  const worker = async (viaTcp) => {
    while (next < count) {
      // Made when taken (a 7 MB body each is too many to hold), from a PRNG of its own: the run
      // replays whatever order the workers take the cases in.
      const c = makeCase(rng((seed ^ 0x9e3779b9) + next * 7919), ownId);
      next++;
      const n = c.burst ?? 1;
      const results = await Promise.all(Array.from({ length: n }, () => runOne(c, viaTcp && n === 1)));
      sent += n;
      for (const what of results) note(c.kind, what);
    }
  };
  await Promise.all([worker(true), ...Array.from({ length: event.workers ?? 6 }, () => worker(false))]);
  return { seed, cases: count, requests: sent, seconds: (Date.now() - started) / 1000, tally, byKind };
};
