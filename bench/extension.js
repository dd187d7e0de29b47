// npm run bench:extension — what one external extension costs a warm invoke. Two Node.js hello
// functions on one server, one with an extension from a layer (Node.js, registered for INVOKE and
// SHUTDOWN, calling event/next again at once over a kept-alive connection), measured in
// alternating rounds so that a busy machine slows both alike: warm sequential p50/p99 and the
// difference of the p50s.
import { InvokeCommand, LambdaClient, PublishLayerVersionCommand } from '@aws-sdk/client-lambda';
import { startServer } from './lib/server.js';
import { deploy, zipOf } from './lib/functions.js';
import { ms, summary, table } from './lib/stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const SEQ_N = Number(process.env.BENCH_SEQ_N ?? 300);
const payload = new TextEncoder().encode('{"name":"bench"}');

const EXTENSION = `#!/usr/bin/env node
const http = require('node:http');
const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const call = (method, path, headers, body) => new Promise((resolve, reject) => {
  const r = http.request({ host, port, method, path, headers, agent }, (m) => {
    let d = '';
    m.on('data', (c) => (d += c));
    m.on('end', () => resolve({ headers: m.headers, body: d }));
  });
  r.on('error', reject);
  r.end(body);
});
(async () => {
  const reg = await call('POST', '/2020-01-01/extension/register', { 'Lambda-Extension-Name': 'bench-ext' }, '{"events":["INVOKE","SHUTDOWN"]}');
  const id = reg.headers['lambda-extension-identifier'];
  for (;;) {
    const ev = JSON.parse((await call('GET', '/2020-01-01/extension/event/next', { 'Lambda-Extension-Identifier': id })).body);
    if (ev.eventType === 'SHUTDOWN') process.exit(0);
  }
})();
`;

const server = await startServer(['--init-timeout', '60']);
const lambda = new LambdaClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
try {
  const layer = await lambda.send(new PublishLayerVersionCommand({
    LayerName: 'bench-ext', Content: { ZipFile: zipOf({ 'extensions/bench-ext': { data: new TextEncoder().encode(EXTENSION), mode: 0o755 } }) },
  }));
  await deploy(lambda, 'hello-plain', 'nodejs20.x');
  await deploy(lambda, 'hello-ext', 'nodejs20.x', undefined, { Layers: [layer.LayerVersionArn] });
  const names = ['hello-plain', 'hello-ext'];
  const samples = new Map(names.map((n) => [n, []]));
  const invoke = async (name) => {
    const r = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload }));
    if (r.FunctionError) throw new Error(`${name}: ${Buffer.from(r.Payload).toString()}`);
  };
  for (const n of names) for (let i = 0; i < 200; i++) await invoke(n);
  for (let round = 0; round < ROUNDS; round++) {
    for (const n of round % 2 ? [...names].reverse() : names) {
      for (let i = 0; i < SEQ_N; i++) {
        const t = performance.now();
        await invoke(n);
        samples.get(n).push(performance.now() - t);
      }
    }
  }
  const [plain, ext] = names.map((n) => summary(samples.get(n)));
  console.log(table(['function', 'warm p50 ms', 'warm p99 ms'], [
    ['no extension', ms(plain.p50), ms(plain.p99)],
    ['one external extension', ms(ext.p50), ms(ext.p99)],
  ]));
  console.log(`an external extension adds ${ms(ext.p50 - plain.p50)} ms at p50 (${ROUNDS} rounds of ${SEQ_N} sequential invokes each)`);
} finally {
  lambda.destroy();
  await server.stop();
}
