// Direct links between nodes (docs/cluster.md, "Direct links"): once a version's invocation ran on
// another node, the next ones through the same node go straight to that node over a socket of its
// own — nothing on NATS — while the guarantees hold: a holder with nothing idle says "busy" and the
// invocation goes the NATS way (it runs once, elsewhere); 6 MB payloads and responses cross the
// link; a node killed while it runs an invocation it took directly gives its caller a 410 at once,
// and the invocation never runs twice.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NODE, PROCESS_SANDBOX, createFunction, invoke, invokeOk, probe, waitFor, type ProbeResult } from '../helpers/functions.js';
import { describePostgres } from '../helpers/database.js';
import { environmentsHere, startCluster, type TestCluster } from '../helpers/cluster.js';
import { CLI, type Lambkin } from '../helpers/server.js';
import { decodeReply } from '../../src/cluster/frame.js';

const TTL_MS = 1500;

async function environments(nodes: readonly Lambkin[], name: string): Promise<number[]> {
  return Promise.all(nodes.map(async (n) => (await environmentsHere(n, name)).length));
}

describePostgres('cluster direct links', () => {
  let cluster: TestCluster;
  let nc: NatsConnection;
  /**
   * Invocation results that went over NATS, read on the reply inboxes (a subscriber on the warm
   * subjects would be a responder there, and change what it observes). The tests run one by one.
   */
  let overNats = 0;
  const holdDir = mkdtempSync(join(tmpdir(), 'lambkin-direct-'));
  /** Invokes `name` through `node` until one goes over the direct link: the first goes over NATS (then `node` knows the holder), the next once the link is open. */
  const untilDirect = (node: Lambkin, name: string) => waitFor(`an invocation of ${name} through ${node.url} to go over the direct link`, async () => {
    const was = overNats;
    await invokeOk(node.lambda, name);
    return overNats === was;
  });
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, args: [...PROCESS_SANDBOX], env: { LAMBKIN_CLUSTER_TTL_MS: String(TTL_MS) } });
    const lambda = cluster.nodes[0]!.lambda;
    for (const name of ['hot', 'large', 'held', 'doomed']) await createFunction(lambda, name, NODE, probe(NODE), { Timeout: 60 });
    nc = await connect({ servers: cluster.nats.url });
    nc.subscribe('_INBOX.>', {
      callback: (_e, m) => {
        if (decodeReply(m.data)?.t === 'result') overNats++;
      },
    });
    await nc.flush();
  }, 120_000);
  afterAll(async () => {
    writeFileSync(join(holdDir, 'release'), '');
    await nc?.close();
    await cluster?.stop();
    rmSync(holdDir, { recursive: true, force: true });
  });

  it('warm invocations through a node without the environment: the first over NATS, the next ones straight to the holder', async () => {
    const [a, b] = cluster.nodes;
    const first = await invokeOk<ProbeResult>(a!.lambda, 'hot'); // its environment is on node-1
    const before = overNats;
    for (let i = 1; i <= 30; i++) {
      const r = await invokeOk<ProbeResult>(b!.lambda, 'hot', { i });
      expect(r.context.logStreamName).toBe(first.context.logStreamName);
      expect(r.count).toBe(first.count + i);
    }
    // One result over NATS (the first through node-2; the second may be, while the link opens), not
    // 30; a hint lapses after 2 s without an invocation (a loaded machine), so a few more would do.
    expect(overNats - before).toBeGreaterThanOrEqual(1);
    expect(overNats - before).toBeLessThanOrEqual(5);
    expect(await environments(cluster.nodes, 'hot')).toEqual([1, 0]);
  });

  it('6 MB payloads and responses travel over the direct link', async () => {
    const [a, b] = cluster.nodes;
    await invokeOk(a!.lambda, 'large'); // on node-1
    await untilDirect(b!, 'large');
    const before = overNats;
    const size = 6_000_000;
    const out = await b!.lambda.send(new InvokeCommand({
      FunctionName: 'large', Payload: Buffer.from(JSON.stringify({ op: 'big', size, pad: 'y'.repeat(6_200_000) })),
    }));
    expect(out.FunctionError).toBeUndefined();
    expect(Buffer.from(out.Payload!).length).toBe(size + 2);
    expect(overNats).toBe(before);
    expect(await environments(cluster.nodes, 'large')).toEqual([1, 0]);
  });

  it('the holder has nothing idle: it says "busy" without starting it, and the invocation runs once, elsewhere', async () => {
    const [a, b] = cluster.nodes;
    const dir = mkdtempSync(join(holdDir, 'held-'));
    const first = await invokeOk<ProbeResult>(a!.lambda, 'held'); // on node-1
    await invokeOk(b!.lambda, 'held'); // node-2 learns that node-1 holds it
    // node-1's one environment is taken (through node-1 itself).
    const holding = invoke(a!.lambda, 'held', { op: 'hold', dir });
    await waitFor('the held invocation to start', () => readdirSync(dir).length === 1);
    const other = await invokeOk<ProbeResult>(b!.lambda, 'held', { marker: 'x' });
    expect(other.context.logStreamName).not.toBe(first.context.logStreamName);
    expect(other.count).toBe(1); // a new environment ran it, once
    writeFileSync(join(dir, 'release'), '');
    expect((await holding).functionError).toBeUndefined();
    expect(readdirSync(dir).filter((f) => f.endsWith('.started'))).toHaveLength(1);
  });

  it('LAMBKIN_CLUSTER_DIRECT_PORT already taken: serve stops, naming the setting', async () => {
    const taken = createServer();
    const port = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)));
    const dataDir = mkdtempSync(join(tmpdir(), 'lambkin-test-'));
    try {
      const r = spawnSync(process.execPath, [
        CLI, 'serve', '--port', '0', '--data-dir', dataDir, '--cluster', '--database-url', cluster.databaseUrl, '--nats-url', cluster.nats.url, '--node-id', 'node-x',
      ], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, LAMBKIN_CLUSTER_DIRECT_PORT: String(port) } });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`direct links on 127\\.0\\.0\\.1:${port} .*LAMBKIN_CLUSTER_DIRECT_PORT`));
    } finally {
      taken.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a node killed while it runs an invocation taken over the direct link: the caller gets a 410 at once, and it never runs twice', async () => {
    const [a, b] = cluster.nodes;
    await invokeOk(b!.lambda, 'doomed'); // on node-2
    await untilDirect(a!, 'doomed');
    const before = overNats;
    const held = invoke(a!.lambda, 'doomed', { op: 'hold', dir: holdDir }).then(() => 'answered', (err: Error) => err);
    const startFiles = () => readdirSync(holdDir).filter((f) => f.endsWith('.started'));
    const started = await waitFor('the held invocation to start', () => startFiles().length === 1 && startFiles());
    expect(overNats).toBe(before); // it went over the direct link
    const killedAt = Date.now();
    await b!.kill();
    const outcome = await held;
    const took = Date.now() - killedAt;
    expect(outcome).toBeInstanceOf(Error);
    const err = outcome as Error & { name: string; $metadata?: { httpStatusCode?: number } };
    expect(err.name).toBe('NodeStoppedException');
    expect(err.$metadata?.httpStatusCode).toBe(410);
    expect(err.message).toMatch(/cluster node node-2 running this invocation stopped/);
    expect(took).toBeLessThan(TTL_MS + 2000);
    // node-1 runs the next one itself; the held one never ran again.
    expect((await invokeOk<ProbeResult>(a!.lambda, 'doomed')).version).toBe('v1');
    expect(startFiles()).toEqual(started);
    expect(existsSync(join(holdDir, 'release'))).toBe(false);
  });
});
