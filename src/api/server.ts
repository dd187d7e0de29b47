// The composition root: builds the parts, wires them, serves HTTP. Holds no logic of its own.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type ServerConfig } from '../config.js';
import { DatabaseUnavailable, Postgres } from '../database/index.js';
import { Registry } from '../registry/registry.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { openAsyncQueue } from '../scheduler/async-queue-open.js';
import { nodeName } from '../node-name.js';
import { chooseSandbox, SandboxUnavailable } from '../sandbox/select.js';
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
import { openConsoleStore } from './console-api/store-open.js';
import { consoleHandler } from './console/static.js';
import { closeEdge, createEdge, listen } from './edge/index.js';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly scheduler: Scheduler;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, log: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<RunningServer> {
  mkdirSync(config.dataDir, { recursive: true });
  const runDir = join(config.dataDir, 'run');
  // Environments of a previous run that did not shut down cleanly: nothing of them may survive.
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  // User code without a package.json of its own is CommonJS, as in Lambda's /var/task.
  writeFileSync(join(runDir, 'package.json'), '{"type":"commonjs"}\n');

  // First: a database that is down stops the start before anything else is set up.
  const database = config.databaseUrl && await connectDatabase(config, log);
  const auth = verifierFor(config, log);
  let sandbox;
  try {
    sandbox = chooseSandbox({ runDir, sandbox: config.sandbox, network: config.network, prestart: config.prestart }, log);
  } catch (err) {
    if (err instanceof SandboxUnavailable) throw new ConfigError(err.message);
    throw err;
  }
  log(`lambkin: ${sandbox.summary}`);

  const registry = await Registry.open(config.dataDir, { codeStorageLimit: config.codeStorageLimit, database, log });
  // With PostgreSQL, code uploaded from another machine is unpacked here before the first invoke.
  if (database) await registry.repaired;
  const logOptions = { sweepIntervalMs: config.logSweepSeconds * 1000, log };
  const logs: LogStore = database ? await PostgresLogStore.open(database, logOptions) : SqliteLogStore.open(config.dataDir, logOptions);
  const scheduler = new Scheduler({
    backend: sandbox.backend, logs, region: config.region, maxConcurrency: config.maxConcurrency,
    idleTimeoutMs: config.idleTimeoutSeconds * 1000, initTimeoutMs: config.initTimeoutSeconds * 1000,
    memoryBudgetMb: config.memoryBudgetMb, freezeAfterMs: config.freezeAfterMs,
  });
  // On PostgreSQL the async queue and the console's store are shared too; this node's name (kept in
  // the data folder) lets it take its own unfinished async events back after a restart.
  const node = database ? nodeName(config.dataDir) : undefined;
  const queue = await openAsyncQueue({ dataDir: config.dataDir, database, node, deadLetterLimit: config.deadLetterLimit });
  const lifecycle = await startLifecycle({ config, registry, scheduler, auth, queue, log });
  const consoleApi = startConsoleApi({ logs, registry, scheduler, log, store: await openConsoleStore(config.dataDir, database) });
  const liveTail = new LiveTailHub(logs);
  // Subscription filters' matches go out as Event invocations, through the durable async queue.
  const subscriptions = new SubscriptionDelivery(logs, (name, qualifier, payload, requestId) => lifecycle.asyncInvoker.enqueue(name, qualifier, payload, requestId), log);
  // One table per API, each on its own page; their paths do not overlap, so their order is free.
  const router = new Router()
    .add(lambdaRoutes({
      registry, scheduler, provisioner: lifecycle.provisioner, maxConcurrency: config.maxConcurrency, log,
      enqueueAsync: (name, qualifier, payload, requestId) => lifecycle.asyncInvoker.enqueue(name, qualifier, payload, requestId),
      recordDeploys: (routes) => consoleApi.recordDeploys(routes),
    }))
    .add(logsRoutes({ store: logs, log, liveTail, subscriptions, functionExists: (name) => registry.get(name) !== undefined }))
    .add(lambkinRoutes({
      logs, registry, asyncInvoker: lifecycle.asyncInvoker, consoleRoutes: consoleApi.routes,
      provisioned: { registry, provisioner: lifecycle.provisioner, maxConcurrency: config.maxConcurrency },
    }));

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
  return {
    url: `http://${shownHost}:${port}`,
    port,
    scheduler,
    close: async () => {
      consoleApi.endStreams(); // open live tails would hold the server's close
      liveTail.close();
      await closeEdge(server);
      subscriptions.close(); // what is buffered is queued before the queue closes
      await lifecycle.close();
      await scheduler.close();
      await sandbox.close();
      // Every environment is gone: nothing of the run folder (the sandbox's shared files) stays behind.
      rmSync(runDir, { recursive: true, force: true });
      await logs.close(); // after the environments: their last lines are written too
      await consoleApi.close(); // after the logs: it stores what their last batch recorded
      await registry.close();
      await database?.close();
    },
  };
}

/** PostgreSQL, checked at start: a database that cannot be reached stops the server with a clear message. */
async function connectDatabase(config: ServerConfig, log: (line: string) => void): Promise<Postgres> {
  const url = config.databaseUrl!;
  try {
    const db = await Postgres.connect(url, { log });
    log(`lambkin: database ${url.redacted}`);
    return db;
  } catch (err) {
    if (err instanceof DatabaseUnavailable) {
      throw new ConfigError(`${err.message}. Check that PostgreSQL is running and that --database-url / LAMBKIN_DATABASE_URL is right.`);
    }
    throw err;
  }
}
