// POST /runtime/invocation/{id}/error — the handler failed.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './body.js';
import { parseErrorBody } from './error-body.js';
import { MAX_RESPONSE_BYTES, type RuntimeApiHost } from './host.js';
import { acceptedAfterCaller, refuse, errorTypeHeader } from './reply.js';

export async function handleError(host: RuntimeApiHost, id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req, MAX_RESPONSE_BYTES);
  const raw = body.ok ? body.body : Buffer.from('{"errorMessage":"error body too large","errorType":"Runtime.Unknown"}');
  const refusal = host.error(id, parseErrorBody(raw, errorTypeHeader(req)), raw);
  if (refusal) return refuse(res, refusal);
  acceptedAfterCaller(host, res);
}
