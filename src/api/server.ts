// The composition root: builds the parts, wires them, serves HTTP. Holds no logic of its own.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { newRequestId } from '../request-id.js';
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
import { sendApiError } from './errors.js';
import { apiError } from '../errors.js';
import type { ApiRequest, ApiResponse } from './http.js';
import { controlPlaneRoutes } from './lambda/routes.js';
import { invokeOperation } from './lambda/invoke.js';
import { concurrencyRoutes } from './lambda/function-concurrency.js';
import { startLifecycle } from './lifecycle.js';
import { isFunctionUrl } from './urls/serve.js';
import { logsRoutes } from './logs/routes.js';
import { warnWhenLoggingOff } from './logs/logging-off-warning.js';
import { investigateRoutes } from './investigate/routes.js';
import { runtimesRoutes } from './runtimes.js';
import { startConsoleApi } from './console-api/index.js';
import { consoleHandler, isConsolePath } from './console/static.js';

/** Largest request body accepted at all (a 50 MB zip, base64-encoded, plus JSON). */
const MAX_BODY = 70 * 1024 * 1024;

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
    memoryBudgetMb: config.memoryBudgetMb, freezeAfterMs: config.freezeAfterMs,
  });
  const lifecycle = startLifecycle({ config, registry, scheduler, auth, log });
  const consoleApi = startConsoleApi({ dataDir: config.dataDir, logs, registry, scheduler, log });
  const serveConsole = consoleHandler();
  const router = new Router()
    .add([{
      method: 'POST', pattern: '/2015-03-31/functions/{name}/invocations',
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

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) =>
    // Function URLs are the function's own HTTP surface: their auth is the URL's AuthType, not the API's.
    isConsolePath(req.url, req.method, req.headers.accept) ? serveConsole(req, res)
      : void (isFunctionUrl(req.url) ? lifecycle.serveUrl(req, res) : handle(router, auth, req, res, log)));
  server.headersTimeout = 60_000;
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

async function handle(router: Router, auth: SigV4Verifier | undefined, req: IncomingMessage, res: ServerResponse, log: (line: string) => void): Promise<void> {
  const requestId = newRequestId();
  try {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const body = await readBody(req);
    // Before routing: an unsigned caller learns nothing, not even which routes exist.
    if (auth) await auth.verify({ method: req.method ?? 'GET', path, rawQuery: q < 0 ? '' : url.slice(q + 1), headers: req.headers, body });
    const match = router.match(req.method ?? 'GET', path);
    if (match === undefined || match === 'method') {
      throw apiError('ResourceNotFoundException', `No lambkin API route for ${req.method} ${path}.`);
    }
    const apiReq: ApiRequest = {
      method: req.method ?? 'GET', path, params: match.params,
      query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)), headers: req.headers, body, requestId,
    };
    send(res, await match.operation(apiReq), requestId);
  } catch (err) {
    sendApiError(res, err, requestId, log);
  }
}

function send(res: ServerResponse, response: ApiResponse, requestId: string): void {
  const headers: Record<string, string | number> = { 'x-amzn-requestid': requestId, ...response.headers };
  if (response.stream) {
    res.writeHead(response.status, headers);
    res.flushHeaders();
    response.stream({
      write: (text) => res.write(text), end: () => res.end(),
      get buffered() {
        return res.writableLength;
      },
      onClose: (listener) => res.once('close', listener),
    });
    return;
  }
  let body: Buffer | undefined;
  if (response.body === undefined) body = undefined;
  else if (Buffer.isBuffer(response.body)) body = response.body;
  else if (typeof response.body === 'string') body = Buffer.from(response.body);
  else {
    body = Buffer.from(JSON.stringify(response.body));
    headers['content-type'] ??= 'application/json';
  }
  headers['content-length'] = body?.length ?? 0;
  res.writeHead(response.status, headers);
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY) {
    req.resume();
    return Promise.reject(apiError('RequestTooLargeException', `Request body of ${declared} bytes is over the ${MAX_BODY} bytes lambkin accepts.`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.destroy();
        reject(apiError('RequestTooLargeException', `Request body is over the ${MAX_BODY} bytes lambkin accepts.`));
        return;
      }
      chunks.push(c);
    });
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2_000).unref();
  });
}
