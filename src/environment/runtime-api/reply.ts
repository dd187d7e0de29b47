// The Runtime API's answers, as RIE gives them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Refusal } from './host.js';

const OK = Buffer.from('{"status":"OK"}');
const JSON_TYPE = 'application/json';

export function accepted(res: ServerResponse): void {
  res.writeHead(202, { 'content-type': JSON_TYPE, 'content-length': OK.length });
  res.end(OK);
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
