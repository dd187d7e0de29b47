// The Runtime API's answers, as RIE gives them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Refusal, RuntimeApiHost } from './host.js';

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
 * answer is written.
 */
export function acceptedAfterCaller(host: RuntimeApiHost, res: ServerResponse): void {
  void host.settling().then(() => setImmediate(accepted, res));
}

export function refuse(res: ServerResponse, refusal: Refusal): void {
  const body = Buffer.from(JSON.stringify({ errorMessage: refusal.errorMessage, errorType: refusal.errorType }));
  res.writeHead(refusal.status, { 'content-type': JSON_TYPE, 'content-length': body.length });
  res.end(body);
}

export function errorTypeHeader(req: IncomingMessage): string | undefined {
  const value = req.headers['lambda-runtime-function-error-type'];
  return typeof value === 'string' ? value : undefined;
}
