// edge/ owns the main listener's HTTP pipeline: which surface a request is for (the console's
// files, a function URL, or the APIs: Lambda, CloudWatch Logs, lambkin's own), the request-level
// boundary around each (boundary.ts), reading bodies within limits and a server-wide budget
// (body.ts), the APIs' auth-then-body-then-route order (api.ts), and connection timeouts and caps
// (connections.ts). server.ts only wires parts into it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SigV4Verifier } from '../auth/sigv4.js';
import { isConsolePath } from '../console/static.js';
import type { Router } from '../router.js';
import { isFunctionUrl } from '../urls/serve.js';
import { apiHandler } from './api.js';
import { BodyBudget, lingerAfterAnswer, readBody } from './body.js';
import { guarded } from './boundary.js';
import { capConnections, serverOptions, type ConnectionLimits } from './connections.js';

export { BodyRefused } from './body.js';
export type { ConnectionLimits } from './connections.js';

/** What a handler outside the API pipeline gets from the edge for its request. */
export interface EdgeRequest {
  readonly requestId: string;
  /** The body, at most `limit` bytes, charged to the server's budget (rejects with BodyRefused). */
  readBody(limit: number): Promise<Buffer>;
}

export interface EdgeOptions {
  readonly router: Router;
  readonly auth: SigV4Verifier | undefined;
  /** Function URLs (/url/…): their own auth and error style. */
  readonly serveUrl: (req: IncomingMessage, res: ServerResponse, edge: EdgeRequest) => Promise<void>;
  /** The console's static files (/console/…). */
  readonly serveConsole: (req: IncomingMessage, res: ServerResponse) => void;
  readonly limits: ConnectionLimits & {
    /** Bytes of request bodies held in memory at once, server-wide. */
    readonly bodyBudgetBytes: number;
  };
  readonly log: (line: string) => void;
}

export function createEdge(opts: EdgeOptions): Server {
  const budget = new BodyBudget(opts.limits.bodyBudgetBytes);
  const api = guarded('api', apiHandler({ router: opts.router, auth: opts.auth, budget, log: opts.log }), opts.log);
  const url = guarded('url', (req, res, requestId) => opts.serveUrl(req, res, {
    requestId, readBody: (limit) => readBody(req, res, limit, budget),
  }), opts.log);
  const console = guarded('console', opts.serveConsole, opts.log);
  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    lingerAfterAnswer(req, res);
    if (isConsolePath(req.url, req.method, req.headers.accept)) console(req, res);
    else if (isFunctionUrl(req.url)) url(req, res);
    else api(req, res);
  };
  const server = createServer(serverOptions(opts.limits), dispatch);
  // Expect: 100-continue is answered when the body is wanted (readBody), not before the headers
  // are checked: a request refused from its headers never gets to send its body.
  server.on('checkContinue', dispatch);
  capConnections(server, opts.limits.maxConnections, opts.log);
  return server;
}

/** Listens; resolves with the port (the one chosen when `port` is 0). */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Stops accepting, closes idle connections now and the rest after 2 s (a long invoke or a tail). */
export function closeEdge(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2_000).unref();
  });
}
