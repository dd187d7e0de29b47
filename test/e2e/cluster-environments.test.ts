// The environment list across a cluster (docs/cluster.md, "Environments"): GET
// /lambkin/v1/environments, `lambkin envs` and the console's list through any node show every
// node's environments, each with its node; a stop through any node stops the environment on the
// node that runs it; a node that does not answer is named within the bound, not waited for.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NODE, PROCESS_SANDBOX, createFunction, invoke, probe, waitFor } from '../helpers/functions.js';
import { describePostgres } from '../helpers/database.js';
import { environmentsHere, listEnvironments, startCluster, type TestCluster } from '../helpers/cluster.js';
import { runCli } from '../helpers/cli.js';

describePostgres('cluster environments', () => {
  let cluster: TestCluster;
  const dir = mkdtempSync(join(tmpdir(), 'lambkin-envs-'));
  const started = () => readdirSync(dir).filter((f) => f.endsWith('.started')).length;
  beforeAll(async () => {
    // A long TTL: a node paused for a few seconds below stays a member (it is slow, not gone).
    cluster = await startCluster({ nodes: 3, args: [...PROCESS_SANDBOX], env: { LAMBKIN_CLUSTER_TTL_MS: '10000' } });
    await createFunction(cluster.nodes[0]!.lambda, 'held', NODE, probe(NODE), { Timeout: 60 });
  }, 120_000);
  afterAll(async () => {
    writeFileSync(join(dir, 'release'), '');
    for (const n of cluster?.nodes ?? []) if (n.proc.exitCode === null) n.proc.kill('SIGCONT');
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every node\'s environments through any node, each with its node, and stops one through another node', async () => {
    const [a, b, c] = cluster.nodes as [TestCluster['nodes'][0], TestCluster['nodes'][0], TestCluster['nodes'][0]];
    // Two held invocations, through node-1 then node-2: nothing is idle anywhere, so each starts here.
    const first = invoke(a.lambda, 'held', { op: 'hold', dir });
    await waitFor('the first invocation to run', () => started() === 1);
    const second = invoke(b.lambda, 'held', { op: 'hold', dir });
    await waitFor('the second invocation to run', () => started() === 2);

    const list = await listEnvironments(c, 'held');
    expect(list.unanswered).toEqual([]);
    expect(list.environments.map((e) => [e.node, e.busy]).sort()).toEqual([['node-1', true], ['node-2', true]]);
    // The CLI through node-3 shows the same, with a NODE column.
    const cli = await runCli(c.url, 'envs', 'held');
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/NODE/);
    for (const e of list.environments) expect(cli.stdout).toContain(`${e.id}  held`);
    expect(cli.stdout).toMatch(/node-1/);
    expect(cli.stdout).toMatch(/node-2/);

    writeFileSync(join(dir, 'release'), '');
    await Promise.all([first, second]);

    // Stopped through node-3, on node-1 where it runs.
    const onA = (await environmentsHere(a, 'held'))[0]!;
    const stop = await runCli(c.url, 'envs', '--stop', onA.id, '--json');
    expect(stop.code, stop.stderr).toBe(0);
    expect(JSON.parse(stop.stdout)).toEqual({ id: onA.id, stopping: true, node: 'node-1' });
    await waitFor('the environment on node-1 to stop', async () => (await environmentsHere(a, 'held')).length === 0);
    expect((await listEnvironments(b, 'held')).environments.map((e) => e.node)).toEqual(['node-2']);

    // An id no node runs: 404 once every node said so.
    const res = await fetch(`${b.url}/lambkin/v1/environments/nope`, { method: 'DELETE' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ message: expect.stringContaining('any node of the cluster') });
  });

  it('a node that does not answer is named in the list, which answers within its bound', async () => {
    const [a, b, c] = cluster.nodes as [TestCluster['nodes'][0], TestCluster['nodes'][0], TestCluster['nodes'][0]];
    const onB = (await environmentsHere(b, 'held'))[0]!;
    b.proc.kill('SIGSTOP'); // alive to the others (its TTL has not passed) but silent
    try {
      const list = await listEnvironments(c, 'held');
      expect(list.unanswered).toEqual(['node-2']);
      expect(list.environments.filter((e) => e.node === 'node-2')).toEqual([]);
      // Its environment cannot be stopped through another node now, and the answer says why.
      const res = await fetch(`${a.url}/lambkin/v1/environments/${onB.id}`, { method: 'DELETE' });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { message: string }).message).toContain('node-2 did not answer');
      const cli = await runCli(c.url, 'envs', 'held');
      expect(cli.stderr).toContain('node node-2 did not answer in time');
    } finally {
      b.proc.kill('SIGCONT');
    }
    await waitFor('node-2 to answer again', async () => (await listEnvironments(c, 'held')).environments.some((e) => e.id === onB.id));
  });
});
