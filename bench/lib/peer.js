// serverless-offline (serverless@3 + serverless-offline@13 from bench/peers/), serving the same two
// hello functions as lambkin, reachable with the same SDK client at its Lambda port.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PEERS } from '../setup.js';

export const PEER_NAMES = { 'nodejs20.x': 'bench-dev-node', 'python3.11': 'bench-dev-py' };

const YML = `service: bench
frameworkVersion: '3'
provider:
  name: aws
  runtime: nodejs20.x
  region: us-east-1
  stage: dev
  timeout: 30
plugins:
  - serverless-offline
functions:
  node:
    handler: handler.lambda_handler
  py:
    handler: lambda_function.lambda_handler
    runtime: python3.11
`;

let started = 0;

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** Start serverless-offline; flags e.g. ['--useInProcess'] or ['--reloadHandler']. */
export async function startPeer(handlers, flags = []) {
  // Inside bench/peers/ so that `plugins: [serverless-offline]` resolves from its node_modules.
  // A folder of its own: peers started together (Promise.all) must not share one, or stopping one
  // deletes the others' handlers.
  const dir = join(PEERS, `svc-${process.pid}-${Date.now()}-${++started}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'serverless.yml'), YML);
  writeFileSync(join(dir, 'handler.mjs'), handlers['nodejs20.x']['lambda_function.mjs']);
  writeFileSync(join(dir, 'lambda_function.py'), handlers['python3.11']['lambda_function.py']);
  const [lambdaPort, httpPort, websocketPort, albPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  // The same as `npx serverless offline start …`, without npx's extra process in the tree we measure.
  const proc = spawn(process.execPath, [join(PEERS, 'node_modules/serverless/bin/serverless.js'), 'offline', 'start', '--noSponsor',
    '--lambdaPort', String(lambdaPort), '--httpPort', String(httpPort), '--websocketPort', String(websocketPort), '--albPort', String(albPort), ...flags], {
    cwd: dir, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', SLS_DEPRECATION_DISABLE: '*', SLS_INTERACTIVE_SETUP_DISABLE: '1' },
  });
  let out = '';
  await new Promise((res, rej) => {
    const on = (c) => {
      out += c;
      if (out.includes('[http for lambda] listening on')) res();
    };
    proc.stdout.on('data', on);
    proc.stderr.on('data', on);
    proc.once('exit', (code) => rej(new Error(`serverless-offline exited ${code}: ${out.slice(-2000)}`)));
    setTimeout(() => rej(new Error(`serverless-offline did not start in 60 s: ${out.slice(-2000)}`)), 60_000).unref();
  });
  // Keep draining its output (it logs every invocation) so a full pipe never stalls it.
  // Keep only the last of it, to explain an unexpected exit.
  const keep = (c) => (out = (out + c).slice(-4000));
  proc.stdout.removeAllListeners('data');
  proc.stderr.removeAllListeners('data');
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  let stopping = false;
  proc.once('exit', (code, signal) => {
    if (!stopping) console.error(`serverless-offline (${flags.join(' ') || 'default'}) exited unexpectedly (${code ?? signal}):\n${out}`);
  });
  return {
    url: `http://127.0.0.1:${lambdaPort}`, pid: proc.pid,
    stop: async () => {
      stopping = true;
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await new Promise((r) => proc.once('exit', r));
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
