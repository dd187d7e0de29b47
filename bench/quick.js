// npm run bench:quick — a first look at the hot path: cold start, warm sequential latency and
// throughput at 32 in flight, per runtime, through the AWS SDK (keep-alive, one process).
// The full side-by-side benchmark against serverless-offline is `npm run bench`.
import { InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { startServer } from './lib/server.js';
import { deploy, HELLO } from './lib/functions.js';
import { ms, summary, table } from './lib/stats.js';

const WARM_N = Number(process.env.BENCH_WARM_N ?? 2000);
const THROUGHPUT_S = Number(process.env.BENCH_SECONDS ?? 5);
const COLD_N = Number(process.env.BENCH_COLD_N ?? 7);
const runtimes = (process.env.BENCH_RUNTIMES ?? Object.keys(HELLO).join(',')).split(',');

// 32 environments starting at once on 2 cores (32 JVMs for Java) take longer than the default
// 10 s init timeout: the throughput phase measures warm invokes, so it may wait for them.
const server = await startServer(['--init-timeout', '120', ...process.argv.slice(2)]);
const lambda = new LambdaClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
const payload = new TextEncoder().encode('{"name":"bench"}');
const invoke = async (name) => {
  const r = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload }));
  if (r.FunctionError) throw new Error(`${name}: ${Buffer.from(r.Payload).toString()}`);
};

const rows = [];
try {
  for (const runtime of runtimes) {
    const name = `hello-${runtime.replace(/\W/g, '')}`;
    await deploy(lambda, name, runtime);
    // Cold: each configuration change retires the warm environment, so the next invoke is cold.
    const cold = [];
    for (let i = 0; i < COLD_N; i++) {
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: `cold ${i}` }));
      const t = performance.now();
      await invoke(name);
      cold.push(performance.now() - t);
    }
    for (let i = 0; i < 500; i++) await invoke(name); // warm the client and the runtime
    const warm = [];
    for (let i = 0; i < WARM_N; i++) {
      const t = performance.now();
      await invoke(name);
      warm.push(performance.now() - t);
    }
    let done = 0;
    let failed = 0;
    const until = performance.now() + THROUGHPUT_S * 1000;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (performance.now() < until) {
        try {
          await invoke(name);
          done++;
        } catch {
          failed++; // counted, not fatal: the table says how many
        }
      }
    }));
    const c = summary(cold);
    const w = summary(warm);
    rows.push([runtime, ms(c.p50), ms(w.p50), ms(w.p99), Math.round(done / THROUGHPUT_S), failed]);
  }
} finally {
  lambda.destroy();
  await server.stop();
}
console.log(table(['runtime', 'cold p50 ms', 'warm p50 ms', 'warm p99 ms', 'inv/s @32', 'failed @32'], rows));
console.log(`(${COLD_N} cold starts, ${WARM_N} warm sequential invokes after 500 warm-up, ${THROUGHPUT_S} s at 32 in flight; args: ${process.argv.slice(2).join(' ') || 'defaults'})`);
