// node bench/egress.js (after npm run build) — what the egress filter costs a cold start: the same
// Node.js hello deployed twice, with the default policy (public: an nftables table is put into each
// sandbox's network namespace) and with LambkinEgress all (no filter), cold-started in turns.
import { InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { LambkinClient } from '../dist/client/index.js';
import { startServer } from './lib/server.js';
import { deploy } from './lib/functions.js';
import { ms, summary, table } from './lib/stats.js';

const N = Number(process.env.BENCH_COLD_N ?? 20);
const PAUSE_MS = Number(process.env.BENCH_COLD_PAUSE_MS ?? 1000);
const server = await startServer(process.argv.slice(2));
const lambda = new LambdaClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
const payload = new TextEncoder().encode('{"name":"bench"}');
const pause = (t) => new Promise((r) => setTimeout(r, t));
const cases = [['public (default)', 'egress-public', undefined], ['all (no filter)', 'egress-all', { Mode: 'all' }]];
const samples = new Map(cases.map(([label]) => [label, []]));
try {
  for (const [, name, policy] of cases) {
    await deploy(lambda, name, 'nodejs20.x');
    if (policy) await new LambkinClient({ endpoint: server.url }).updateFunctionConfiguration(name, { LambkinEgress: policy });
    await lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload }));
  }
  for (let i = 0; i < N; i++) {
    for (const [label, name] of cases) {
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: `cold ${i}` }));
      await pause(PAUSE_MS);
      const t = performance.now();
      const r = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload }));
      samples.get(label).push(performance.now() - t);
      if (r.FunctionError) throw new Error(`${name}: ${Buffer.from(r.Payload).toString()}`);
    }
  }
} finally {
  lambda.destroy();
  await server.stop();
}
const rows = [...samples].map(([label, s]) => { const c = summary(s); return [label, ms(c.p50), ms(c.min), ms(c.max)]; });
console.log(table(['egress', 'cold p50 ms', 'min', 'max'], rows));
console.log(`(${N} cold starts each, in turns, ${PAUSE_MS} ms apart; args: ${process.argv.slice(2).join(' ') || 'defaults'})`);
