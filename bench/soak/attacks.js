// The hostile side of the soak: issue 14's items 1–12, each a loop with its own pace, all running at
// once against one server. Function-side attacks invoke the hostile function (hostile.py) in a
// mode; caller-side ones talk to the server's listeners directly. Every loop counts what it did
// and what failed; none of them waits for the server to behave.
import { connect } from 'node:net';
import { request } from 'node:http';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { hostileZip } from './functions.js';

const enc = (s) => new TextEncoder().encode(s);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const DEEP = '['.repeat(6000) + ']'.repeat(6000);
const ROUND_LIMIT_MS = 90_000;

/** Each attack: name, issue item, pause between rounds (ms), and one round. */
export function attacks(ctx) {
  const { lambda, logs, url, signed } = ctx;
  const invoke = (mode, extra = {}) => lambda.send(new InvokeCommand({ FunctionName: 'hostile', Payload: enc(JSON.stringify({ mode, ...extra })) }));
  return [
    { item: 1, name: 'Runtime API bad percent-encoding', every: 2_000, round: () => invoke('badpct') },
    { item: 2, name: 'deep JSON async, OnFailure + OnSuccess destinations', every: 5_000, round: async () => {
      await lambda.send(new InvokeCommand({ FunctionName: 'hostile', InvocationType: 'Event', Payload: enc(DEEP) }));
      await lambda.send(new InvokeCommand({ FunctionName: 'hostile-deep', InvocationType: 'Event', Payload: enc(DEEP) }));
    } },
    { item: 3, name: 'client context with newline and non-Latin-1', every: 2_000, round: () => lambda.send(new InvokeCommand({
      FunctionName: 'hostile', Payload: enc('{}'),
      ClientContext: Buffer.from('{\n"custom": {"s": "ü 日本 😀"}\n}').toString('base64'),
    })) },
    { item: 4, name: 'thousands of connections to the Runtime API socket', every: 20_000, round: () => invoke('fds', { n: 3000, hold: 2 }) },
    { item: 5, name: 'catastrophic filter patterns', every: 10_000, round: async () => {
      for (const filterPattern of ['%^a{9}(a+)+$%', '{ $.m = "*a*a*a*a*a*b" }']) {
        await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/hostile', filterPattern, limit: 100 }));
      }
      await signed('GET', `/lambkin/v1/events?function=hostile&filter=${encodeURIComponent('%^a{9}(a+)+$%')}`);
    } },
    { item: 6, name: '150 unfinished 6 MB responses to the Runtime API', every: 20_000, round: () => invoke('bigbody', { n: 150, hold: 3 }) },
    { item: 6, name: '8 unsigned 66 MB uploads', every: 30_000, round: () => Promise.all(Array.from({ length: 8 }, () => unsignedUpload(url))) },
    { item: 7, name: '2,000 idle connections to the API port', every: 30_000, round: () => idleConnections(url, 2000, 5_000) },
    { item: 8, name: 'detached busy loop left behind', every: 15_000, round: () => invoke('fork') },
    { item: 9, name: '6 MB error messages, then the lists', every: 10_000, round: async () => {
      await invoke('bigerror');
      const sizes = [];
      for (const path of ['/lambkin/v1/invocations?function=hostile', '/lambkin/v1/errors', '/lambkin/v1/functions/throttled/dead-letters']) {
        sizes.push((await signed('GET', path)).bytes);
      }
      return sizes;
    } },
    { item: 10, name: 'stdout flood with 64 tail clients that never read', every: 30_000, round: async () => {
      const tails = await Promise.all(Array.from({ length: 64 }, () => ctx.stalledTail('hostile')));
      await invoke('flood', { n: 20000 });
      await sleep(3_000);
      for (const t of tails) t.destroy();
    } },
    { item: 11, name: 'code updates that unpack to 20 MB', every: 30_000, round: async (i) => {
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'hostile', ZipFile: hostileZip(20, i) }));
    } },
    { item: 12, name: '500 events queued to a throttled function', every: 30_000, round: async () => {
      for (let i = 0; i < 500; i += 50) {
        await Promise.all(Array.from({ length: 50 }, () =>
          lambda.send(new InvokeCommand({ FunctionName: 'throttled', InvocationType: 'Event', Payload: enc('{}') }))));
      }
    } },
  ];
}

/** Run every attack in its own loop until `until` (performance.now()); resolves with their counts. */
export async function runAttacks(list, until) {
  return Promise.all(list.map(async (a) => {
    const stat = { item: a.item, name: a.name, rounds: 0, errors: 0, hung: 0, firstError: undefined };
    let i = 0;
    while (performance.now() < until) {
      try {
        // A round the server never answers is a finding, not a reason for the soak to hang.
        let timer;
        const hung = new Promise((_, reject) => (timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ROUND_LIMIT_MS / 1000} s`), { name: 'Hung' })), ROUND_LIMIT_MS)));
        await Promise.race([a.round(i++), hung]).finally(() => clearTimeout(timer));
      } catch (err) {
        if (err.name === 'Hung') stat.hung++;
        stat.errors++;
        stat.firstError ??= `${err.name}: ${String(err.message).slice(0, 160)}`;
      }
      stat.rounds++;
      const left = until - performance.now();
      if (left > 0) await sleep(Math.min(a.every, left));
    }
    return stat;
  }));
}

/** A 66 MB PUT of code without any signature, streamed; resolves with the status (or the error). */
function unsignedUpload(url) {
  const u = new URL(url);
  const size = 66 * 1024 * 1024;
  const chunk = Buffer.alloc(1024 * 1024, 0x41);
  return new Promise((resolve) => {
    const req = request({
      host: u.hostname, port: u.port, method: 'PUT', path: '/2015-03-31/functions/hostile/code',
      headers: { 'content-type': 'application/json', 'content-length': size },
    }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode));
      req.destroy();
    });
    req.on('error', (e) => resolve(e.code ?? 'error'));
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

function idleConnections(url, n, holdMs) {
  const u = new URL(url);
  const sockets = [];
  for (let i = 0; i < n; i++) {
    const s = connect({ host: u.hostname, port: Number(u.port) });
    s.on('error', () => undefined);
    sockets.push(s);
  }
  return sleep(holdMs).then(() => {
    for (const s of sockets) s.destroy();
  });
}
