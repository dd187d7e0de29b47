// Server memory under 6 MB error bodies (issue 14, item 9): a function fails with a 6,000,000-character
// message `N` times in a row (sequentially, then 4 at a time); the server's RSS (`ps -o rss`) is sampled
// before, every 250 ms during, and after. Prints before / median / max / after, in MB.
// Usage: npm run build && node bench/big-error-rss.js [invokes=200] [runtime=python3.11|nodejs20.x]
import { execFileSync } from 'node:child_process';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { deploy } from './lib/functions.js';
import { startServer } from './lib/server.js';

const N = Number(process.argv[2] ?? 200);
const RUNTIME = process.argv[3] ?? 'python3.11';
const FILES = RUNTIME.startsWith('python')
  ? { 'lambda_function.py': "def lambda_handler(event, context):\n    raise Exception('x' * 6_000_000)\n" }
  : { 'lambda_function.js': "exports.lambda_handler = async () => { throw new Error('x'.repeat(6_000_000)); };\n" };

const rssMb = (pid) => Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) / 1024;
const server = await startServer();
const lambda = new LambdaClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
try {
  await deploy(lambda, 'big-error', RUNTIME, FILES, { MemorySize: 256 });
  const first = await lambda.send(new InvokeCommand({ FunctionName: 'big-error', Payload: Buffer.from('{}') }));
  const shape = JSON.parse(Buffer.from(first.Payload).toString());
  console.log(`error seen by the caller: ${first.Payload.length} bytes, errorType ${shape.errorType}, message ${shape.errorMessage.length} chars, keys ${Object.keys(shape).join(',')}`);
  await new Promise((r) => setTimeout(r, 2000));
  const before = rssMb(server.pid);
  const samples = [];
  const timer = setInterval(() => samples.push(rssMb(server.pid)), 250);
  let done = 0;
  const worker = async (share) => {
    for (let i = 0; i < share; i++) {
      const r = await lambda.send(new InvokeCommand({ FunctionName: 'big-error', Payload: Buffer.from('{}') }));
      if (r.FunctionError !== 'Unhandled') throw new Error('expected the function to fail');
      done++;
    }
  };
  await worker(N / 2);
  await Promise.all(Array.from({ length: 4 }, () => worker(N / 8)));
  clearInterval(timer);
  await new Promise((r) => setTimeout(r, 3000));
  const after = rssMb(server.pid);
  samples.sort((a, b) => a - b);
  const f = (x) => x.toFixed(0);
  console.log(`${done} invokes (${RUNTIME}): server RSS before ${f(before)} MB, during median ${f(samples[samples.length >> 1])} / max ${f(samples.at(-1))} MB, after ${f(after)} MB`);
} finally {
  lambda.destroy();
  await server.stop();
}
