// The first invoke after a deploy, as a new user meets it (issue 17, items 1–2). For each runtime,
// ROUNDS times: a fresh server, CreateFunction, 1 s, then one invoke (request → result) — then a
// burst: 8 concurrent invokes of that function (8 new environments: demand seen), 5 s, a second
// function of the same runtime created, 1 s, and 8 concurrent first invokes of it.
// Usage: npm run build && node bench/first-invoke.js [rounds=5]   (BENCH_RUNTIMES=nodejs20.x,python3.11)
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { startServer } from './lib/server.js';
import { deploy } from './lib/functions.js';
import { ms, summary, table } from './lib/stats.js';

const ROUNDS = Number(process.argv[2] ?? 5);
const runtimes = (process.env.BENCH_RUNTIMES ?? 'nodejs20.x,python3.11').split(',');
const payload = new TextEncoder().encode('{"name":"bench"}');
const pause = (t) => new Promise((r) => setTimeout(r, t));

const inits = { first: [], burst: [] };

/** Request → result in ms; the invoke's Init Duration goes to inits[kind] (a pool hit's is the handler load only). */
async function timed(lambda, name, kind) {
  const t = performance.now();
  const r = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload, LogType: kind ? 'Tail' : 'None' }));
  const elapsed = performance.now() - t;
  if (r.FunctionError) throw new Error(`${name}: ${Buffer.from(r.Payload).toString()}`);
  const m = kind && /Init Duration: ([\d.]+) ms/.exec(Buffer.from(r.LogResult ?? '', 'base64').toString());
  if (m) inits[kind].push(Number(m[1]));
  return elapsed;
}

const rows = [];
for (const runtime of runtimes) {
  const first = [];
  const burst = [];
  for (let round = 0; round < ROUNDS; round++) {
    const server = await startServer();
    const lambda = new LambdaClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    try {
      await deploy(lambda, 'first', runtime);
      await pause(1000);
      first.push(await timed(lambda, 'first', 'first'));
      await deploy(lambda, 'seen', runtime);
      await pause(1000);
      await Promise.all(Array.from({ length: 8 }, () => timed(lambda, 'seen')));
      await pause(5000);
      await deploy(lambda, 'burst', runtime);
      await pause(1000);
      burst.push(...(await Promise.all(Array.from({ length: 8 }, () => timed(lambda, 'burst', 'burst')))));
    } finally {
      lambda.destroy();
      await server.stop();
    }
  }
  const f = summary(first);
  const b = summary(burst);
  const fi = summary(inits.first.splice(0));
  const bi = summary(inits.burst.splice(0));
  rows.push([runtime, ms(f.p50), ms(f.min), ms(f.max), ms(fi.p50), ms(b.p50), ms(b.p99), ms(b.max), ms(bi.p50), ms(bi.max)]);
}
console.log(table(['runtime', 'first p50 ms', 'min', 'max', 'init p50', '8-burst p50 ms', 'p99', 'max', 'init p50', 'init max'], rows));
console.log(`(${ROUNDS} fresh servers per runtime: first invoke 1 s after CreateFunction; 8 concurrent first invokes of a second function after a burst of 8)`);
