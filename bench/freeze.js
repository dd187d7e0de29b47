// npm run bench:freeze — what freezing idle environments costs on the warm path. Three servers run
// side by side, LAMBKIN_FREEZE_AFTER_MS off / 100 (the default) / 0 (frozen as soon as the runtime
// polls again), and are measured in alternating rounds, so that a busy machine slows all three
// alike: warm sequential latency, and throughput at 32 in flight, per runtime.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { startServer } from './lib/server.js';
import { deploy } from './lib/functions.js';
import { ms, summary, table } from './lib/stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const SEQ_N = Number(process.env.BENCH_SEQ_N ?? 200);
const BURST_S = Number(process.env.BENCH_BURST_SECONDS ?? 2);
const runtimes = (process.env.BENCH_RUNTIMES ?? 'nodejs20.x,python3.11').split(',');
const variants = ['off', '100', '0'];
const payload = new TextEncoder().encode('{"name":"bench"}');

const servers = [];
const rows = [];
try {
  for (const v of variants) {
    const server = await startServer(['--init-timeout', '60'], { LAMBKIN_FREEZE_AFTER_MS: v });
    const lambda = new LambdaClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    servers.push({ v, server, lambda });
  }
  for (const runtime of runtimes) {
    const name = `hello-${runtime.replace(/\W/g, '')}`;
    const stats = new Map(variants.map((v) => [v, { seq: [], done: 0 }]));
    for (const s of servers) {
      await deploy(s.lambda, name, runtime);
      for (let i = 0; i < 300; i++) await s.lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload }));
    }
    for (let round = 0; round < ROUNDS; round++) {
      // Each round in another order: whichever runs first must not always meet the same machine.
      for (const s of [...servers.slice(round % servers.length), ...servers.slice(0, round % servers.length)]) {
        const st = stats.get(s.v);
        for (let i = 0; i < SEQ_N; i++) {
          const t = performance.now();
          await s.lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload }));
          st.seq.push(performance.now() - t);
        }
        const until = performance.now() + BURST_S * 1000;
        await Promise.all(Array.from({ length: 32 }, async () => {
          while (performance.now() < until) {
            await s.lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload }));
            st.done++;
          }
        }));
      }
    }
    for (const v of variants) {
      const st = stats.get(v);
      const w = summary(st.seq);
      rows.push([runtime, v, ms(w.p50), ms(w.p99), Math.round(st.done / (ROUNDS * BURST_S))]);
    }
  }
} finally {
  for (const s of servers) {
    s.lambda.destroy();
    await s.server.stop();
  }
}
console.log(table(['runtime', 'FREEZE_AFTER_MS', 'warm p50 ms', 'warm p99 ms', 'inv/s @32'], rows));
console.log(`(${ROUNDS} alternating rounds of ${SEQ_N} sequential invokes and ${BURST_S} s at 32 in flight per server)`);
