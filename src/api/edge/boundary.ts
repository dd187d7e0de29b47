// The request-level boundary of the main listener: whatever one request's handler does — throws,
// rejects, fails after its response started, or its request or response stream emits 'error' —
// ends that request only. Before the response started the caller gets a 500 in the style of the
// surface it called (Lambda or CloudWatch Logs error, function URL message, console text), with
// the request id; after, its connection is closed. Either way the server log gets one line with
// the request id and the stack. Not a process-wide handler: other failures still surface.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { newRequestId } from '../../request-id.js';
import { sendApiError } from '../errors.js';

export type Surface = 'api' | 'url' | 'console';

export type EdgeHandler = (req: IncomingMessage, res: ServerResponse, requestId: string) => void | Promise<void>;

/** Errors of a client that went away: not a failure of ours, not worth a log line. */
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_PREMATURE_CLOSE', 'ECONNABORTED']);

export function guarded(surface: Surface, handler: EdgeHandler, log: (line: string) => void): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const requestId = newRequestId();
    let logged = false;
    const fail = (err: unknown) => {
      if (!logged) {
        logged = true;
        const path = (req.url ?? '/').split('?')[0]!.slice(0, 200);
        log(`lambkin: internal error in ${surface} request ${requestId} (${req.method} ${path}): ${(err as Error)?.stack ?? String(err)}`);
      }
      if (res.headersSent || res.writableEnded || res.destroyed) {
        res.destroy();
        return;
      }
      try {
        answerFailure(surface, req, res, requestId);
      } catch {
        res.destroy();
      }
    };
    const onStreamError = (err: Error) => {
      if (CLIENT_GONE.has((err as NodeJS.ErrnoException).code ?? '')) return;
      fail(err);
    };
    req.on('error', onStreamError);
    res.on('error', onStreamError);
    try {
      const done = handler(req, res, requestId);
      if (done) done.catch(fail);
    } catch (err) {
      fail(err);
    }
  };
}

function answerFailure(surface: Surface, req: IncomingMessage, res: ServerResponse, requestId: string): void {
  if (surface === 'api') {
    // A ServiceException naming the request id (ServiceUnavailableException for CloudWatch Logs).
    const target = req.headers['x-amz-target'];
    sendApiError(res, new Error('internal'), requestId, () => undefined, { logs: typeof target === 'string' && target.startsWith('Logs_') });
    return;
  }
  // A function URL answers as Lambda's do (a JSON Message); the console, in plain text.
  const body = Buffer.from(surface === 'url'
    ? JSON.stringify({ Message: 'Internal Server Error' })
    : `lambkin failed to handle the request (request id ${requestId}); the server log has the details.`);
  res.writeHead(500, {
    'content-type': surface === 'url' ? 'application/json' : 'text/plain; charset=utf-8',
    'content-length': body.length,
    'x-amzn-requestid': requestId,
  });
  res.end(body);
}
