// Placement by capacity (docs/cluster.md, "Dispatch"): a node that is full (--max-concurrency)
// takes no new environment; an invocation it receives while full runs on a node with room instead
// of being throttled, and the full node's own environment is not asked to run a second one.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NODE, PROCESS_SANDBOX, createFunction, invoke, probe, waitFor, type ProbeResult } from '../helpers/functions.js';
import { describePostgres } from '../helpers/database.js';
import { environmentsHere, nodesAgree, startCluster, startNode, type TestCluster } from '../helpers/cluster.js';

describePostgres('cluster placement', () => {
  let cluster: TestCluster;
  const dir = mkdtempSync(join(tmpdir(), 'lambkin-hold-'));
  beforeAll(async () => {
    // node-1 runs one invocation at a time; node-2 has the default room.
    cluster = await startCluster({ nodes: 1, args: [...PROCESS_SANDBOX, '--max-concurrency', '1'] });
    await createFunction(cluster.nodes[0]!.lambda, 'placed', NODE, probe(NODE), { Timeout: 60 });
    cluster.nodes.push(await startNode(cluster, 'node-2', { args: [...PROCESS_SANDBOX] }));
    await nodesAgree(cluster.nodes, ['node-1', 'node-2']);
  }, 120_000);
  afterAll(async () => {
    writeFileSync(join(dir, 'release'), '');
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a full node takes no new environment: what it receives runs where there is room', async () => {
    const [a, b] = cluster.nodes;
    const started = () => readdirSync(dir).filter((f) => f.endsWith('.started')).length;
    const first = invoke<ProbeResult>(a!.lambda, 'placed', { op: 'hold', dir });
    await waitFor('the first invocation to run on node-1', () => started() === 1);
    const envsOf = async (n: { url: string }) => (await environmentsHere(n, 'placed')).length;
    expect(await envsOf(a!)).toBe(1);
    // node-1 is full (1 in flight of 1): the second, also sent to node-1, starts on node-2.
    const second = invoke<ProbeResult>(a!.lambda, 'placed', { op: 'hold', dir });
    await waitFor('the second invocation to start', () => started() === 2);
    expect(await envsOf(b!)).toBe(1);
    expect(await envsOf(a!)).toBe(1);
    writeFileSync(join(dir, 'release'), '');
    const [r1, r2] = await Promise.all([first, second]);
    expect(r1.functionError).toBeUndefined();
    expect(r2.functionError).toBeUndefined();
    expect(r1.body.context.logStreamName).not.toBe(r2.body.context.logStreamName);
  });
});
