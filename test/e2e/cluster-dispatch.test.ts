// Dispatch across a cluster (docs/cluster.md, "Dispatch"): an invocation runs where a warm
// environment of its version is idle, whichever node received it; a new environment starts only
// when none is idle anywhere; 6 MB payloads and responses cross nodes; a node killed while it runs
// a synchronous invocation fails that invocation within the heartbeat TTL + 2 s, once, and new
// invocations go to the nodes that are left.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetProvisionedConcurrencyConfigCommand, InvokeCommand, PublishVersionCommand, PutFunctionConcurrencyCommand,
  PutProvisionedConcurrencyConfigCommand, TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NODE, PROCESS_SANDBOX, createFunction, invoke, invokeOk, probe, waitFor, type ProbeResult } from '../helpers/functions.js';
import { describePostgres } from '../helpers/database.js';
import { listEnvironments, nodesAgree, startCluster, startNode, type TestCluster } from '../helpers/cluster.js';
import type { Lambkin } from '../helpers/server.js';
import { failure } from '../helpers/failure.js';

const TTL_MS = 1500;

/** The environments of `name` on `nodes` (node-1, node-2… in order), by node index, as the first lists them (the list covers every node). */
async function environments(nodes: readonly Lambkin[], name: string): Promise<{ node: number; id: string }[]> {
  const { environments: envs, unanswered } = await listEnvironments(nodes[0]!, name);
  expect(unanswered).toEqual([]);
  return envs.map((e) => ({ node: Number(e.node?.replace('node-', '')) - 1, id: e.id })).filter((e) => e.node < nodes.length);
}

describePostgres('cluster dispatch', () => {
  let cluster: TestCluster;
  const holdDir = mkdtempSync(join(tmpdir(), 'lambkin-hold-'));
  beforeAll(async () => {
    const opts = { args: [...PROCESS_SANDBOX], env: { LAMBKIN_CLUSTER_TTL_MS: String(TTL_MS) } };
    cluster = await startCluster({ nodes: 1, ...opts });
    // The functions exist before the other nodes start (they read the registry as they start): this
    // suite is about where invocations run, not about how changes reach the nodes.
    const lambda = cluster.nodes[0]!.lambda;
    await createFunction(lambda, 'affine', NODE, probe(NODE));
    await createFunction(lambda, 'spread', NODE, probe(NODE));
    await createFunction(lambda, 'large', NODE, probe(NODE));
    await createFunction(lambda, 'doomed', NODE, probe(NODE), { Timeout: 60 });
    await createFunction(lambda, 'capped', NODE, probe(NODE), { Timeout: 60 });
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'capped', ReservedConcurrentExecutions: 2 }));
    await createFunction(lambda, 'kept', NODE, probe(NODE));
    await lambda.send(new PublishVersionCommand({ FunctionName: 'kept' }));
    await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'kept', Qualifier: '1', ProvisionedConcurrentExecutions: 3 }));
    cluster.nodes.push(...await Promise.all(['node-2', 'node-3'].map((id) => startNode(cluster, id, opts))));
    await nodesAgree(cluster.nodes, ['node-1', 'node-2', 'node-3']);
  }, 120_000);
  afterAll(async () => {
    writeFileSync(join(holdDir, 'release'), ''); // runtimes a killed node left behind end their hold
    await cluster?.stop();
    rmSync(holdDir, { recursive: true, force: true });
  });

  it('200 sequential invokes sent round-robin to 3 nodes: one cold start, one environment in the cluster', async () => {
    const { nodes } = cluster;
    const streams = new Set<string>();
    const counts: number[] = [];
    for (let i = 0; i < 200; i++) {
      const body = await invokeOk<ProbeResult>(nodes[i % 3]!.lambda, 'affine', { i });
      streams.add(String(body.context.logStreamName));
      counts.push(body.count);
    }
    // One environment served all 200 (its count went 1..200): the first invoke was its one cold start.
    expect(streams.size).toBe(1);
    expect(counts).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(await environments(nodes, 'affine')).toHaveLength(1);
  });

  it('at N in flight, at most N environments in the whole cluster', async () => {
    const { nodes } = cluster;
    const N = 4;
    for (let round = 0; round < 6; round++) {
      await Promise.all(Array.from({ length: N }, (_, i) => invokeOk(nodes[(round + i) % 3]!.lambda, 'spread', { op: 'sleep', ms: 200 })));
    }
    const envs = await environments(nodes, 'spread');
    expect(envs.length).toBeGreaterThan(0);
    expect(envs.length).toBeLessThanOrEqual(N);
  });

  it('6 MB payloads and responses travel between nodes', async () => {
    const [a, , c] = cluster.nodes;
    await invokeOk(c!.lambda, 'large'); // its environment is on node-3 now
    const size = 6_000_000;
    const out = await a!.lambda.send(new InvokeCommand({
      FunctionName: 'large', Payload: Buffer.from(JSON.stringify({ op: 'big', size, pad: 'y'.repeat(6_200_000) })),
    }));
    expect(out.FunctionError).toBeUndefined();
    expect(Buffer.from(out.Payload!).length).toBe(size + 2);
    // Run on node-3's environment, not a second one on node-1.
    expect(await environments(cluster.nodes, 'large')).toEqual([{ node: 2, id: expect.any(String) }]);
  });

  it('reserved concurrency is a ceiling for the whole cluster: never passed, 429 with the Reason past it', async () => {
    const { nodes } = cluster;
    const dir = mkdtempSync(join(holdDir, 'capped-'));
    const started = () => readdirSync(dir).filter((f) => f.endsWith('.started')).length;
    // Six at once, two through each node: two run, four are refused, whichever node they reached.
    const burst = Array.from({ length: 6 }, (_, i) => invoke(nodes[i % 3]!.lambda, 'capped', { op: 'hold', dir }).then(
      (r) => ({ ok: r.functionError === undefined }), (err: unknown) => ({ err })));
    await waitFor('two held invocations to start', () => started() === 2);
    // Still two: each further one is refused on every node while two run.
    for (const n of nodes) {
      const refused = await failure(invoke(n.lambda, 'capped', {}));
      expect(refused).toBeInstanceOf(TooManyRequestsException);
      expect((refused as TooManyRequestsException).Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    }
    writeFileSync(join(dir, 'release'), '');
    const outcomes = await Promise.all(burst);
    expect(outcomes.filter((o) => 'ok' in o && o.ok)).toHaveLength(2);
    const refused = outcomes.flatMap((o) => ('err' in o ? [o.err] : []));
    expect(refused).toHaveLength(4);
    for (const err of refused) expect((err as TooManyRequestsException).Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    expect(started()).toBe(2);
    // The leases went with the invocations: the next ones run.
    for (const n of nodes) expect((await invokeOk<ProbeResult>(n.lambda, 'capped')).version).toBe('v1');
  });

  it('provisioned concurrency keeps K environments across the cluster, not K per node, and any node counts them all', async () => {
    const { nodes } = cluster;
    // Each node keeps its share (3 over 3 nodes: one each) and counts the others' from their reports:
    // with K per node, Available would be 9.
    for (const n of nodes) {
      await waitFor(`${n.url} to report 3 provisioned environments READY`, async () => {
        const c = await n.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'kept', Qualifier: '1' }));
        return c.Status === 'READY' && c.AvailableProvisionedConcurrentExecutions === 3;
      }, 60_000);
    }
    // Available counts the environments each node keeps pinned (its share), not all it holds: a
    // node whose share shrank when others joined lets its surplus idle out like any environment.
    const envs = await environments(nodes, 'kept');
    for (const node of [0, 1, 2]) expect(envs.filter((e) => e.node === node).length).toBeGreaterThanOrEqual(1);
  });

  it('a node killed while it runs a sync invocation: the caller gets a NodeStoppedException within TTL + 2 s, once; new invokes go elsewhere', async () => {
    const [a, b, c] = cluster.nodes;
    await invokeOk(c!.lambda, 'doomed'); // warm on node-3
    const held = invoke(a!.lambda, 'doomed', { op: 'hold', dir: holdDir }).then(() => 'answered', (err: Error) => err);
    const startFiles = () => readdirSync(holdDir).filter((f) => f.endsWith('.started'));
    const started = await waitFor('the held invocation to start', () => startFiles().length === 1 && startFiles());
    expect(await environments([a!, b!], 'doomed')).toEqual([]); // it runs on node-3
    const killedAt = Date.now();
    await c!.kill();
    // New invocations go to the nodes that are left at once, before the TTL has passed: the dead
    // node's subscriptions went with its connection.
    expect((await invokeOk<ProbeResult>(b!.lambda, 'doomed')).version).toBe('v1');
    const outcome = await held;
    const took = Date.now() - killedAt;
    expect(outcome).toBeInstanceOf(Error);
    const err = outcome as Error & { name: string; $metadata?: { httpStatusCode?: number } };
    // node-3 says "accepted" once the invocation has run 50 ms: killed sooner, the caller cannot
    // know it started there (InvocationUnconfirmedException); either way a 410, never a rerun.
    expect(['NodeStoppedException', 'InvocationUnconfirmedException']).toContain(err.name);
    expect(err.$metadata?.httpStatusCode).toBe(410);
    if (err.name === 'NodeStoppedException') expect(err.message).toMatch(/cluster node node-3 running this invocation stopped/);
    expect(took).toBeLessThan(TTL_MS + 2000);
    await nodesAgree([a!, b!], ['node-1', 'node-2']);
    expect((await invokeOk<ProbeResult>(a!.lambda, 'doomed')).version).toBe('v1');
    // Never run twice: one start file only, the killed one's.
    expect(startFiles()).toEqual(started);
    expect(existsSync(join(holdDir, 'release'))).toBe(false);
  });
});
