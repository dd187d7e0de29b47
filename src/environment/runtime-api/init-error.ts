// POST /runtime/init/error — the runtime could not initialise; the waiting invoke gets this error.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './body.js';
import { parseErrorBody } from './error-body.js';
import { MAX_RESPONSE_BYTES, type RuntimeApiHost } from './host.js';
import { accepted, refuse, errorTypeHeader } from './reply.js';

export async function handleInitError(host: RuntimeApiHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req, MAX_RESPONSE_BYTES);
  const raw = body.ok ? body.body : Buffer.alloc(0);
  const refusal = host.initError(parseErrorBody(raw, errorTypeHeader(req)));
  if (refusal) return refuse(res, refusal);
  accepted(res);
}
