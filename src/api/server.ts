// The composition root: builds the parts, wires them, serves HTTP. Holds no logic of its own.
import type { Server } from 'node:http';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ConfigError, type ServerConfig } from '../config.js';
import { Registry } from '../registry/registry.js';
import { REGION } from '../registry/arn.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { chooseSandbox, SandboxUnavailable } from '../sandbox/select.js';
import { CredentialsError, isLoopback, loadCredentials } from '../credentials.js';
import { SigV4Verifier } from './auth/sigv4.js';
import { LogStore } from '../logs/store.js';
import { Router } from './router.js';
import { controlPlaneRoutes } from './lambda/routes.js';
import { invokeOperation, MAX_ASYNC_PAYLOAD, MAX_SYNC_PAYLOAD } from './lambda/invoke.js';
import { concurrencyRoutes } from './lambda/function-concurrency.js';
import { startLifecycle } from './lifecycle.js';
import { logsRoutes } from './logs/routes.js';
import { warnWhenLoggingOff } from './logs/logging-off-warning.js';
import { investigateRoutes } from './investigate/routes.js';
import { runtimesRoutes } from './runtimes.js';
import { startConsoleApi } from './console-api/index.js';
import { consoleHandler } from './console/static.js';
import { createEdge } from './edge/index.js';

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

  const auth = authFor(config, log);
  let sandbox;
  try {
    sandbox = chooseSandbox({ runDir, sandbox: config.sandbox, network: config.network }, log);
  } catch (err) {
    if (err instanceof SandboxUnavailable) throw new ConfigError(err.message);
    throw err;
  }
  log(`lambkin: ${sandbox.summary}`);

  const registry = Registry.open(config.dataDir);
  const logs = LogStore.open(config.dataDir, { sweepIntervalMs: (config.logSweepSeconds ?? 300) * 1000, log });
  const scheduler = new Scheduler({
    backend: sandbox.backend, logs, region: REGION, maxConcurrency: config.maxConcurrency,
    idleTimeoutMs: config.idleTimeoutSeconds * 1000, initTimeoutMs: config.initTimeoutSeconds * 1000,
  });
  const lifecycle = startLifecycle({ config, registry, scheduler, auth, log });
  const consoleApi = startConsoleApi({ dataDir: config.dataDir, logs, registry, scheduler, log });
  const router = new Router()
    .add([{
      method: 'POST', pattern: '/2015-03-31/functions/{name}/invocations', operationName: 'InvokeFunction',
      maxBody: (headers) => (headers['x-amz-invocation-type'] === 'Event' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD),
      operation: invokeOperation({
        registry, scheduler, reservedConcurrency: (name) => registry.get(name)?.reservedConcurrency,
        enqueueAsync: (name, qualifier, payload, requestId) => lifecycle.asyncInvoker.enqueue(name, qualifier, payload, requestId),
      }),
    }])
    .add(consoleApi.recordDeploys(warnWhenLoggingOff(controlPlaneRoutes({ registry, onFunctionChanged: (name, version) => scheduler.retire(name, version) }), log)))
    .add(concurrencyRoutes({ registry, maxConcurrency: config.maxConcurrency }))
    .add(logsRoutes({ store: logs, log }))
    .add(investigateRoutes({ store: logs, registry }))
    .add(runtimesRoutes())
    .add(consoleApi.routes)
    .add(consoleApi.recordDeploys(lifecycle.routes));

  const server = createEdge({
    router, auth, log,
    // Function URLs are the function's own HTTP surface: their auth is the URL's AuthType, not the API's.
    serveUrl: lifecycle.serveUrl, serveConsole: consoleHandler(),
    limits: {
      maxConnections: config.maxConnections, bodyBudgetBytes: config.maxRequestBufferBytes,
      headersTimeoutMs: config.headersTimeoutMs, requestTimeoutMs: config.requestTimeoutMs, keepAliveTimeoutMs: 65_000,
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    scheduler,
    close: async () => {
      consoleApi.endStreams(); // open live tails would hold the server's close
      await closeServer(server);
      await lifecycle.close();
      await scheduler.close();
      await sandbox.close();
      // Every environment is gone: nothing of the run folder (the sandbox's shared files) stays behind.
      rmSync(runDir, { recursive: true, force: true });
      logs.close(); // after the environments: their last lines are written too
      consoleApi.close(); // after the logs: it stores what their last batch recorded
      registry.close();
    },
  };
}

/** SigV4 when credentials are configured; without them, only a loopback address may be used. */
function authFor(config: ServerConfig, log: (line: string) => void): SigV4Verifier | undefined {
  let credentials;
  try {
    credentials = loadCredentials(config.dataDir);
  } catch (err) {
    if (err instanceof CredentialsError) throw new ConfigError(err.message);
    throw err;
  }
  if (!credentials) {
    if (isLoopback(config.host)) return undefined;
    throw new ConfigError(
      `refusing to listen on ${config.host} without credentials: anyone who can reach it could deploy and run code. ` +
      `Create them with \`lambkin init-credentials --data-dir ${config.dataDir}\` (or set LAMBKIN_ACCESS_KEY_ID and ` +
      'LAMBKIN_SECRET_ACCESS_KEY), and sign requests with them (the AWS SDK and CLI do; so does the lambkin CLI).',
    );
  }
  log(`lambkin: API requests must be signed (SigV4) with the credentials from ${credentials.source}`);
  return new SigV4Verifier(credentials);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2_000).unref();
  });
}
