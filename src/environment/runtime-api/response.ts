// POST /runtime/invocation/{id}/response — the handler's result.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { declaredLength, readBody } from './body.js';
import type { BodyGate } from './body-gate.js';
import { MAX_RESPONSE_BYTES, type RuntimeApiHost } from './host.js';
import { acceptedAfterCaller, refuse, refuseUnread } from './reply.js';
import { handleStreamedResponse, isStreaming } from './stream-response.js';

export async function handleResponse(host: RuntimeApiHost, gate: BodyGate, id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (isStreaming(req)) return handleStreamedResponse(host, gate, id, req, res);
  // Decided on the headers: a body for anything but the running invocation is never read.
  const refusal = host.admits(id) ?? gate.claim();
  if (refusal) return refuseUnread(req, res, refusal);
  try {
    const body = await readBody(req, MAX_RESPONSE_BYTES);
    // Cut at the drain limit: the rest of it is still coming, and will not be read.
    if (!body.ok && body.cut) res.shouldKeepAlive = false;
    if (!body.ok) {
      const late = host.responseTooLarge(id, Math.max(body.size, declaredLength(req) ?? 0));
      return refuse(res, late ?? {
        status: 413,
        errorType: 'RequestEntityTooLarge',
        errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
      });
    }
    const late = host.response(id, body.body);
    if (late) return refuse(res, late);
  } finally {
    gate.release();
  }
  await acceptedAfterCaller(host, res);
}
