// npm run bench:cold — cold starts only: request → result on a new environment, and the Init
// Duration of each, per runtime. Each sample retires the warm environment with a configuration
// change first. Quick (a few seconds); pass server flags after `--` (e.g. `-- --sandbox process`).
// BENCH_COLD_LAYERS=N: each function uses N small layers (merged at /opt; no pre-started sandbox).
import { InvokeCommand, LambdaClient, PublishLayerVersionCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { zipSync, strToU8 } from 'fflate';
import { startServer } from './lib/server.js';
import { deploy } from './lib/functions.js';
import { ms, summary, table } from './lib/stats.js';

const COLD_N = Number(process.env.BENCH_COLD_N ?? 15);
// Between samples: cold starts that follow each other closely find the pre-started pool refilling.
const PAUSE_MS = Number(process.env.BENCH_COLD_PAUSE_MS ?? 1000);
const runtimes = (process.env.BENCH_RUNTIMES ?? 'nodejs20.x,python3.11').split(',');
const server = await startServer(process.argv.slice(2));
const lambda = new LambdaClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
const payload = new TextEncoder().encode('{"name":"bench"}');
const pause = (t) => new Promise((r) => setTimeout(r, t));

const LAYERS = Number(process.env.BENCH_COLD_LAYERS ?? 0);
const rows = [];
try {
  const layers = [];
  for (let i = 0; i < LAYERS; i++) {
    // A few dozen small files each, as a typical library layer has (a package with its metadata).
    const files = Object.fromEntries(Array.from({ length: 40 }, (_, f) => [`nodejs/node_modules/lib${i}/f${f}.js`, strToU8(`exports.v = ${f};\n`)]));
    const out = await lambda.send(new PublishLayerVersionCommand({ LayerName: `bench-${i}`, Content: { ZipFile: zipSync(files) } }));
    layers.push(out.LayerVersionArn);
  }
  for (const runtime of runtimes) {
    const name = `cold-${runtime.replace(/\W/g, '')}`;
    await deploy(lambda, name, runtime, undefined, LAYERS ? { Layers: layers } : {});
    await lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload })); // first use of the runtime
    const cold = [];
    const init = [];
    for (let i = 0; i < COLD_N; i++) {
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: `cold ${i}` }));
      await pause(PAUSE_MS); // let the retired environment go and anything in the background settle
      const t = performance.now();
      const r = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload, LogType: 'Tail' }));
      cold.push(performance.now() - t);
      if (r.FunctionError) throw new Error(`${name}: ${Buffer.from(r.Payload).toString()}`);
      const m = /Init Duration: ([\d.]+) ms/.exec(Buffer.from(r.LogResult ?? '', 'base64').toString());
      if (m) init.push(Number(m[1]));
    }
    const c = summary(cold);
    const d = init.length ? summary(init) : undefined;
    rows.push([runtime, ms(c.p50), ms(c.min), ms(c.max), d ? ms(d.p50) : '-']);
  }
} finally {
  lambda.destroy();
  await server.stop();
}
console.log(table(['runtime', 'cold p50 ms', 'min', 'max', 'init p50 ms'], rows));
console.log(`(${COLD_N} cold starts each, ${PAUSE_MS} ms apart, ${LAYERS} layers; args: ${process.argv.slice(2).join(' ') || 'defaults'})`);
