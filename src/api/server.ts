// The composition root: builds the parts, wires them, serves HTTP. Holds no logic of its own.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type ServerConfig } from '../config.js';
import { DatabaseUnavailable, Postgres } from '../database/index.js';
import { Registry } from '../registry/registry.js';
import { REGION } from '../registry/arn.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { openAsyncQueue } from '../scheduler/async-queue-open.js';
import { nodeName } from '../node-name.js';
import { chooseSandbox, SandboxUnavailable } from '../sandbox/select.js';
import { verifierFor } from './auth/from-config.js';
import { SqliteLogStore, type LogStore } from '../logs/index.js';
import { Router } from './router.js';
import { controlPlaneRoutes } from './lambda/routes.js';
import { invokeRoutes } from './lambda/invoke-route.js';
import { concurrencyRoutes } from './lambda/function-concurrency.js';
import { layerRoutes } from './lambda/layers.js';
import { notImplementedRoutes } from './lambda/not-implemented.js';
import { functionPolicyRoutes } from './lambda/function-policy.js';
import { tagRoutes } from './lambda/tags.js';
import { codeSigningRoutes } from './lambda/code-signing.js';
import { storedSettingRoutes } from './lambda/stored-settings.js';
import { startLifecycle } from './lifecycle.js';
import { logsRoutes } from './logs/routes.js';
import { warnWhenLoggingOff } from './logs/logging-off-warning.js';
import { investigateRoutes } from './investigate/routes.js';
import { runtimesRoutes } from './runtimes.js';
import { debugRoutes } from './lambda/debug.js';
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
    sandbox = chooseSandbox({ runDir, sandbox: config.sandbox, network: config.network }, log);
  } catch (err) {
    if (err instanceof SandboxUnavailable) throw new ConfigError(err.message);
    throw err;
  }
  log(`lambkin: ${sandbox.summary}`);

  const registry = await Registry.open(config.dataDir, { codeStorageLimit: config.codeStorageLimit, database, log });
  // With PostgreSQL, code uploaded from another machine is unpacked here before the first invoke.
  if (database) await registry.repaired;
  const logs: LogStore = SqliteLogStore.open(config.dataDir, { sweepIntervalMs: (config.logSweepSeconds ?? 300) * 1000, log });
  const scheduler = new Scheduler({
    backend: sandbox.backend, logs, region: REGION, maxConcurrency: config.maxConcurrency,
    idleTimeoutMs: config.idleTimeoutSeconds * 1000, initTimeoutMs: config.initTimeoutSeconds * 1000,
    memoryBudgetMb: config.memoryBudgetMb, freezeAfterMs: config.freezeAfterMs,
  });
  // On PostgreSQL the async queue and the console's store are shared too; this node's name (kept in
  // the data folder) lets it take its own unfinished async events back after a restart.
  const node = database ? nodeName(config.dataDir) : undefined;
  const queue = await openAsyncQueue({ dataDir: config.dataDir, database, node, deadLetterLimit: config.deadLetterLimit });
  const lifecycle = await startLifecycle({ config, registry, scheduler, auth, queue, log });
  const consoleApi = startConsoleApi({ logs, registry, scheduler, log, store: await openConsoleStore(config.dataDir, database) });
  const router = new Router()
    .add(invokeRoutes({
      registry, scheduler, reservedConcurrency: (name) => registry.get(name)?.reservedConcurrency,
      enqueueAsync: (name, qualifier, payload, requestId) => lifecycle.asyncInvoker.enqueue(name, qualifier, payload, requestId),
    }))
    .add(consoleApi.recordDeploys(warnWhenLoggingOff(controlPlaneRoutes({
      registry, onFunctionChanged: (name, version) => scheduler.retire(name, version), onFunctionDeployed: (fn) => scheduler.deployed(fn),
    }), log)))
    .add(concurrencyRoutes({ registry, maxConcurrency: config.maxConcurrency }))
    .add(layerRoutes(registry))
    .add(functionPolicyRoutes(registry))
    .add(tagRoutes(registry))
    .add(codeSigningRoutes(registry))
    .add(storedSettingRoutes(registry))
    .add(logsRoutes({ store: logs, log }))
    .add(investigateRoutes({ store: logs, registry }))
    .add(runtimesRoutes())
    .add(debugRoutes({ registry, scheduler }))
    .add(consoleApi.routes)
    .add(consoleApi.recordDeploys(lifecycle.routes))
    // Last: a Lambda operation none of the above serves is answered as not implemented.
    .add(notImplementedRoutes());

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
      await closeEdge(server);
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
