// npm run bench:async — what queueing Event invocations costs as the queue grows (issue 14, item
// 12): 12,000 events to a function with reserved concurrency 0 (none can run, all stay queued), sent
// in batches of 2,000 with 16 in flight through the AWS SDK; prints each batch's wall time and the
// server's CPU time for it. A queue whose work per event does not grow with its size prints flat
// columns. Args after `--` go to `lambkin serve`.
import { readFileSync } from 'node:fs';
import { InvokeCommand, LambdaClient, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { startServer } from './lib/server.js';
import { deploy } from './lib/functions.js';
import { ms, table } from './lib/stats.js';

const TOTAL = Number(process.env.BENCH_ASYNC_EVENTS ?? 12_000);
const BATCH = Number(process.env.BENCH_ASYNC_BATCH ?? 2_000);
const IN_FLIGHT = 16;

/** CPU time (user + system, ms) the server process has used so far. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (100/s)
}

const server = await startServer(['--sandbox', 'process', ...process.argv.slice(2)]);
const lambda = new LambdaClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
const payload = new TextEncoder().encode('{"name":"bench"}');
const rows = [];
try {
  await deploy(lambda, 'held', 'nodejs20.x');
  await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'held', ReservedConcurrentExecutions: 0 }));
  for (let sent = 0; sent < TOTAL; sent += BATCH) {
    let next = 0;
    const cpu = cpuMs(server.pid);
    const t = performance.now();
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (next++ < BATCH) {
        const r = await lambda.send(new InvokeCommand({ FunctionName: 'held', InvocationType: 'Event', Payload: payload }));
        if (r.StatusCode !== 202) throw new Error(`status ${r.StatusCode}`);
      }
    }));
    rows.push([`${sent + 1}-${sent + BATCH}`, ms(performance.now() - t), ms(cpuMs(server.pid) - cpu)]);
  }
  const depth = await (await fetch(`${server.url}/lambkin/v1/async-queue`)).json();
  process.stdout.write(`${table(['events', 'batch wall ms', 'server CPU ms'], rows)}\nqueued at the end: ${depth.queued}\n`);
} finally {
  lambda.destroy();
  await server.stop();
}
