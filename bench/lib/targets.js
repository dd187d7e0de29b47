// The platforms a benchmark run compares: lambkin (per sandbox) and serverless-offline (per mode),
// each with its Lambda endpoint, its root pid, one SDK client, and the function names it serves.
import { GetProvisionedConcurrencyConfigCommand, PublishVersionCommand, PutProvisionedConcurrencyConfigCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { startServer } from './server.js';
import { deploy, HELLO } from './functions.js';
import { client, invoke } from './load.js';
import { PEER_NAMES, startPeer } from './peer.js';

export const RUNTIMES = ['nodejs20.x', 'python3.11'];
const LAMBKIN_NAMES = { 'nodejs20.x': 'hello-node', 'python3.11': 'hello-py' };

/** `args` and `id`: another lambkin of the same sandbox, e.g. on PostgreSQL ('lambkin-pg'). */
export async function lambkin(sandbox, { args = [], id = `lambkin-${sandbox}` } = {}) {
  const server = await startServer(['--sandbox', sandbox, ...args]);
  const lambda = client(server.url);
  for (const rt of RUNTIMES) await deploy(lambda, LAMBKIN_NAMES[rt], rt);
  return {
    id, kind: 'lambkin', url: server.url, pid: server.pid, lambda, names: LAMBKIN_NAMES,
    /** A configuration change retires the function's environments: the next invoke starts a new one. */
    retire: (rt, i) => lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: LAMBKIN_NAMES[rt], Description: `cold ${i}` })),
    initMs: (requestId) => initDuration(server.url, requestId),
    stop: async () => { lambda.destroy(); await server.stop(); },
  };
}

export async function peer(flags = [], label = 'serverless-offline') {
  const p = await startPeer(HELLO, flags);
  const lambda = client(p.url);
  return { id: label, kind: 'peer', url: p.url, pid: p.pid, lambda, names: PEER_NAMES, stop: async () => { lambda.destroy(); await p.stop(); } };
}

/** lambkin's init duration of one invocation, from its invocation record (written just after the reply). */
async function initDuration(url, requestId) {
  const until = Date.now() + 3000;
  while (Date.now() < until) {
    const r = await fetch(`${url}/lambkin/v1/invocations/${requestId}`);
    if (r.ok) {
      const { invocation } = await r.json();
      if (invocation) return invocation.initMs ?? invocation.initDurationMs ?? null;
    }
    await new Promise((res) => setTimeout(res, 50));
  }
  return null;
}

/** Provisioned concurrency (what `lambkin deploy --warm K` asks for): K environments kept ready. */
export async function prewarm(t, rt, k) {
  const name = t.names[rt];
  const { Version } = await t.lambda.send(new PublishVersionCommand({ FunctionName: name }));
  await t.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: Version, ProvisionedConcurrentExecutions: k }));
  const until = Date.now() + 20_000;
  for (;;) {
    const c = await t.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: Version }));
    if (c.Status === 'READY') break;
    if (c.Status === 'FAILED' || Date.now() > until) throw new Error(`provisioned concurrency ${c.Status}: ${c.StatusReason}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return `${name}:${Version}`;
}

export { invoke };
