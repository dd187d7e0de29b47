// The live tail under a flood (issue 14, item 10): one function floods stdout while N tail
// clients (GET /lambkin/v1/tail) connect and never read; meanwhile another function is invoked
// warm, one call at a time. Prints that function's latency and the server's RSS, with 0 tail
// clients and with N, so that the tail's cost on the invoke path shows.
//   node bench/tail-flood.js [clients=64] [seconds=10]
import { connect } from 'node:net';
import { startServer } from './lib/server.js';
import { client, invoke } from './lib/load.js';
import { deploy } from './lib/functions.js';
import { memOf } from './lib/proc.js';
import { percentile, ms } from './lib/stats.js';

const CLIENTS = Number(process.argv[2] ?? 64);
const SECONDS = Number(process.argv[3] ?? 10);
const FLOOD = {
  'lambda_function.mjs': `export const lambda_handler = async (event) => {
  const line = 'flood ' + 'x'.repeat(200) + '\\n';
  const until = Date.now() + event.ms;
  while (Date.now() < until) {
    if (!process.stdout.write(line.repeat(50))) await new Promise((r) => process.stdout.once('drain', r));
  }
  return 'done';
};
`,
};

/** A tail client that sends its GET and then never reads: its socket's buffers fill up. */
function deafTail(url) {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) }, () => {
    socket.write(`GET /lambkin/v1/tail?function=flood HTTP/1.1\r\nhost: ${hostname}\r\naccept: text/event-stream\r\n\r\n`);
    socket.pause();
  });
  socket.setRecvBufferSize?.(4096);
  socket.on('error', () => undefined);
  return socket;
}

async function pass(server, lambda, clients) {
  const tails = Array.from({ length: clients }, () => deafTail(server.url));
  await new Promise((r) => setTimeout(r, 500));
  const rssBefore = memOf(server.pid).rss;
  let rssPeak = rssBefore;
  const flooding = lambda.send(new (await import('@aws-sdk/client-lambda')).InvokeCommand({
    FunctionName: 'flood', Payload: new TextEncoder().encode(JSON.stringify({ ms: SECONDS * 1000 })),
  }));
  const samples = [];
  const until = performance.now() + SECONDS * 1000;
  while (performance.now() < until) {
    const t = performance.now();
    await invoke(lambda, 'hello');
    samples.push(performance.now() - t);
    rssPeak = Math.max(rssPeak, memOf(server.pid).rss);
  }
  await flooding;
  for (const s of tails) s.destroy();
  samples.sort((a, b) => a - b);
  return { clients, n: samples.length, p50: percentile(samples, 50), p95: percentile(samples, 95), rssBefore, rssPeak };
}

const server = await startServer();
try {
  const lambda = client(server.url);
  await deploy(lambda, 'hello', 'nodejs20.x');
  await deploy(lambda, 'flood', 'nodejs20.x', FLOOD);
  for (let i = 0; i < 20; i++) await invoke(lambda, 'hello'); // warm
  const rows = [];
  for (const clients of [0, CLIENTS]) rows.push(await pass(server, lambda, clients));
  console.log(`warm invokes of another function while one floods stdout for ${SECONDS} s`);
  console.log('tail clients  invokes  p50 ms   p95 ms   server RSS MB (before → peak)');
  for (const r of rows) {
    console.log(`${String(r.clients).padEnd(12)}  ${String(r.n).padEnd(7)}  ${ms(r.p50).padEnd(7)}  ${ms(r.p95).padEnd(7)}  ${r.rssBefore.toFixed(0)} → ${r.rssPeak.toFixed(0)}`);
  }
} finally {
  await server.stop();
}
