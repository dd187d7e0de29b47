// One request with node:http (node:https for https:// URLs), the default way the client sends.
// Not fetch: on Node 20 the first use of fetch (or of Headers/Response) loads undici, ~90 ms of
// module loading that every short CLI command (`lambkin logs --request-id`) would pay. node:http
// also has no headers timeout, so a synchronous invoke may run as long as the function's timeout.
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';

/** The part of a response the client reads; fetch's Response satisfies it too. */
export interface ResponseHead {
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
}

export interface SentRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
}

export async function nodeHttpSend(req: SentRequest): Promise<ResponseHead & { body: Buffer }> {
  const request = req.url.protocol === 'https:' ? (await import('node:https')).request : httpRequest;
  const headers: Record<string, string> = { ...req.headers };
  if (req.body !== undefined) headers['content-length'] = String(req.body.byteLength);
  const options: RequestOptions = { method: req.method, headers };
  return new Promise((resolve, reject) => {
    const r = request(req.url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ ...head(res), body: Buffer.concat(chunks) }));
      // The server went away mid-answer (a resolved promise ignores this).
      res.on('close', () => {
        if (!res.complete) reject(Object.assign(new Error('the connection closed mid-answer'), { code: 'ECONNRESET' }));
      });
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

function head(res: IncomingMessage): ResponseHead {
  return {
    status: res.statusCode ?? 0,
    statusText: res.statusMessage ?? '',
    headers: {
      get(name) {
        const v = res.headers[name.toLowerCase()];
        if (v === undefined) return null;
        return Array.isArray(v) ? v.join(', ') : v;
      },
    },
  };
}
