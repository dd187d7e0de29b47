// GET /runtime/invocation/next — the long poll. No timeout: it is answered when an event comes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RuntimeApiHost } from './host.js';

export function handleNext(host: RuntimeApiHost, req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  host.next(res);
}
