// A private cluster for one test file (docs/cluster.md): its own nats-server (JetStream, 8 MB
// payloads), a fresh PostgreSQL database, and N `lambkin serve --cluster` nodes on loopback named
// node-1..N. startCluster resolves once every node sees all N in its membership, so that a test's
// first request already finds the whole cluster. Needs LAMBKIN_TEST_DATABASE_URL (describePostgres).
import { createTestDatabase, type TestDatabase } from './database.js';
import { natsServerAvailable, startNatsServer, type NatsServer } from './nats-server.js';
import { startLambkin, type Lambkin } from './server.js';

export interface TestCluster {
  readonly nats: NatsServer;
  readonly nodes: Lambkin[];
  readonly databaseUrl: string;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  readonly nodes?: number;
  /** More `serve` arguments for every node. */
  readonly args?: string[];
  readonly env?: Record<string, string>;
}

export interface NodeRow { id: string; url: string; heartbeatAt: number; warm: number; busy: number; inflight: number }

/** GET /lambkin/v1/nodes of one node. */
export async function listNodes(node: { url: string }): Promise<NodeRow[]> {
  const res = await fetch(`${node.url}/lambkin/v1/nodes`);
  if (res.status !== 200) throw new Error(`GET /lambkin/v1/nodes answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { nodes: NodeRow[] }).nodes;
}

export interface EnvironmentRow { id: string; functionName: string; node?: string; busy: boolean }

/** GET /lambkin/v1/environments of one node: every node's environments of `fn` (each with its node), and the nodes that did not answer. */
export async function listEnvironments(node: { url: string }, fn?: string): Promise<{ environments: EnvironmentRow[]; unanswered?: string[] }> {
  const res = await fetch(`${node.url}/lambkin/v1/environments${fn ? `?function=${encodeURIComponent(fn)}` : ''}`);
  if (res.status !== 200) throw new Error(`GET /lambkin/v1/environments answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { environments: EnvironmentRow[]; unanswered?: string[] };
}

/** The environments of `fn` that run on `node` itself (the list covers the cluster: those tagged with its id, found by its URL). */
export async function environmentsHere(node: { url: string }, fn: string): Promise<EnvironmentRow[]> {
  const self = (await listNodes(node)).find((n) => n.url === node.url)?.id;
  if (!self) throw new Error(`${node.url} does not list itself among the nodes`);
  return (await listEnvironments(node, fn)).environments.filter((e) => e.node === self);
}

/** Start one more node of the cluster (also used to restart one). */
export async function startNode(cluster: Pick<TestCluster, 'nats' | 'databaseUrl'>, id: string, opts: ClusterOptions = {}, dataDir?: string): Promise<Lambkin> {
  return startLambkin({
    args: ['--cluster', '--database-url', cluster.databaseUrl, '--nats-url', cluster.nats.url, '--node-id', id, ...(opts.args ?? [])],
    env: opts.env, ownDatabase: true, dataDir,
  });
}

/** Resolves once every node lists exactly `ids`. */
export async function nodesAgree(nodes: readonly Lambkin[], ids: readonly string[], timeoutMs = 30_000): Promise<void> {
  const want = [...ids].sort().join(',');
  const deadline = Date.now() + timeoutMs;
  let seen = '';
  for (;;) {
    const views = await Promise.all(nodes.map(async (n) => (await listNodes(n).catch(() => [])).map((r) => r.id).sort().join(',')));
    if (views.every((v) => v === want)) return;
    seen = views.join(' | ');
    if (Date.now() > deadline) throw new Error(`nodes did not agree on [${want}] within ${timeoutMs} ms; they see: ${seen}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startCluster(opts: ClusterOptions = {}): Promise<TestCluster> {
  if (!natsServerAvailable()) throw new Error('nats-server is not installed: apt-get install nats-server (see .ci/run)');
  const count = opts.nodes ?? 3;
  const nats = await startNatsServer();
  let db: TestDatabase | undefined;
  const nodes: Lambkin[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop().catch(() => undefined)));
    await nats.stop();
    await db?.drop();
  };
  try {
    db = await createTestDatabase();
    const cluster = { nats, databaseUrl: db.url.url };
    // The first node makes the schema; the others then start side by side.
    nodes.push(await startNode(cluster, 'node-1', opts));
    nodes.push(...await Promise.all(Array.from({ length: count - 1 }, (_, i) => startNode(cluster, `node-${i + 2}`, opts))));
    await nodesAgree(nodes, nodes.map((_, i) => `node-${i + 1}`));
    return { nats, nodes, databaseUrl: db.url.url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
