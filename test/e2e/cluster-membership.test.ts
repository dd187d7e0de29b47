// Membership (docs/cluster.md): every node of a cluster lists every live node with what it holds;
// one that stops cleanly is gone from the others' lists at once (its goodbye), one killed with
// SIGKILL once the TTL has passed without its heartbeat; a node that starts is listed by all.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NODE, createFunction, invoke, probe, waitFor } from '../helpers/functions.js';
import { describePostgres } from '../helpers/database.js';
import { listNodes, nodesAgree, startCluster, startNode, type TestCluster } from '../helpers/cluster.js';
import type { Lambkin } from '../helpers/server.js';
import { runCli } from '../helpers/cli.js';
import { launchBrowser, newPage, rowCells, screenshot } from '../helpers/browser.js';

describePostgres('cluster membership', () => {
  let cluster: TestCluster;
  const extra: Lambkin[] = [];
  const env = { LAMBKIN_CLUSTER_TTL_MS: '1500' };
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 3, env });
  });
  afterAll(async () => {
    for (const n of extra) await n.stop();
    await cluster?.stop();
  });

  it('every node lists every node, with its address, version and the environments it holds', async () => {
    const [a, b] = cluster.nodes;
    const rows = await listNodes(a!);
    expect(rows.map((r) => r.id)).toEqual(['node-1', 'node-2', 'node-3']);
    expect(rows.map((r) => r.url)).toEqual(cluster.nodes.map((n) => n.url));
    expect(rows[0]).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), warm: 0, busy: 0, inflight: 0 });

    await createFunction(b!.lambda, 'counted', NODE, probe(NODE));
    expect((await invoke(b!.lambda, 'counted')).body.version).toBe('v1');
    // node-2 ran it, so node-2 holds one warm environment, and node-1 hears so from its heartbeat.
    await waitFor('node-1 to see node-2 holding one warm environment', async () =>
      (await listNodes(a!)).find((r) => r.id === 'node-2')?.warm === 1);
    expect((await listNodes(a!)).find((r) => r.id === 'node-1')?.warm).toBe(0);
  });

  it('`lambkin nodes` and the console\'s Nodes page list every node, through any node', async () => {
    const [a, b] = cluster.nodes;
    const listed = await runCli(b!.url, 'nodes');
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NODE\s+ADDRESS\s+WARM \/ BUSY\s+IN FLIGHT\s+CAPACITY\s+VERSION\s+LAST HEARTBEAT$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['node-1', 'node-2', 'node-3']);
    expect(lines.find((l) => l.startsWith('node-2'))).toMatch(new RegExp(`^node-2\\s+${b!.url}\\s+1 / 0\\s+0\\s+\\d+ concurrent, \\d+/\\d+ MB\\s+\\d+\\.\\d+\\.\\d+\\s+\\d+\\.\\d s ago$`));
    const json = JSON.parse((await runCli(a!.url, 'nodes', '--json')).stdout) as { id: string }[];
    expect(json.map((n) => n.id)).toEqual(['node-1', 'node-2', 'node-3']);

    const browser = await launchBrowser();
    try {
      const { page, errors } = await newPage(browser);
      await page.goto(`${a!.url}/console/nodes`);
      const row = await rowCells(page, 'Nodes', 'node-2');
      expect(row).toMatchObject({ Node: 'node-2', Address: b!.url, Warm: '1', Busy: '0', 'In flight': '0' });
      await expect.poll(() => page.locator('table[aria-label="Nodes"] tbody tr').count()).toBe(3);
      await screenshot(page, 'nodes');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('a node that starts is listed by all; one that stops is dropped at once; one killed, after the TTL', async () => {
    const d = await startNode(cluster, 'node-4', { env });
    extra.push(d);
    await nodesAgree([...cluster.nodes, d], ['node-1', 'node-2', 'node-3', 'node-4']);

    expect(await d.stop()).toBe(0);
    await nodesAgree(cluster.nodes, ['node-1', 'node-2', 'node-3']);
    expect(cluster.nodes[0]!.output()).toContain('cluster node node-4 left (said goodbye)');

    await cluster.nodes[2]!.kill();
    await nodesAgree(cluster.nodes.slice(0, 2), ['node-1', 'node-2']);
    expect(cluster.nodes[0]!.output()).toMatch(/cluster node node-3 left \(no heartbeat for 1500 ms\)/);
  });
});

it('a single node lists itself', async () => {
  const { startLambkin } = await import('../helpers/server.js');
  const one = await startLambkin({ args: ['--node-id', 'solo'] });
  try {
    const rows = await listNodes(one);
    expect(rows).toEqual([expect.objectContaining({ id: 'solo', url: one.url, warm: 0, busy: 0, inflight: 0 })]);
  } finally {
    await one.stop();
  }
});
