// npm run bench:single-use — what single-use environments cost (lambkin deploy --single-use: one
// environment per invocation, destroyed after it). Invocations per second and latency, one at a
// time and 4 in flight, of the same hello function deployed normally and single-use, per runtime,
// through the AWS SDK. Every single-use invoke is a cold start, fed by the pre-started pool.
// Extra arguments go to `lambkin serve`; LAMBKIN_PRESTART=off shows what the pool saves.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { startServer } from './lib/server.js';
import { deploy } from './lib/functions.js';
import { ms, summary, table } from './lib/stats.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const runtimes = (process.env.BENCH_RUNTIMES ?? 'nodejs20.x,python3.11').split(',');

const server = await startServer(['--init-timeout', '60', ...process.argv.slice(2)]);
const lambda = new LambdaClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
const payload = new TextEncoder().encode('{"name":"bench"}');
const invoke = async (name) => {
  const r = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload }));
  if (r.FunctionError) throw new Error(`${name}: ${Buffer.from(r.Payload).toString()}`);
};

/** The lambkin-only field, which the AWS SDK does not send. */
async function singleUse(name) {
  const r = await fetch(`${server.url}/2015-03-31/functions/${name}/configuration`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ LambkinSingleUse: true }),
  });
  if (!r.ok) throw new Error(`cannot make ${name} single-use: ${r.status} ${await r.text()}`);
}

/** `inFlight` callers invoking back to back for SECONDS. */
async function measure(name, inFlight) {
  const latencies = [];
  let failed = 0;
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (performance.now() < until) {
      const t = performance.now();
      try {
        await invoke(name);
        latencies.push(performance.now() - t);
      } catch {
        failed++; // counted, not fatal: the table says how many
      }
    }
  }));
  return { rate: Math.round(latencies.length / SECONDS), p50: summary(latencies).p50, failed };
}

const rows = [];
try {
  for (const runtime of runtimes) {
    for (const mode of ['normal', 'single-use']) {
      const name = `${mode === 'normal' ? 'reused' : 'once'}-${runtime.replace(/\W/g, '')}`;
      await deploy(lambda, name, runtime);
      if (mode === 'single-use') await singleUse(name);
      for (let i = 0; i < 20; i++) await invoke(name); // the client, the runtime, the pool learn the shape
      const seq = await measure(name, 1);
      const c4 = await measure(name, 4);
      rows.push([runtime, mode, seq.rate, ms(seq.p50), c4.rate, ms(c4.p50), seq.failed + c4.failed]);
    }
  }
} finally {
  lambda.destroy();
  await server.stop();
}
console.log(table(['runtime', 'environments', 'inv/s @1', 'p50 ms @1', 'inv/s @4', 'p50 ms @4', 'failed'], rows));
console.log(`(${SECONDS} s each, one at a time then 4 in flight; args: ${process.argv.slice(2).join(' ') || 'defaults'}; LAMBKIN_PRESTART=${process.env.LAMBKIN_PRESTART ?? 'on'})`);
