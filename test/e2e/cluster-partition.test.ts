// A node cut off from the cluster (issue 16, point 6): node-3 reaches NATS through a relay the test
// cuts like a network partition (test/helpers/link-cut.ts: nothing crosses, neither side is told).
// Sync invocations that node-1 and node-2 received and node-3 runs are in flight when the link goes:
// each runs at most once — no retry of the SDK, no second node runs it — and each caller has a
// Lambda-shaped answer within the heartbeat TTL + 2 s, never a hang. Invocations sent while node-3
// is cut off run once on the others; after the link heals, node-3 serves again and nothing it held
// runs a second time.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NODE, PROCESS_SANDBOX, createFunction, invoke, waitFor } from '../helpers/functions.js';
import { describePostgres } from '../helpers/database.js';
import { environmentsHere, nodesAgree, startCluster, startNode, type TestCluster } from '../helpers/cluster.js';
import { startLinkCut, type LinkCut } from '../helpers/link-cut.js';
import type { Lambkin } from '../helpers/server.js';

const TTL_MS = 1500;

// Appends its request id to <dir>/runs each time it runs (a second run of one id shows as a
// repeated line), then holds until <dir>/release exists when asked to.
const MARKER = `
const fs = require('node:fs');
exports.lambda_handler = async (event, context) => {
  fs.appendFileSync(event.dir + '/runs', context.awsRequestId + '\\n');
  while (event.hold && !fs.existsSync(event.dir + '/release')) await new Promise((r) => setTimeout(r, 20));
  return { node: process.env.LAMBKIN_TEST_NODE ?? null, id: context.awsRequestId };
};
`;

function runs(dir: string): string[] {
  return existsSync(join(dir, 'runs')) ? readFileSync(join(dir, 'runs'), 'utf8').split('\n').filter(Boolean) : [];
}

async function environments(node: Lambkin): Promise<number> {
  return (await environmentsHere(node, 'marker')).length;
}

describePostgres('cluster partition', () => {
  let cluster: TestCluster;
  let link: LinkCut;
  const root = mkdtempSync(join(tmpdir(), 'lambkin-partition-'));
  const dir = (name: string) => mkdtempSync(join(root, `${name}-`));
  beforeAll(async () => {
    const opts = { args: [...PROCESS_SANDBOX], env: { LAMBKIN_CLUSTER_TTL_MS: String(TTL_MS) } };
    cluster = await startCluster({ nodes: 2, ...opts });
    await createFunction(cluster.nodes[0]!.lambda, 'marker', NODE, { 'lambda_function.js': MARKER }, { Timeout: 60 });
    link = await startLinkCut(cluster.nats.port);
    cluster.nodes.push(await startNode({ ...cluster, nats: { ...cluster.nats, url: link.url } }, 'node-3', opts));
    await nodesAgree(cluster.nodes, ['node-1', 'node-2', 'node-3']);
  }, 120_000);
  afterAll(async () => {
    link?.heal();
    await cluster?.stop();
    await link?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('sync invocations running on a node that is cut off run once, and their callers hear within TTL + 2 s', async () => {
    const [a, b, c] = cluster.nodes;
    // Three idle environments on node-3: three held invocations through it, then released.
    const warm = dir('warm');
    const starting = Array.from({ length: 3 }, () => invoke(c!.lambda, 'marker', { dir: warm, hold: true }));
    await waitFor('three environments on node-3', () => runs(warm).length === 3);
    writeFileSync(join(warm, 'release'), '');
    await Promise.all(starting);
    expect(await environments(c!)).toBe(3);

    // Three held invocations received by node-1 and node-2, all running on node-3's environments.
    const held = dir('held');
    const callers = [a, b, a].map((n) => invoke(n!.lambda, 'marker', { dir: held, hold: true }).then(
      () => ({ answered: Date.now() }), (err: Error & { $metadata?: { httpStatusCode?: number } }) => ({ err, answered: Date.now() })));
    await waitFor('three held invocations to start', () => runs(held).length === 3);
    expect(await environments(a!) + await environments(b!)).toBe(0);

    const cutAt = Date.now();
    link.cut();
    const outcomes = await Promise.all(callers);
    for (const o of outcomes) {
      expect(o.answered - cutAt).toBeLessThan(TTL_MS + 2000);
      expect('err' in o).toBe(true);
      const err = (o as { err: Error & { name: string; $metadata?: { httpStatusCode?: number } } }).err;
      // NodeStoppedException when node-3's "accepted" had reached the caller's node (it then watched
      // node-3 leave); InvocationUnconfirmedException when the cut came first. Both: 410, not retried.
      expect(['NodeStoppedException', 'InvocationUnconfirmedException']).toContain(err.name);
      expect(err.$metadata?.httpStatusCode).toBe(410);
      if (err.name === 'NodeStoppedException') expect(err.message).toMatch(/node-3/);
    }
    await nodesAgree([a!, b!], ['node-1', 'node-2']);

    // While node-3 is cut off, invocations through the others: nats-server still hands the warm
    // subject's requests to node-3's subscription (it has not noticed the silence yet), so the first
    // through each node may go unanswered — a 410 InvocationUnconfirmedException within 2 s, never
    // run elsewhere — after which that node stops asking there and runs them itself.
    const during = dir('during');
    const answers: { ok: boolean; name?: string; status?: number; ms: number }[] = [];
    for (let i = 0; i < 6; i++) {
      const sent = Date.now();
      answers.push(await invoke([a, b][i % 2]!.lambda, 'marker', { dir: during }).then(
        (r) => ({ ok: r.functionError === undefined, ms: Date.now() - sent }),
        (err: Error & { $metadata?: { httpStatusCode?: number } }) => ({ ok: false, name: err.name, status: err.$metadata?.httpStatusCode, ms: Date.now() - sent })));
    }
    for (const answer of answers) {
      expect(answer.ms).toBeLessThan(TTL_MS + 2000);
      if (!answer.ok) expect(answer).toMatchObject({ name: 'InvocationUnconfirmedException', status: 410 });
    }
    expect(answers.filter((x) => !x.ok).length).toBeLessThanOrEqual(2);
    expect(answers.slice(-2).every((x) => x.ok)).toBe(true);
    expect(runs(during).length).toBeGreaterThanOrEqual(answers.filter((x) => x.ok).length);
    expect(new Set(runs(during)).size).toBe(runs(during).length);

    // node-3 finishes what it held with no one to tell; the link heals and it rejoins.
    writeFileSync(join(held, 'release'), '');
    link.heal();
    await nodesAgree(cluster.nodes, ['node-1', 'node-2', 'node-3'], 60_000);
    await waitFor('node-3 to serve again', async () => (await invoke(c!.lambda, 'marker', { dir: during }).then((r) => r.functionError === undefined, () => false)), 60_000);
    // Each held invocation ran exactly once (node-3's run; no SDK retry, no other node ran it again),
    // and what the partition held for node-3 and delivered late was not started (past its deadline).
    expect(runs(held)).toHaveLength(3);
    expect(new Set(runs(held)).size).toBe(3);
    const ran = runs(during).length;
    expect(new Set(runs(during)).size).toBe(ran);
    expect(ran).toBeLessThanOrEqual(answers.length + 1); // + node-3's own "serves again" invoke
  });
});
