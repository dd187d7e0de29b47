// An operation's ApiResponse onto the wire: a body (bytes, text or JSON) with its length, or a
// stream (server-sent events) handed the open response.
import type { ServerResponse } from 'node:http';
import type { ApiResponse } from '../http.js';

export function send(res: ServerResponse, response: ApiResponse, requestId: string): void {
  const headers: Record<string, string | number> = { 'x-amzn-requestid': requestId, ...response.headers };
  if (response.stream) {
    res.writeHead(response.status, headers);
    res.flushHeaders();
    response.stream({
      write: (text) => res.write(text), end: () => res.end(),
      get buffered() {
        return res.writableLength;
      },
      onClose: (listener) => res.once('close', listener),
      drained: () => drained(res),
    });
    return;
  }
  let body: Buffer | undefined;
  if (response.body === undefined) body = undefined;
  else if (Buffer.isBuffer(response.body)) body = response.body;
  else if (typeof response.body === 'string') body = Buffer.from(response.body);
  else {
    body = Buffer.from(JSON.stringify(response.body));
    headers['content-type'] ??= 'application/json';
  }
  headers['content-length'] = body?.length ?? 0;
  res.writeHead(response.status, headers);
  res.end(body);
}

/** Resolves once `res` can take more (or has closed): a streamed body's backpressure. */
export function drained(res: ServerResponse): Promise<void> {
  if (!res.writableNeedDrain || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
