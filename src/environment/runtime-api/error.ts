// POST /runtime/invocation/{id}/error — the handler failed.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './body.js';
import type { BodyGate } from './body-gate.js';
import { parseErrorBody } from './error-body.js';
import { MAX_RESPONSE_BYTES, type RuntimeApiHost } from './host.js';
import { acceptedAfterCaller, refuse, refuseUnread, errorTypeHeader } from './reply.js';

const TOO_LARGE = Buffer.from('{"errorMessage":"error body too large","errorType":"Runtime.Unknown"}');

export async function handleError(host: RuntimeApiHost, gate: BodyGate, id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const refusal = host.admits(id) ?? gate.claim();
  if (refusal) return refuseUnread(req, res, refusal);
  try {
    const body = await readBody(req, MAX_RESPONSE_BYTES);
    // Cut at the drain limit: the rest of it is still coming, and will not be read.
    if (!body.ok && body.cut) res.shouldKeepAlive = false;
    const raw = body.ok ? body.body : TOO_LARGE;
    const late = host.error(id, parseErrorBody(raw, errorTypeHeader(req)));
    if (late) return refuse(res, late);
  } finally {
    gate.release();
  }
  await acceptedAfterCaller(host, res);
}
