// node bench/cold-ab.js <other built lambkin tree> — cold starts of this tree and another one
// (e.g. a clone at the commit before a change, built), two servers in one process, samples
// interleaved (retire with a configuration change, BENCH_COLD_PAUSE_MS, invoke), so that a loaded
// machine's swings hit both alike; one server after the other (bench:cold twice) is not comparable
// here. Per side: wall p50, Init Duration p50, and the CPU of the environment's new processes
// (all of them, and the runtime's own, matched by BENCH_RUNTIME_MATCH in its command line).
//   BENCH_RUNTIMES=java17 BENCH_COLD_N=20 node bench/cold-ab.js /tmp/lambkin-before
import { InvokeCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startServer } from './lib/server.js';
import { client } from './lib/load.js';
import { deploy } from './lib/functions.js';
import { perInvoke, snapshot } from './lib/usage.js';
import { ms, summary, table } from './lib/stats.js';

const other = process.argv[2];
if (!other) throw new Error('usage: node bench/cold-ab.js <other built lambkin tree>');
const N = Number(process.env.BENCH_COLD_N ?? 20);
const PAUSE_MS = Number(process.env.BENCH_COLD_PAUSE_MS ?? 1000);
const runtimes = (process.env.BENCH_RUNTIMES ?? 'java17').split(',');
const MATCH = process.env.BENCH_RUNTIME_MATCH ?? 'lambkin.runtime.Bootstrap|bootstrap.(js|py|rb)';
const payload = new TextEncoder().encode('{"name":"bench"}');
const isRuntime = (pid) => {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return !/(^|\/)(sh|bwrap|socat|slirp4netns)$/.test(argv[0]) && new RegExp(MATCH).test(argv.join(' '));
  } catch {
    return false;
  }
};

const sides = [{ id: `other (${other})`, server: await startServer([], {}, resolve(other)) }, { id: 'this tree', server: await startServer() }];
const rows = [];
try {
  for (const s of sides) s.lambda = client(s.server.url);
  for (const runtime of runtimes) {
    const name = `cold-ab-${runtime.replace(/\W/g, '')}`;
    for (const s of sides) {
      await deploy(s.lambda, name, runtime);
      await s.lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload })); // the runtime's first use
      Object.assign(s, { wall: [], init: [], env: [], own: [] });
    }
    for (let i = 0; i < N; i++) {
      for (const s of i % 2 ? [...sides].reverse() : sides) {
        await s.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: `cold ${i}` }));
        await new Promise((r) => setTimeout(r, PAUSE_MS));
        const a = snapshot(s.server.pid);
        const t = performance.now();
        const r = await s.lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload, LogType: 'Tail' }));
        s.wall.push(performance.now() - t);
        const b = snapshot(s.server.pid);
        s.env.push(perInvoke(a, b, 1).envCpuUs / 1000);
        for (const [pid, u] of b.envs) if (!a.envs.has(pid) && isRuntime(pid)) s.own.push(u.cpuMs);
        const m = /Init Duration: ([\d.]+) ms/.exec(Buffer.from(r.LogResult ?? '', 'base64').toString());
        if (m) s.init.push(Number(m[1]));
      }
    }
    const mean = (xs) => (xs.length ? xs.reduce((x, y) => x + y, 0) / xs.length : NaN);
    for (const s of sides) rows.push([runtime, s.id, ms(summary(s.wall).p50), ms(summary(s.wall).min), ms(summary(s.init).p50), ms(mean(s.env)), ms(mean(s.own))]);
  }
} finally {
  for (const s of sides) {
    s.lambda?.destroy();
    await s.server.stop();
  }
}
console.log(table(['runtime', 'tree', 'cold p50 ms', 'min', 'init p50 ms', 'env CPU ms (mean)', 'runtime CPU ms (mean)'], rows));
console.log(`(${N} cold starts per tree, interleaved, ${PAUSE_MS} ms apart; CPU in 10 ms ticks per process)`);
