// The whole Runtime API on one page (2018-06-01). One HTTP server per environment, so the
// server a request arrives on says which environment it is for. Every request runs inside the
// boundary (boundary.ts) and under the environment's limits (limits.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { RuntimeApiHost } from './host.js';
import { EXTENSION_PREFIX, routeExtension } from './extension-routes.js';
import { handleSubscribe, LOGS_PATH, TELEMETRY_PATH } from './telemetry-route.js';
import { handleNext } from './next.js';
import { handleResponse } from './response.js';
import { handleError } from './error.js';
import { handleInitError } from './init-error.js';
import { refuseUnread } from './reply.js';
import { guarded, type BoundaryContext } from './boundary.js';
import { BodyGate } from './body-gate.js';
import { capConnections, RUNTIME_API_LIMITS, serverOptions, type RuntimeApiLimits } from './limits.js';

const PREFIX = '/2018-06-01/runtime/';
const INVOCATION = 'invocation/';

export interface RuntimeApiServerOptions extends Partial<BoundaryContext> {
  readonly limits?: RuntimeApiLimits;
  /** Hears of each connection closed for being over the cap (for the function's log). */
  readonly onConnectionRefused?: () => void;
}

export function createRuntimeApiServer(host: RuntimeApiHost, opts: RuntimeApiServerOptions = {}): Server {
  const ctx: BoundaryContext = { label: opts.label ?? 'an environment', log: opts.log ?? ((line) => process.stderr.write(line + '\n')) };
  const limits = opts.limits ?? RUNTIME_API_LIMITS;
  const gate = new BodyGate();
  const server = createServer(serverOptions(limits), (req, res) => guarded(ctx, req, res, () => route(host, gate, req, res)));
  capConnections(server, limits, opts.onConnectionRefused ?? (() => undefined));
  // After listen(), an 'error' is a failed accept (EMFILE when the host runs out of descriptors):
  // that connection is lost, the server goes on. Without a listener it would end the process.
  server.on('error', (err) => ctx.log(`lambkin: Runtime API of ${ctx.label}: ${err.message}`));
  // A long poll may wait for hours: no socket inactivity timeout (limits.ts bounds everything else).
  server.timeout = 0;
  return server;
}

function route(host: RuntimeApiHost, gate: BodyGate, req: IncomingMessage, res: ServerResponse): void | Promise<void> {
  const url = req.url ?? '';
  const path = url.startsWith(PREFIX) ? url.slice(PREFIX.length) : undefined;
  if (path === 'invocation/next' && req.method === 'GET') return handleNext(host, req, res);
  if (path?.startsWith(INVOCATION) && req.method === 'POST') {
    const rest = path.slice(INVOCATION.length);
    const slash = rest.indexOf('/');
    const action = rest.slice(slash + 1);
    if (slash > 0 && (action === 'response' || action === 'error')) {
      const id = decoded(rest.slice(0, slash));
      if (id === undefined) {
        return refuseUnread(req, res, { status: 400, errorType: 'InvalidRequestID', errorMessage: 'The request id in the path is not valid percent-encoded UTF-8.' });
      }
      return action === 'response' ? handleResponse(host, gate, id, req, res) : handleError(host, gate, id, req, res);
    }
  }
  if (path === 'init/error' && req.method === 'POST') return handleInitError(host, gate, req, res);
  const ext = host.extensionApi;
  if (ext && url.startsWith(EXTENSION_PREFIX)) return routeExtension(ext, url.slice(EXTENSION_PREFIX.length), req, res);
  if (ext && (url === TELEMETRY_PATH || url === LOGS_PATH) && req.method === 'PUT') return handleSubscribe(ext, req, res);
  refuseUnread(req, res, { status: 404, errorType: 'NotFound', errorMessage: `${req.method} ${url.slice(0, 200)} is not part of the Runtime API` });
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // URIError: a lone % or bytes that are not UTF-8
  }
}
