// npm run bench:cold — cold starts only, for every runtime kind lambkin knows: Node.js, Python, Ruby,
// Java, custom runtimes (a shell bootstrap and a Go one) and .NET (listed, with why it cannot run
// here). For each, on a server with the pre-started pool and on one with LAMBKIN_PRESTART=off
// (started side by side, samples alternating, so that the machine's load falls on both alike):
// - first: the first invoke after CreateFunction, 1 s after it (the runtime's first function on
//   that server: with the pool, the deploy readied a sandbox for it);
// - cold: request → result on a new environment, each sample retiring the warm environment with a
//   configuration change first, and the Init Duration of each.
// BENCH_RUNTIMES narrows the list (HELLO keys, bench/lib/functions.js); BENCH_COLD_POOL=on|off runs
// one server only; BENCH_COLD_N samples (15), BENCH_COLD_PAUSE_MS before each (1000). Pass server
// flags after `--` (e.g. `-- --sandbox process`). BENCH_COLD_LAYERS=N: each function uses N small
// layers (merged at /opt).
import { InvokeCommand, LambdaClient, PublishLayerVersionCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { loadavg } from 'node:os';
import { zipSync, strToU8 } from 'fflate';
import { startServer } from './lib/server.js';
import { deploy, HELLO } from './lib/functions.js';
import { ms, summary, table } from './lib/stats.js';

const COLD_N = Number(process.env.BENCH_COLD_N ?? 15);
// Between samples: cold starts that follow each other closely find the pre-started pool refilling.
const PAUSE_MS = Number(process.env.BENCH_COLD_PAUSE_MS ?? 1000);
// .NET is a runtime id lambkin knows but cannot run on Debian 12: its row says why (CreateFunction's answer).
const UNAVAILABLE = ['dotnet8'];
const runtimes = (process.env.BENCH_RUNTIMES ?? [...Object.keys(HELLO), ...UNAVAILABLE].join(',')).split(',');
const MODES = { on: { label: 'pool', env: {} }, off: { label: 'off', env: { LAMBKIN_PRESTART: 'off' } } };
const modes = (process.env.BENCH_COLD_POOL ? [process.env.BENCH_COLD_POOL] : ['on', 'off']).map((m) => MODES[m]);
const LAYERS = Number(process.env.BENCH_COLD_LAYERS ?? 0);
const payload = new TextEncoder().encode('{"name":"bench"}');
const pause = (t) => new Promise((r) => setTimeout(r, t));
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

/** Request → result in ms, and the REPORT's Init Duration (undefined on a warm invoke). */
async function timed(lambda, name) {
  const t = performance.now();
  const r = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload, LogType: 'Tail' }));
  const elapsed = performance.now() - t;
  if (r.FunctionError) throw new Error(`${name}: ${Buffer.from(r.Payload).toString()}`);
  const m = /Init Duration: ([\d.]+) ms/.exec(Buffer.from(r.LogResult ?? '', 'base64').toString());
  return { elapsed, init: m ? Number(m[1]) : undefined };
}

async function publishLayers(lambda) {
  const arns = [];
  for (let i = 0; i < LAYERS; i++) {
    // A few dozen small files each, as a typical library layer has (a package with its metadata).
    const files = Object.fromEntries(Array.from({ length: 40 }, (_, f) => [`nodejs/node_modules/lib${i}/f${f}.js`, strToU8(`exports.v = ${f};\n`)]));
    const out = await lambda.send(new PublishLayerVersionCommand({ LayerName: `bench-${i}`, Content: { ZipFile: zipSync(files) } }));
    arns.push(out.LayerVersionArn);
  }
  return arns;
}

const startLoad = load();
const started = Date.now();
const servers = [];
const rows = [];
const notes = [];
try {
  for (const mode of modes) {
    const server = await startServer(process.argv.slice(2), mode.env);
    const lambda = new LambdaClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    servers.push({ ...mode, server, lambda, layers: await publishLayers(lambda) });
  }
  for (const runtime of runtimes) {
    const name = `cold-${runtime.replace(/\W/g, '')}`;
    if (!HELLO[runtime] && !UNAVAILABLE.includes(runtime)) throw new Error(`no hello function for ${runtime} (its tool is not installed?)`);
    const files = HELLO[runtime] ?? { 'lambda_function.py': '' };
    let skipped;
    for (const s of servers) {
      s.first = undefined;
      s.cold = [];
      s.init = [];
      try {
        await deploy(s.lambda, name, runtime, files, LAYERS ? { Layers: s.layers } : {});
      } catch (err) {
        skipped = `${err.name}: ${err.message}`;
      }
    }
    if (skipped) {
      rows.push([runtime, ...servers.flatMap(() => ['-', '-', '-']), 'not runnable here']);
      notes.push(`${runtime}: ${skipped}`);
      continue;
    }
    await pause(1000);
    // The first invoke of each server, one after the other: each 1 s (or more) after its deploy.
    for (const s of servers) s.first = await timed(s.lambda, name);
    for (let i = 0; i < COLD_N; i++) {
      for (const s of servers) {
        await s.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: `cold ${i}` }));
        await pause(PAUSE_MS); // let the retired environment go and anything in the background settle
        const { elapsed, init } = await timed(s.lambda, name);
        s.cold.push(elapsed);
        if (init !== undefined) s.init.push(init);
      }
    }
    console.error(`bench:cold: ${runtime} done (load average ${load()})`);
    rows.push([runtime, ...servers.flatMap((s) => {
      const c = summary(s.cold);
      return [ms(s.first.elapsed), `${ms(c.p50)} (${ms(c.min)}–${ms(c.max)})`, s.init.length ? ms(summary(s.init).p50) : '-'];
    }), '']);
  }
} finally {
  for (const s of servers) {
    s.lambda.destroy();
    await s.server.stop();
  }
}
const header = ['runtime', ...servers.flatMap((s) => [`${s.label}: first ms`, `${s.label}: cold p50 (min–max) ms`, `${s.label}: init p50`]), ''];
console.log(table(header, rows));
for (const n of notes) console.log(n);
console.log(`(${COLD_N} cold starts each, ${PAUSE_MS} ms apart, alternating between the servers; first = the first invoke, 1 s after CreateFunction; ` +
  `${LAYERS} layers; args: ${process.argv.slice(2).join(' ') || 'defaults'}; load average ${startLoad} at start, ${load()} at end, ${((Date.now() - started) / 1000).toFixed(0)} s)`);
