// Serving function URLs: http://<host>:<port>/url/<name>[:<alias>]/<path…>. The request becomes
// the function's event (event.ts), the function runs like any synchronous invoke
// (the same path to the scheduler as Invoke, ../invoke-path.ts), and its result
// becomes the HTTP response (response.ts) — or, in RESPONSE_STREAM mode, is streamed to the client as
// the function writes it (stream.ts). Answers in a function URL's style, not the Lambda API's:
// 403 for a missing or bad signature (AWS_IAM), 404 for no such URL, 429 when throttled, 502 when
// the function failed or returned something that is not a response. A function whose runtime is not
// installed here gets Invoke's answer (InvalidRuntimeException's status and message).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../errors.js';
import type { Registry } from '../../registry/registry.js';
import { type Scheduler, Throttled } from '../../scheduler/scheduler.js';
import type { Dispatcher } from '../../scheduler/dispatcher.js';
import { checkRunnable, runFunction } from '../invoke-path.js';
import { sha256Hex, type PendingSignature, type SigV4Verifier } from '../auth/sigv4.js';
import { BodyRefused, type EdgeRequest } from '../edge/index.js';
import { MAX_SYNC_PAYLOAD } from '../lambda/invoke.js';
import { URL_KIND, URL_PREFIX, type StoredUrl } from './config.js';
import { applyCors, isPreflight, preflightHeaders } from './cors.js';
import { urlEvent } from './event.js';
import { urlResponse } from './response.js';
import { serveStreamed } from './stream.js';

export interface UrlDeps {
  readonly registry: Registry;
  readonly scheduler: Scheduler;
  /** A cluster node's dispatcher (../invoke-path.ts); none on a single node. */
  readonly dispatcher?: Dispatcher;
  /** The server's SigV4 verifier when credentials are configured. */
  readonly auth?: SigV4Verifier;
}

const SIGNED = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\//;

export function isFunctionUrl(url: string | undefined): boolean {
  return url?.startsWith(URL_PREFIX) ?? false;
}

export function urlHandler(deps: UrlDeps): (req: IncomingMessage, res: ServerResponse, edge: EdgeRequest) => Promise<void> {
  return async (req, res, edge) => {
    const { requestId } = edge;
    const reply = (status: number, headers: Record<string, string | string[]>, body: Buffer | string = '') => {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      if (res.headersSent) return void res.destroy();
      res.writeHead(status, { ...headers, 'x-amzn-requestid': requestId, 'content-length': bytes.length });
      res.end(bytes);
    };
    const message = (status: number, text: string) => reply(status, { 'content-type': 'application/json' }, JSON.stringify({ Message: text }));
    // A failure of ours below is answered (500, {"Message": "Internal Server Error"}) and logged
    // with the request id by the edge's boundary (edge/boundary.ts).
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const rawQueryString = q < 0 ? '' : url.slice(q + 1);
    const rest = path.slice(URL_PREFIX.length);
    const slash = rest.indexOf('/');
    const [name = '', alias] = safeDecode(slash < 0 ? rest : rest.slice(0, slash)).split(':');
    const rawPath = slash < 0 ? '/' : rest.slice(slash);
    const stored = deps.registry.get(name) && deps.registry.lifecycle.setting<StoredUrl>(name, alias ?? '$LATEST', URL_KIND);
    if (!stored) return message(404, 'Not Found');
    // The signature's headers before the body: an unsigned caller is refused without being read.
    let accessKey: string | undefined;
    let pending: PendingSignature | undefined;
    if (stored.authType === 'AWS_IAM') {
      accessKey = SIGNED.exec(String(req.headers.authorization ?? ''))?.[1];
      if (accessKey === undefined) return message(403, 'Forbidden');
      try {
        pending = deps.auth?.checkHeaders({ method: req.method ?? 'GET', path, rawQuery: rawQueryString, headers: req.headers });
      } catch (err) {
        if (err instanceof ApiError) return message(403, err.message);
        throw err;
      }
    }
    let body: Buffer;
    try {
      body = await edge.readBody(MAX_SYNC_PAYLOAD);
    } catch (err) {
      if (!(err instanceof BodyRefused)) return message(400, 'The request body could not be read.');
      if (err.reason === 'too-large') return message(413, `Request must be smaller than ${MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation`);
      return reply(429, { 'content-type': 'application/json', 'retry-after': '1' }, JSON.stringify({ Message: 'Rate Exceeded.' }));
    }
    try {
      pending?.finish(sha256Hex(body));
    } catch (err) {
      if (err instanceof ApiError) return message(403, err.message);
      throw err;
    }
    if (stored.cors && isPreflight(req.method ?? '', req.headers)) return reply(200, preflightHeaders(stored.cors, req.headers));

    const fn = deps.registry.pick(name, alias);
    if (!fn) return message(404, 'Not Found');
    const event = urlEvent({ req, urlId: stored.urlId, rawPath, rawQueryString, body, requestId, accessKey });
    const input = { requestId, payload: Buffer.from(JSON.stringify(event)), invokedArn: deps.registry.arns.functionArn(name, alias), tail: false };
    let result;
    try {
      checkRunnable(deps, fn);
      if (stored.invokeMode === 'RESPONSE_STREAM') {
        return await serveStreamed({ path: deps, fn, input, cors: stored.cors, req, res, requestId, reply });
      }
      result = await runFunction(deps, fn, input);
    } catch (err) {
      if (err instanceof Throttled) return message(429, 'Rate Exceeded.');
      if (err instanceof ApiError && !res.headersSent) return message(err.status, err.message);
      throw err;
    }
    const response = result.ok ? urlResponse(result.payload) : undefined;
    if (!response) return message(502, 'Internal Server Error');
    if (stored.cors) applyCors(stored.cors, req.headers, response.headers);
    const headers: Record<string, string | string[]> = { ...response.headers };
    if (response.cookies.length > 0) headers['set-cookie'] = [...response.cookies];
    reply(response.status, headers, req.method === 'HEAD' ? Buffer.alloc(0) : response.body);
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
