// POST /runtime/init/error — the runtime could not initialise; the waiting invoke gets this error.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './body.js';
import type { BodyGate } from './body-gate.js';
import { parseErrorBody } from './error-body.js';
import { MAX_RESPONSE_BYTES, type RuntimeApiHost } from './host.js';
import { accepted, refuse, refuseUnread, errorTypeHeader } from './reply.js';

export async function handleInitError(host: RuntimeApiHost, gate: BodyGate, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const refusal = host.admitsInitError() ?? gate.claim();
  if (refusal) return refuseUnread(req, res, refusal);
  try {
    const body = await readBody(req, MAX_RESPONSE_BYTES);
    // Cut at the drain limit: the rest of it is still coming, and will not be read.
    if (!body.ok && body.cut) res.shouldKeepAlive = false;
    const raw = body.ok ? body.body : Buffer.alloc(0);
    const late = host.initError(parseErrorBody(raw, errorTypeHeader(req), { init: true }));
    if (late) return refuse(res, late);
  } finally {
    gate.release();
  }
  accepted(res);
}
