// The first invoke after a deploy, as a new user meets it (issue 17, items 1–2), for bench/first-invoke.js
// and `npm run bench`. lambkin, per round and runtime: a fresh server, CreateFunction, 1 s, one invoke
// (request → result); then a burst: 8 concurrent invokes of a second function (8 new environments:
// demand seen), 5 s, a third function created, 1 s, and 8 concurrent first invokes of it.
// serverless-offline has no deploy: its start is the deploy, and its first invoke after a start its
// cold start (default mode: a new worker thread for Node.js, a new Python process) — one fresh peer
// for the first invokes (each runtime's function once), another for 8 concurrent first invokes of each.
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { startServer } from './server.js';
import { deploy } from './functions.js';
import { client } from './load.js';
import { peer } from './targets.js';
import { summary } from './stats.js';

export const BURST = 8;
const payload = new TextEncoder().encode('{"name":"bench"}');
const pause = (t) => new Promise((r) => setTimeout(r, t));

/** Request → result in ms, and lambkin's Init Duration from the log tail (a pool hit's is the handler load only). */
async function timed(lambda, name, tail = false) {
  const t = performance.now();
  const r = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload, LogType: tail ? 'Tail' : 'None' }));
  const ms = performance.now() - t;
  if (r.FunctionError) throw new Error(`${name}: ${Buffer.from(r.Payload).toString()}`);
  const m = tail && /Init Duration: ([\d.]+) ms/.exec(Buffer.from(r.LogResult ?? '', 'base64').toString());
  return { ms, init: m ? Number(m[1]) : undefined };
}

const burstOf = (lambda, name, tail) => Promise.all(Array.from({ length: BURST }, () => timed(lambda, name, tail)));

/** One lambkin round of one runtime on a fresh server: { first, burst: [] }, each { ms, init }. */
export async function lambkinRound(runtime, args = [], env = {}) {
  const server = await startServer(args, env);
  const lambda = client(server.url);
  try {
    await deploy(lambda, 'first', runtime);
    await pause(1000);
    const first = await timed(lambda, 'first', true);
    await deploy(lambda, 'seen', runtime);
    await pause(1000);
    await burstOf(lambda, 'seen', false);
    await pause(5000);
    await deploy(lambda, 'burst', runtime);
    await pause(1000);
    return { first, burst: await burstOf(lambda, 'burst', true) };
  } finally {
    lambda.destroy();
    await server.stop();
  }
}

/** One serverless-offline round (default mode): { [runtime]: { first, burst: [] } }; `order` the runtimes in turn. */
export async function peerRound(order) {
  const out = Object.fromEntries(order.map((rt) => [rt, {}]));
  let p = await peer([], 'sls');
  try {
    for (const rt of order) out[rt].first = await timed(p.lambda, p.names[rt]);
  } finally {
    await p.stop();
  }
  p = await peer([], 'sls');
  try {
    for (const rt of order) out[rt].burst = await burstOf(p.lambda, p.names[rt], false);
  } finally {
    await p.stop();
  }
  return out;
}

/** Figures of several rounds: [figure, value] pairs (ms). */
export function figures(rounds) {
  const first = summary(rounds.map((r) => r.first.ms));
  const burst = summary(rounds.flatMap((r) => r.burst.map((b) => b.ms)));
  const inits = (xs) => xs.filter((x) => x !== undefined);
  const firstInit = summary(inits(rounds.map((r) => r.first.init)));
  const burstInit = summary(inits(rounds.flatMap((r) => r.burst.map((b) => b.init))));
  return {
    first, burst, firstInit, burstInit,
    rows: [
      ['first invoke after deploy ms (p50)', first.p50],
      ['first invoke after deploy ms (max)', first.max],
      ['first invoke init duration ms (p50)', firstInit.n ? firstInit.p50 : undefined],
      [`${BURST}-burst p50 ms`, burst.p50],
      [`${BURST}-burst p99 ms`, burst.p99],
      [`${BURST}-burst init duration ms (p50)`, burstInit.n ? burstInit.p50 : undefined],
    ],
  };
}
