// What each isolation layer costs. (1) Cold start per layer, on the backends directly: from
// start() until the process inside has reached its Runtime API (a `node -e` that sends GET /next,
// as a runtime's first act): bare process, + cgroup, bwrap (host network), + own network
// namespace and forwarder (none), + slirp4netns egress (isolated). (2) Warm invoke latency through
// a real server per sandbox, plain HTTP, so the Runtime API path (direct TCP vs socat forwarder) shows.
//   npm run build && node bench/sandbox.js [cold runs] [warm invokes]
import { createServer, request, Agent } from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { ProcessBackend } from '../dist/sandbox/process/index.js';
import { NamespaceBackend } from '../dist/sandbox/namespace/index.js';
import { probeBwrap } from '../dist/sandbox/namespace/probe.js';
import { detectCgroups } from '../dist/sandbox/cgroup/index.js';

const COLD = Number(process.argv[2] ?? 25);
const WARM = Number(process.argv[3] ?? 2000);
const LIMITS = { memoryMb: 256, tmpMb: 64, pids: 1024 };
const FIRST_POLL = "require('node:http').get('http://' + process.env.AWS_LAMBDA_RUNTIME_API + '/2018-06-01/runtime/invocation/next', (r) => r.resume())";

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  // The minimum is the cost with nothing else in the way (the machine may be shared).
  return `min ${s[0].toFixed(1)} ms, median ${q(0.5).toFixed(1)} ms, p90 ${q(0.9).toFixed(1)} ms`;
};

/** One cold start: prepare → start → the first GET /next arrives (ms). */
async function coldStart(backend, codeDir, i) {
  {
    const layout = await backend.prepare(`bench${process.pid}x${i}x${Date.now()}`, codeDir, LIMITS);
    let t0 = 0;
    let reached;
    const polled = new Promise((r) => (reached = r));
    const server = createServer((_req, res) => {
      reached(performance.now() - t0);
      res.end();
    });
    const bound = await new Promise((r) => server.listen(layout.listen, () => {
      const a = server.address();
      r(typeof a === 'string' ? a : { address: a.address, port: a.port });
    }));
    t0 = performance.now();
    const proc = backend.start(layout, {
      command: process.execPath, args: ['-e', FIRST_POLL], env: { AWS_LAMBDA_RUNTIME_API: layout.runtimeApiAddress(bound), PATH: '/usr/bin:/bin' }, limits: LIMITS,
    });
    proc.stdout.resume();
    proc.stderr.resume();
    proc.telemetry.resume();
    const ms = await Promise.race([polled, proc.exited.then((e) => Promise.reject(new Error(`exited ${JSON.stringify(e)}`)))]);
    proc.kill();
    await proc.exited;
    server.close();
    await backend.cleanup(layout);
    return ms;
  }
}

async function warmInvokes(args) {
  const dataDir = mkdtempSync(join(tmpdir(), 'lambkin-bench-'));
  const proc = spawn(process.execPath, ['bin/lambkin.js', 'serve', '--port', '0', '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (c) => (out += c));
  proc.stderr.on('data', (c) => (out += c));
  const url = new URL(await new Promise((resolve) => {
    const t = setInterval(() => {
      const m = /listening on (\S+)/.exec(out);
      if (m) { clearInterval(t); resolve(m[1]); }
    }, 20);
  }));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const call = (method, path, body) => new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
  const zip = Buffer.from(zipSync({ 'lambda_function.js': [strToU8('exports.lambda_handler = async (e) => e;'), { os: 3, attrs: (0o100644 << 16) >>> 0 }] }));
  await call('POST', '/2015-03-31/functions', JSON.stringify({
    FunctionName: 'b', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::123456789012:role/b', Handler: 'lambda_function.lambda_handler', Code: { ZipFile: zip.toString('base64') },
  }));
  const times = [];
  for (let i = 0; i < WARM + 200; i++) {
    const t0 = performance.now();
    await call('POST', '/2015-03-31/functions/b/invocations', '{"x":1}');
    if (i >= 200) times.push(performance.now() - t0);
  }
  agent.destroy();
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
  return times;
}

const runDir = mkdtempSync(join(tmpdir(), 'lambkin-bench-run-'));
const codeDir = mkdtempSync(join(tmpdir(), 'lambkin-bench-code-'));
writeFileSync(join(codeDir, 'x.js'), '');
chmodSync(codeDir, 0o755);
const detected = detectCgroups();
const cgroups = detected.cgroups;
const probe = probeBwrap();
const layers = [
  ['bare process', new ProcessBackend(runDir)],
  ['process + cgroup', new ProcessBackend(runDir, cgroups)],
];
if (probe.tools) {
  for (const network of ['host', 'none', 'isolated']) {
    layers.push([`bwrap + cgroup, network ${network}`, new NamespaceBackend({ runDir, network, tools: probe.tools, cgroups })]);
  }
}
// Round-robin over the layers, so that load from elsewhere on the machine falls on all of them alike.
const cold = layers.map(() => []);
for (let i = 0; i < COLD; i++) for (const [k, [, backend]] of layers.entries()) cold[k].push(await coldStart(backend, codeDir, i));
console.log(`cold start to the first GET /next (${COLD} runs each, interleaved, node ${process.version}${cgroups ? '' : ', no cgroups'}):`);
for (const [k, [name]] of layers.entries()) console.log(`  ${name.padEnd(34)} ${stats(cold[k])}`);
console.log(`warm invoke through a real server (${WARM} sequential, plain HTTP, 1 environment):`);
for (const args of [['--sandbox', 'process'], ['--sandbox', 'namespace', '--network', 'host'], ['--sandbox', 'namespace', '--network', 'isolated']]) {
  console.log(`  ${args.join(' ').padEnd(34)} ${stats(await warmInvokes(args))}`);
}
cgroups?.close();
rmSync(runDir, { recursive: true, force: true });
rmSync(codeDir, { recursive: true, force: true });
