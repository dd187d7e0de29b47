// The composition root: builds the parts, wires them, serves HTTP. Holds no logic of its own.
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ServerConfig } from '../config.js';
import { Registry } from '../registry/registry.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { openAsyncQueue } from '../scheduler/async-queue-open.js';
import { nodeName } from '../node-name.js';
import { verifierFor } from './auth/from-config.js';
import { PostgresLogStore, SqliteLogStore, type LogStore } from '../logs/index.js';
import { Router } from './router.js';
import { lambdaRoutes } from './lambda/table.js';
import { lambkinRoutes } from './lambkin-routes.js';
import { startLifecycle } from './lifecycle.js';
import { logsRoutes } from './logs/routes.js';
import { LiveTailHub } from './logs/live-tail-hub.js';
import { SubscriptionDelivery } from './logs/subscription-delivery.js';
import { startConsoleApi } from './console-api/index.js';
import { payloadPath } from './console-api/payloads.js';
import { openConsoleStore } from './console-api/store-open.js';
import { consoleHandler } from './console/static.js';
import { closeEdge, createEdge, listen } from './edge/index.js';
import { connectDatabase, freshRunDir, openSandbox } from './start-steps.js';
import { connectNats } from '../cluster/nats.js';
import { startDispatch } from '../cluster/dispatch.js';
import { serveDirect } from '../cluster/direct-serve.js';
import { openStreamQueue } from '../cluster/async-stream-open.js';
import { selfInfo } from '../cluster/node-info.js';
import { clusterNode } from './cluster-node.js';
import { clusterRoutes } from './cluster-routes.js';
import type { Route } from './http.js';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly scheduler: Scheduler;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, log: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<RunningServer> {
  const runDir = freshRunDir(config.dataDir);
  // First: a database that is down stops the start before anything else is set up.
  const database = config.databaseUrl && await connectDatabase(config.databaseUrl, log);
  // On PostgreSQL the async queue and the console's store are shared too; this node's name (kept in
  // the data folder, or --node-id) lets it take its own unfinished async events back after a restart.
  const node = database ? config.nodeId ?? nodeName(config.dataDir) : undefined;
  // A cluster node: its link to the other nodes (docs/cluster.md); checked before anything starts.
  const nats = config.cluster && node ? await connectNats(config.cluster, node, log) : undefined;
  // And its direct links' listener: a port that is taken stops the start here too, before anything runs.
  const direct = nats && config.cluster ? await serveDirect({ host: config.host, port: config.cluster.directPort }).catch(async (err: unknown) => {
    await nats.close();
    throw err;
  }) : undefined;
  const startedAt = Date.now();
  let selfUrl = ''; // once it listens
  const auth = verifierFor(config, log);
  const sandbox = openSandbox(config, runDir, log);

  const registry = await Registry.open(config.dataDir, { codeStorageLimit: config.codeStorageLimit, database, log, region: config.region });
  // With PostgreSQL, code uploaded from another machine is unpacked here before the first invoke.
  if (database) await registry.repaired;
  const logOptions = { sweepIntervalMs: config.logSweepSeconds * 1000, log };
  const logs: LogStore = database ? await PostgresLogStore.open(database, logOptions) : SqliteLogStore.open(config.dataDir, logOptions);
  const consoleStore = await openConsoleStore(config.dataDir, database);
  // Recorded events and responses go to the console's store on their own path (console-api/payloads.ts).
  const payloads = payloadPath(logs, consoleStore, log);
  const scheduler = new Scheduler({
    backend: sandbox.backend, logs: payloads.sink, region: config.region, maxConcurrency: config.maxConcurrency,
    idleTimeoutMs: config.idleTimeoutSeconds * 1000, initTimeoutMs: config.initTimeoutSeconds * 1000,
    memoryBudgetMb: config.memoryBudgetMb, freezeAfterMs: config.freezeAfterMs,
  });
  const cluster = nats && node && config.cluster ? clusterNode({
    config: config.cluster, nats, id: node, registry, scheduler, logs, log, alsoReload: [() => subscriptions.reload()],
  }) : undefined;
  // On a cluster node every route first asks whether the node can serve, and changes reach every node before they answer;
  // reads of the log store come after every node wrote what it had queued.
  const routes = (r: readonly Route[]): readonly Route[] => (cluster ? clusterRoutes(r, cluster) : r);
  const readLogs = cluster?.logs ?? logs;

  // Under --cluster, invocations may run on other nodes and this one runs others' (docs/cluster.md).
  const dispatch = nats && node && database && direct ? await startDispatch({
    nc: nats.connection, database, self: node, scheduler, registry, log, ttlMs: config.cluster?.ttlMs ?? 5_000, direct, connected: () => nats.connected(),
  }) : undefined;
  const dispatcher = dispatch?.dispatcher;

  // A cluster's Event invocations wait in JetStream, run by whichever node pulls them (docs/cluster.md).
  const queue = nats && database && node
    ? await openStreamQueue({
      nats, database, node, deadLetterLimit: config.deadLetterLimit, asyncConcurrency: config.asyncConcurrency,
      ackWaitMs: config.asyncAckWaitMs, maxDeliveries: config.asyncMaxDeliveries, log,
    })
    : await openAsyncQueue({ dataDir: config.dataDir, database, node, deadLetterLimit: config.deadLetterLimit });
  const lifecycle = await startLifecycle({ config, registry, scheduler, dispatcher, provisionCluster: dispatch?.provisioning, auth, queue, log, peers: cluster?.peers });
  const consoleApi = startConsoleApi({ logs: readLogs, liveLogs: cluster?.liveLogs, registry, scheduler, log, store: consoleStore, payloads, environments: cluster?.environments });
  const liveTail = new LiveTailHub(cluster?.liveLogs ?? logs, registry.arns);
  // Subscription filters' matches go out as Event invocations, through the durable async queue.
  const subscriptions = new SubscriptionDelivery(logs, (name, qualifier, payload, requestId) => lifecycle.asyncInvoker.enqueue(name, qualifier, payload, requestId), log);
  // One table per API, each on its own page; their paths do not overlap, so their order is free.
  const router = new Router()
    .add(routes(lambdaRoutes({
      registry, scheduler, dispatcher, provisioner: lifecycle.provisioner, maxConcurrency: config.maxConcurrency, log,
      enqueueAsync: (name, qualifier, payload, requestId) => lifecycle.asyncInvoker.enqueue(name, qualifier, payload, requestId),
      recordDeploys: (deploying) => consoleApi.recordDeploys(deploying),
    })))
    .add(routes(logsRoutes({
      store: readLogs, log, liveTail, subscriptions, functionExists: (name) => registry.get(name) !== undefined, arns: registry.arns, peers: cluster?.peers,
    })))
    .add(routes(lambkinRoutes({
      logs: readLogs, registry, scheduler, asyncInvoker: lifecycle.asyncInvoker, consoleRoutes: consoleApi.routes,
      provisioned: { registry, provisioner: lifecycle.provisioner, maxConcurrency: config.maxConcurrency },
      nodes: () => cluster?.membership?.live() ?? [selfInfo(node ?? config.nodeId ?? hostname(), selfUrl, startedAt, scheduler.usage())],
    })));

  const server = createEdge({
    router, auth, log,
    // Function URLs are the function's own HTTP surface: their auth is the URL's AuthType, not the API's.
    serveUrl: lifecycle.serveUrl, serveConsole: consoleHandler(),
    limits: {
      maxConnections: config.maxConnections, bodyBudgetBytes: config.maxRequestBufferBytes,
      headersTimeoutMs: config.headersTimeoutMs, requestTimeoutMs: config.requestTimeoutMs, keepAliveTimeoutMs: 65_000,
    },
  });
  const port = await listen(server, config.port, config.host);
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${shownHost}:${port}`;
  selfUrl = config.cluster?.advertiseUrl ?? url;
  await cluster?.start(selfUrl);
  if (cluster?.membership) {
    dispatch?.joined(cluster.membership);
    dispatch?.provisioning.publishFrom(lifecycle.provisioner);
  }
  return {
    url,
    port,
    scheduler,
    close: async () => {
      await cluster?.close(); // the others drop this node at once, not a TTL later
      consoleApi.endStreams(); // open live tails would hold the server's close
      liveTail.close();
      await closeEdge(server);
      subscriptions.close(); // what is buffered is queued before the queue closes
      await lifecycle.close();
      dispatch?.close();
      await scheduler.close();
      await sandbox.close();
      // Every environment is gone: nothing of the run folder (the sandbox's shared files) stays behind.
      rmSync(runDir, { recursive: true, force: true });
      await logs.close(); // after the environments: their last lines are written too
      await consoleApi.close(); // after the environments: it stores the last recorded payloads
      await registry.close();
      await nats?.close();
      await database?.close();
    },
  };
}
