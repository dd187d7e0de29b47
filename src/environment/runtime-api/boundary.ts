// The request-level boundary of the Runtime API: whatever goes wrong while one request is handled —
// a throw, a rejected promise, a body stream that breaks — ends as that request's answer (a 500, or
// a closed connection when the answer had begun) and one line in lambkin's own log. Never the
// process: a function's code sends what it likes to this server, and every function shares it.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The client went away (or broke HTTP) mid-request: nothing to answer, nothing of lambkin's to report. */
export class ClientGone extends Error {}

const INTERNAL = Buffer.from(JSON.stringify({
  errorType: 'ServiceException',
  errorMessage: 'lambkin had an internal error handling this request; the details are in the server log.',
}));

export interface BoundaryContext {
  /** Names the environment in the log line. */
  readonly label: string;
  /** lambkin's own log (the server's stderr): never the function's, which must not see lambkin's stack. */
  readonly log: (line: string) => void;
}

/** Run one request's handler inside the boundary. */
export function guarded(ctx: BoundaryContext, req: IncomingMessage, res: ServerResponse, handle: () => void | Promise<void>): void {
  try {
    const running = handle();
    if (running) running.catch((err: unknown) => failed(ctx, req, res, err));
  } catch (err) {
    failed(ctx, req, res, err);
  }
}

const reported = new WeakSet<ServerResponse>();

function failed(ctx: BoundaryContext, req: IncomingMessage, res: ServerResponse, err: unknown): void {
  if (!(err instanceof ClientGone) && !reported.has(res)) {
    reported.add(res);
    const what = `${String(req.method).slice(0, 16)} ${String(req.url).slice(0, 200)}`;
    ctx.log(`lambkin: Runtime API of ${ctx.label}: ${what} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  try {
    if (res.headersSent || res.destroyed || err instanceof ClientGone) {
      res.destroy();
      return;
    }
    // The request's body may not have been read: the connection cannot be reused.
    res.writeHead(500, { 'content-type': 'application/json', 'content-length': INTERNAL.length, connection: 'close' });
    res.end(INTERNAL);
  } catch {
    res.destroy();
  }
}
