// One HTTP round trip: build the request, sign it (the one place signing happens), send it (with
// node:http, or a given fetch), and turn failures into LambkinApiError / LambkinConnectionError.
import { LambkinApiError, LambkinConnectionError } from './errors.js';
import { nodeHttpSend, type ResponseHead } from './node-http.js';
import type { HttpRequest, Signer } from './sign.js';

export interface RawResponse {
  readonly status: number;
  readonly headers: ResponseHead['headers'];
  readonly body: Buffer;
}

export interface TransportOptions {
  readonly endpoint: string;
  readonly signer: Signer;
  /** Send with this fetch instead of node:http (see node-http.ts for why node:http by default). */
  readonly fetch?: typeof globalThis.fetch;
}

/** Error codes meaning "nothing is listening there" rather than "it broke mid-way". */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

export class Transport {
  constructor(private readonly options: TransportOptions) {}

  get endpoint(): string {
    return this.options.endpoint;
  }

  async send(
    method: string,
    path: string,
    init: { query?: Record<string, string | undefined>; headers?: Record<string, string>; body?: Uint8Array } = {},
  ): Promise<RawResponse> {
    const url = new URL(this.options.endpoint.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const unsigned: HttpRequest = { method, url, headers: { ...init.headers }, body: init.body };
    const req = await this.options.signer(unsigned);

    let res: ResponseHead & { body: Buffer };
    try {
      res = await this.sendRaw(req);
    } catch (err) {
      throw this.connectionError(err);
    }
    if (res.status >= 400) throw apiErrorFrom(res, res.body);
    return { status: res.status, headers: res.headers, body: res.body };
  }

  private async sendRaw(req: HttpRequest): Promise<ResponseHead & { body: Buffer }> {
    const fetch = this.options.fetch;
    if (!fetch) return nodeHttpSend(req);
    // fetch's BodyInit wants Uint8Array<ArrayBuffer>; ours may view any ArrayBufferLike.
    const payload = req.body as Uint8Array<ArrayBuffer> | undefined;
    const res = await fetch(req.url, { method: req.method, headers: req.headers, body: payload });
    return { status: res.status, statusText: res.statusText, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  }

  /** send() for JSON operations: JSON body in, parsed JSON out (undefined for an empty body). */
  async json<T>(method: string, path: string, body?: object, query?: Record<string, string | undefined>): Promise<T> {
    const res = await this.send(method, path, {
      query,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
    });
    if (res.body.length === 0) return undefined as T;
    try {
      return JSON.parse(res.body.toString('utf8')) as T;
    } catch {
      throw new LambkinApiError({
        name: 'InvalidResponse',
        message: `${method} ${path} answered ${res.status} with a body that is not JSON`,
        status: res.status,
      });
    }
  }

  private connectionError(err: unknown): LambkinConnectionError {
    const code = errorCode(err);
    const endpoint = this.options.endpoint;
    if (code !== undefined && UNREACHABLE.has(code)) {
      return new LambkinConnectionError(
        `the lambkin server is not reachable at ${endpoint} (${code}). ` +
          'Start one with `npx lambkin serve`, or point --endpoint / LAMBKIN_ENDPOINT at a running server.',
        endpoint,
        code,
      );
    }
    const detail = code ?? (err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err));
    return new LambkinConnectionError(`the request to ${endpoint} failed before an answer came (${detail})`, endpoint, code);
  }
}

/** node:http errors carry the code; fetch wraps them: TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }). */
function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    // AggregateError (e.g. both ::1 and 127.0.0.1 refused) keeps the codes in .errors.
    const inner = (e as { errors?: unknown }).errors;
    if (Array.isArray(inner) && inner.length > 0) return errorCode(inner[0]);
  }
  return undefined;
}

/** Lambda's error format: X-Amzn-Errortype: Name[:suffix…], body {Type, message|Message, …}. */
export function apiErrorFrom(res: ResponseHead, body: Buffer): LambkinApiError {
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) parsed = value as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's HTML page, say): fall back to the status line below.
  }
  const { Type, message, Message, __type, ...fields } = parsed;
  const header = res.headers.get('x-amzn-errortype');
  const bodyType = typeof __type === 'string' ? __type.split('#').pop() : undefined;
  const name = (header ?? bodyType ?? '').split(':')[0]!.trim() || `Http${res.status}`;
  const text = typeof message === 'string' ? message : typeof Message === 'string' ? Message : undefined;
  const retryAfter = Number(res.headers.get('retry-after') ?? NaN);
  return new LambkinApiError({
    name,
    message: text ?? (`HTTP ${res.status} ${res.statusText}`.trim() + snippet(body)),
    status: res.status,
    type: typeof Type === 'string' ? Type : undefined,
    retryAfter: Number.isFinite(retryAfter) ? retryAfter : undefined,
    fields,
    requestId: res.headers.get('x-amzn-requestid') ?? undefined,
  });
}

function snippet(body: Buffer): string {
  const text = body.toString('utf8').replace(/\s+/g, ' ').trim();
  if (!text) return '';
  return `: ${text.length > 200 ? text.slice(0, 200) + '…' : text}`;
}
