// The Runtime API's answers, as RIE gives them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Refusal, RuntimeApiHost } from './host.js';
import { declaredLength } from './body.js';
import { SMALL_BODY_BYTES } from './limits.js';

const OK = Buffer.from('{"status":"OK"}');
const JSON_TYPE = 'application/json';

export function accepted(res: ServerResponse): void {
  res.writeHead(202, { 'content-type': JSON_TYPE, 'content-length': OK.length });
  res.end(OK);
}

/**
 * The 202 for a runtime's result, sent after the caller's answer (the turn after the invocation
 * settles): the runtime needs it only to ask for its next event. Sent first, it wakes the runtime
 * to compete for a core with the caller's answer, and its next request may be read before that
 * answer is written. Resolves once sent, so that a failure is the request's (boundary.ts).
 */
export async function acceptedAfterCaller(host: RuntimeApiHost, res: ServerResponse): Promise<void> {
  await host.settling();
  await new Promise((resolve) => setImmediate(resolve));
  if (!res.destroyed) accepted(res);
}

export function refuse(res: ServerResponse, refusal: Refusal, close = false): void {
  const body = Buffer.from(JSON.stringify({ errorMessage: refusal.errorMessage, errorType: refusal.errorType }));
  const headers: Record<string, string | number> = { 'content-type': JSON_TYPE, 'content-length': body.length };
  if (close) headers.connection = 'close';
  res.writeHead(refusal.status, headers);
  res.end(body);
}

/**
 * Refuse a request before reading its body: nothing of it is kept. A small declared body is read
 * and discarded by Node so the connection stays usable; any other closes the connection once the
 * answer is out, so that a body that is large, endless or never sent costs nothing.
 */
export function refuseUnread(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
  const chunked = req.headers['transfer-encoding'] !== undefined;
  const length = chunked ? undefined : (declaredLength(req) ?? (req.headers['content-length'] === undefined ? 0 : undefined));
  const small = length !== undefined && length <= SMALL_BODY_BYTES;
  refuse(res, refusal, !small);
}

export function errorTypeHeader(req: IncomingMessage): string | undefined {
  const value = req.headers['lambda-runtime-function-error-type'];
  return typeof value === 'string' ? value : undefined;
}
