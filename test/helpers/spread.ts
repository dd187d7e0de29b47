// The spread e2e runs (vitest project `cluster`, LAMBKIN_TEST_CLUSTER=3): every server a test file
// starts with startLambkin is a cluster of that many `lambkin serve --cluster` nodes on one fresh
// PostgreSQL database and the file's private nats-server, and the SDK clients it hands out send
// each request to the next node in turn — so that a suite written for one server checks that the
// cluster behaves as one. `url`, `dataDir` and `proc` are node-1's (raw HTTP calls go there);
// output() is every node's; stop() stops them all, kill() kills them all (SIGKILL), and a server
// started again on node-1's data folder is the same cluster again: the same database and the same
// nats-server (its JetStream stream holds the async events a killed cluster left), three nodes.
// `nodes` lists every node, for a test that looks at each one's process or files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { LambkinClient, credentialsFromEnv } from '../../src/client/index.js';
import { storeArgs } from './database.js';
import { startNatsServer, type NatsServer } from './nats-server.js';
import type { Lambkin, StartOptions } from './server.js';

/** Nodes per server in the spread runs; 0: one server, as users get by default. */
export const SPREAD_NODES = Number(process.env.LAMBKIN_TEST_CLUSTER ?? 0);

// Each cluster has its own nats-server: two clusters of one file on one NATS would hear each
// other's nodes (they are named node-1… alike) and changes.
const natsServers: Promise<NatsServer>[] = [];
/** The nats-server of each cluster by node-1's data folder: a restart on that folder gets the same one. */
const natsOf = new Map<string, Promise<NatsServer>>();
// Registered while the file is collected (this module is imported then), like database.ts's hook.
if (SPREAD_NODES > 0) {
  afterAll(async () => {
    natsOf.clear();
    const running = natsServers.splice(0);
    await Promise.all(running.map(async (n) => (await n).stop()));
  });
}

type Client = LambdaClient | CloudWatchLogsClient;

/**
 * Each request of `client` goes to the next of `urls`, as a load balancer in front of them would
 * send it: the connection to that node, the Host header still the first one's (so that what a
 * node derives from it, such as a FunctionUrl, is the same whichever node answers). Set before the
 * request is signed, so SigV4 covers it.
 */
export function roundRobin(client: Client, urls: readonly string[]): void {
  let next = 0;
  const targets = urls.map((u) => new URL(u));
  (client.middlewareStack as { add: (mw: unknown, opts: object) => void }).add(
    (handler: (args: { request: unknown }) => Promise<unknown>) => async (args: { request: unknown }) => {
      const request = args.request as { hostname?: string; port?: number; headers?: Record<string, string> };
      const target = targets[next++ % targets.length]!;
      request.hostname = target.hostname;
      request.port = Number(target.port);
      if (request.headers) request.headers.host = targets[0]!.host;
      return handler(args);
    },
    { step: 'build', priority: 'high', name: 'lambkinSpreadRoundRobin' },
  );
}

/** A cluster standing in for one server (see above); `start` is startLambkin for one node. */
export async function startSpread(opts: StartOptions, start: (o: StartOptions) => Promise<Lambkin>): Promise<Lambkin> {
  // The database and the nats-server belong to node-1's data folder: a restart on the same folder finds the same ones.
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'lambkin-test-'));
  let starting = natsOf.get(dataDir);
  if (!starting) {
    starting = startNatsServer();
    natsServers.push(starting);
    natsOf.set(dataDir, starting);
  }
  const server = await starting;
  const [, databaseUrl] = await storeArgs(dataDir);
  if (!databaseUrl) throw new Error('LAMBKIN_TEST_CLUSTER needs LAMBKIN_TEST_STORE=postgres (the vitest project `cluster` sets both)');
  const args = (n: number) => ['--cluster', '--nats-url', server.url, '--node-id', `node-${n}`, '--database-url', databaseUrl, ...(opts.args ?? [])];
  const first = await start({ ...opts, dataDir, ownDatabase: true, args: args(1) });
  const rest = await Promise.all(Array.from({ length: SPREAD_NODES - 1 }, (_, i) => start({ args: args(i + 2), env: opts.env, ownDatabase: true })));
  const nodes = [first, ...rest];
  const urls = nodes.map((n) => n.url);
  await waitForMembership(urls, opts.env ?? {});
  roundRobin(first.lambda, urls);
  roundRobin(first.logs, urls);
  const removeDataDir = () => {
    if (!opts.dataDir && !opts.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  return {
    ...first,
    nodes,
    output: () => nodes.map((n) => n.output()).join(''),
    stop: async () => {
      const codes = await Promise.all(nodes.map((n) => n.stop()));
      removeDataDir();
      return codes.find((c) => c !== 0) ?? codes[0]!;
    },
    kill: async () => {
      await Promise.all(nodes.map((n) => n.kill()));
      await Promise.all(rest.map((n) => n.stop())); // their data folders go; node-1's stays, as after a crash
    },
  };
}

async function waitForMembership(urls: readonly string[], env: Record<string, string>): Promise<void> {
  // Signed with the servers' credentials when they have some (the API then refuses unsigned calls).
  const credentials = credentialsFromEnv({ ...env, LAMBKIN_DATA_DIR: '/nonexistent' });
  const clients = urls.map((endpoint) => new LambkinClient({ endpoint, credentials }));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const seen = await Promise.all(clients.map(async (c) => (await c.listNodes().catch(() => [])).length));
    if (seen.every((c) => c === urls.length)) return;
    if (Date.now() > deadline) throw new Error(`the ${urls.length} nodes did not see each other within 30 s (they see ${seen.join(', ')})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
