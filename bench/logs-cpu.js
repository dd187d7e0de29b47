// node bench/logs-cpu.js — what logging costs the server per warm invoke (issue 3), without the
// 1M-event fill of bench/logs.js: the examples/hello-node function deployed twice (logging on and
// off), 32 invokes in flight, passes in alternating order (bench/lib/onoff.js); reports inv/s and the server process's CPU
// (utime+stime from /proc) per invoke, which other load on the machine disturbs far less than
// throughput. BENCH_PROFILE=dir writes a --cpu-prof of the server (whole run) into dir.
// Env: BENCH_SECONDS (3), BENCH_ROUNDS (6), BENCH_IN_FLIGHT (32); BENCH_ROOT: another build's checkout to run
// (its bin/lambkin.js), to compare two builds under the same load.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { LambkinClient } from '../dist/client/index.js';
import { ROOT } from './lib/server.js';
import { deploy } from './lib/functions.js';
import { alternatingPasses, compareOnOff } from './lib/onoff.js';
import { cpuMs } from './lib/proc.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 32);
const PROFILE = process.env.BENCH_PROFILE;
const BIN = join(process.env.BENCH_ROOT ?? ROOT, 'bin/lambkin.js');

const dataDir = mkdtempSync(join(tmpdir(), 'lambkin-bench-logcpu-'));
const nodeArgs = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : [];
const proc = spawn(process.execPath, [...nodeArgs, BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--init-timeout', '120'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise((res, rej) => {
  let out = '';
  proc.stdout.on('data', (c) => {
    out += c;
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m) res(m[1]);
  });
  proc.once('exit', (code) => rej(new Error(`server exited ${code}: ${out}`)));
});
const lambda = new LambdaClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });

try {
  const code = { 'lambda_function.mjs': readFileSync(join(ROOT, 'examples/hello-node/lambda_function.mjs'), 'utf8') };
  for (const name of ['cpu-decoy', 'cpu-on', 'cpu-off']) await deploy(lambda, name, 'nodejs20.x', code, { MemorySize: 128 });
  await new LambkinClient({ endpoint: url }).updateFunctionConfiguration('cpu-off', { LambkinLogging: false });
  const res = await alternatingPasses({
    lambda, names: ['cpu-on', 'cpu-off'], decoy: 'cpu-decoy',
    inFlight: IN_FLIGHT, seconds: SECONDS, rounds: ROUNDS, cpuMs: () => cpuMs(proc.pid),
    onPass: (name, r) => console.log(`${name}: ${r.rate} inv/s, ${r.cpu.toFixed(0)} µs server CPU/invoke`),
  });
  const { medianOn, medianOff, cpuOn, cpuOff, cpuExtra: extra, pairedRatio: ratio } = compareOnOff(res['cpu-on'], res['cpu-off']);
  console.log(`${BIN}: median inv/s on ${medianOn} off ${medianOff} (${(100 * (medianOn / medianOff - 1)).toFixed(1)} %), ` +
    `median of rounds' on/off ${(100 * ratio).toFixed(1)} %; median µs/invoke on ${cpuOn.toFixed(0)} ` +
    `off ${cpuOff.toFixed(0)}, median of rounds' on − off ${extra.toFixed(0)} µs; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
} finally {
  lambda.destroy();
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
