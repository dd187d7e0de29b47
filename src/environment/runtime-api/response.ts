// POST /runtime/invocation/{id}/response — the handler's result.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './body.js';
import { MAX_RESPONSE_BYTES, type RuntimeApiHost } from './host.js';
import { acceptedAfterCaller, refuse } from './reply.js';

export async function handleResponse(host: RuntimeApiHost, id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req, MAX_RESPONSE_BYTES);
  if (!body.ok) {
    const refusal = host.responseTooLarge(id, body.size);
    if (refusal) return refuse(res, refusal);
    return refuse(res, {
      status: 413,
      errorType: 'RequestEntityTooLarge',
      errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
    });
  }
  const refusal = host.response(id, body.body);
  if (refusal) return refuse(res, refusal);
  acceptedAfterCaller(host, res);
}
