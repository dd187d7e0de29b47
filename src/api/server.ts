// The composition root: builds the parts, wires them, serves HTTP. Holds no logic of its own.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { ServerConfig } from '../config.js';
import { Registry } from '../registry/registry.js';
import { REGION } from '../registry/arn.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { ProcessBackend } from '../sandbox/process/index.js';
import { NULL_SINK, type LogSink } from '../logs/types.js';
import { Router } from './router.js';
import { sendApiError } from './errors.js';
import { apiError } from '../errors.js';
import type { ApiRequest, ApiResponse } from './http.js';
import { controlPlaneRoutes } from './lambda/routes.js';
import { invokeOperation } from './lambda/invoke.js';
import { concurrencyRoutes } from './lambda/function-concurrency.js';
import { AsyncInvoker } from '../scheduler/async-invoker.js';

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

  const registry = Registry.open(config.dataDir);
  const logs: LogSink = NULL_SINK;
  const scheduler = new Scheduler({
    backend: new ProcessBackend(runDir), logs, region: REGION, maxConcurrency: config.maxConcurrency,
    idleTimeoutMs: config.idleTimeoutSeconds * 1000, initTimeoutMs: config.initTimeoutSeconds * 1000,
  });
  const asyncInvoker = new AsyncInvoker(scheduler, log);
  const router = new Router()
    .add([{
      method: 'POST', pattern: '/2015-03-31/functions/{name}/invocations',
      operation: invokeOperation({
        registry, scheduler, reservedConcurrency: (name) => registry.get(name)?.reservedConcurrency,
        enqueueAsync: (fn, payload, requestId) => asyncInvoker.enqueue(fn, payload, requestId),
      }),
    }])
    .add(controlPlaneRoutes({ registry, onFunctionChanged: (name) => scheduler.retire(name) }))
    .add(concurrencyRoutes({ registry, maxConcurrency: config.maxConcurrency }));

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => void handle(router, req, res, log));
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
      await closeServer(server);
      await asyncInvoker.close();
      await scheduler.close();
      registry.close();
    },
  };
}

async function handle(router: Router, req: IncomingMessage, res: ServerResponse, log: (line: string) => void): Promise<void> {
  const requestId = randomUUID();
  try {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const match = router.match(req.method ?? 'GET', path);
    if (match === undefined || match === 'method') {
      req.resume();
      throw apiError('ResourceNotFoundException', `No lambkin API route for ${req.method} ${path}.`);
    }
    const body = await readBody(req);
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
