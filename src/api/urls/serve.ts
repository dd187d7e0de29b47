// Serving function URLs: http://<host>:<port>/url/<name>[:<alias>]/<path…>. The request becomes
// the function's event (event.ts), the function runs like any synchronous invoke, and its result
// becomes the HTTP response (response.ts). Answers in a function URL's style, not the Lambda API's:
// 403 for a missing or bad signature (AWS_IAM), 404 for no such URL, 429 when throttled, 502 when
// the function failed or returned something that is not a response.
import { newRequestId } from '../../request-id.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../errors.js';
import { functionArn } from '../../registry/arn.js';
import type { Registry } from '../../registry/registry.js';
import { Scheduler, Throttled } from '../../scheduler/scheduler.js';
import type { SigV4Verifier } from '../auth/sigv4.js';
import { MAX_SYNC_PAYLOAD } from '../lambda/invoke.js';
import { URL_KIND, URL_PREFIX, type StoredUrl } from './config.js';
import { applyCors, isPreflight, preflightHeaders } from './cors.js';
import { urlEvent } from './event.js';
import { urlResponse } from './response.js';

export interface UrlDeps {
  readonly registry: Registry;
  readonly scheduler: Scheduler;
  /** The server's SigV4 verifier when credentials are configured. */
  readonly auth?: SigV4Verifier;
  readonly log: (line: string) => void;
}

const SIGNED = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\//;

export function isFunctionUrl(url: string | undefined): boolean {
  return url !== undefined && url.startsWith(URL_PREFIX);
}

export function urlHandler(deps: UrlDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const requestId = newRequestId();
    const reply = (status: number, headers: Record<string, string | string[]>, body: Buffer | string = '') => {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      if (res.headersSent) return void res.destroy();
      res.writeHead(status, { ...headers, 'x-amzn-requestid': requestId, 'content-length': bytes.length });
      res.end(bytes);
    };
    const message = (status: number, text: string) => reply(status, { 'content-type': 'application/json' }, JSON.stringify({ Message: text }));
    try {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      const rawQueryString = q < 0 ? '' : url.slice(q + 1);
      const rest = path.slice(URL_PREFIX.length);
      const slash = rest.indexOf('/');
      const [name = '', alias] = safeDecode(slash < 0 ? rest : rest.slice(0, slash)).split(':');
      const rawPath = slash < 0 ? '/' : rest.slice(slash);
      const stored = deps.registry.get(name) && deps.registry.lifecycle.setting<StoredUrl>(name, alias ?? '$LATEST', URL_KIND);
      if (!stored) {
        req.resume();
        return message(404, 'Not Found');
      }
      const body = await readBody(req);
      if (body === undefined) return message(413, `Request must be smaller than ${MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation`);
      let accessKey: string | undefined;
      if (stored.authType === 'AWS_IAM') {
        accessKey = SIGNED.exec(String(req.headers.authorization ?? ''))?.[1];
        if (accessKey === undefined) return message(403, 'Forbidden');
        if (deps.auth) {
          try {
            await deps.auth.verify({ method: req.method ?? 'GET', path, rawQuery: rawQueryString, headers: req.headers, body });
          } catch (err) {
            if (err instanceof ApiError) return message(403, err.message);
            throw err;
          }
        }
      }
      if (stored.cors && isPreflight(req.method ?? '', req.headers)) return reply(200, preflightHeaders(stored.cors, req.headers));

      const fn = deps.registry.pick(name, alias);
      if (!fn) return message(404, 'Not Found');
      const event = urlEvent({ req, urlId: stored.urlId, rawPath, rawQueryString, body, requestId, accessKey });
      let result;
      try {
        result = await deps.scheduler.invoke(fn, {
          requestId, payload: Buffer.from(JSON.stringify(event)), invokedArn: functionArn(name, alias), tail: false,
        }, deps.registry.get(name)?.reservedConcurrency);
      } catch (err) {
        if (err instanceof Throttled) return message(429, 'Rate Exceeded.');
        throw err;
      }
      const response = result.ok ? urlResponse(result.payload) : undefined;
      if (!response) return message(502, 'Internal Server Error');
      if (stored.cors) applyCors(stored.cors, req.headers, response.headers);
      const headers: Record<string, string | string[]> = { ...response.headers };
      if (response.cookies.length > 0) headers['set-cookie'] = [...response.cookies];
      reply(response.status, headers, req.method === 'HEAD' ? Buffer.alloc(0) : response.body);
    } catch (err) {
      deps.log(`lambkin: internal error serving function URL request ${requestId}: ${(err as Error)?.stack ?? String(err)}`);
      message(500, 'Internal Server Error');
    }
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The body, or undefined when it is over the synchronous payload limit. */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_SYNC_PAYLOAD) over = true;
      else chunks.push(c);
    });
    req.once('end', () => resolve(over ? undefined : Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}
