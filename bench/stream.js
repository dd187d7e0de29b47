// Response streaming (issue 18): numbers for a Node.js function behind InvokeWithResponseStream.
//  - first byte: a function writes one line, then sleeps 1 s before ending; the time from sending
//    the request to the first PayloadChunk, against the time to InvokeComplete (median of N, warm).
//  - throughput: 19 MB in 64 KB writes, read as fast as the SDK takes it (MB/s, median of 5).
//  - a caller that reads nothing: 4 such 19 MB streams at once; how far each function gets (MB)
//    and the server's RSS before and at its highest meanwhile.
// Usage: npm run build && node bench/stream.js [N=20]
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeWithResponseStreamCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { deploy } from './lib/functions.js';
import { startServer } from './lib/server.js';

const N = Number(process.argv[2] ?? 20);
const CODE = `
const fs = require('node:fs');
exports.lambda_handler = awslambda.streamifyResponse(async (event, stream) => {
  if (event.op === 'first') {
    stream.write('first line\\n');
    await new Promise((r) => setTimeout(r, 1000));
    return stream.end('last line\\n');
  }
  const piece = Buffer.alloc(64 * 1024, 120);
  for (let i = 1; i <= 19 * 16; i++) {
    await new Promise((r) => stream.write(piece, r));
    if (event.progress && i % 16 === 0) fs.writeFileSync(event.progress, String(i / 16));
  }
  stream.end();
});
`;

const rssMb = (pid) => Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) / 1024;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const server = await startServer(['--sandbox', 'process']); // the stalled callers' progress files are shared
const lambda = new LambdaClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const dir = mkdtempSync(join(tmpdir(), 'lambkin-bench-stream-'));
try {
  await deploy(lambda, 'streamer', 'nodejs20.x', { 'lambda_function.js': CODE }, { Timeout: 120, MemorySize: 512 });
  const send = (event) => lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: 'streamer', Payload: Buffer.from(JSON.stringify(event)) }));

  const first = [];
  const whole = [];
  for (let i = 0; i <= N; i++) {
    const t = performance.now();
    const out = await send({ op: 'first' });
    let firstAt;
    for await (const e of out.EventStream) if (e.PayloadChunk && firstAt === undefined) firstAt = performance.now() - t;
    if (i > 0) { // the first is a cold start
      first.push(firstAt);
      whole.push(performance.now() - t);
    }
  }
  console.log(`first byte: median ${median(first).toFixed(1)} ms to the first PayloadChunk, ${median(whole).toFixed(0)} ms to InvokeComplete (function sleeps 1 s between; ${N} warm invokes)`);

  const rates = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    let bytes = 0;
    for await (const e of (await send({})).EventStream) if (e.PayloadChunk) bytes += e.PayloadChunk.Payload.length;
    rates.push(bytes / 1024 / 1024 / ((performance.now() - t) / 1000));
  }
  console.log(`throughput: median ${median(rates).toFixed(0)} MB/s for a 19 MB stream (64 KB writes, SDK reading)`);

  const before = rssMb(server.pid);
  const stalled = await Promise.all(Array.from({ length: 4 }, (_, k) => new Promise((resolve) => {
    const progress = join(dir, `p${k}`);
    const req = request(new URL('/2021-11-15/functions/streamer/response-streaming-invocations', server.url), { method: 'POST' }, (res) => {
      res.pause();
      let last = -1;
      const check = setInterval(() => {
        let now = 0;
        try { now = Number(readFileSync(progress, 'utf8')); } catch {}
        if (now > 0 && now === last) {
          clearInterval(check);
          resolve({ mb: now, res });
        }
        last = now;
      }, 1500);
    });
    req.end(JSON.stringify({ progress }));
  })));
  const peak = rssMb(server.pid);
  console.log(`callers reading nothing: 4 functions stalled after ${stalled.map((s) => s.mb).join(', ')} MB of 19; server RSS ${before.toFixed(0)} MB before, ${peak.toFixed(0)} MB while they wait`);
  for (const s of stalled) s.res.destroy();
} finally {
  lambda.destroy();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
