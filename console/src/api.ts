// Every call the console makes, over the server's documented HTTP APIs only: the Lambda REST API
// (/2015-03-31/…) and lambkin's investigation and console API (/lambkin/v1/…). Calls are signed
// when the server asks for it (a 403 from an unsigned call opens the sign-in dialog).
import * as auth from './auth.js';
import { sign } from './sigv4.js';

export class ApiError extends Error {
  constructor(readonly status: number, readonly type: string, message: string) {
    super(message);
  }
}

export interface CallOptions {
  readonly method?: string;
  readonly query?: Record<string, string | number | boolean | undefined>;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
}

const DENIED = new Set(['AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException']);

function encodePath(path: string): string {
  return path.split('/').map((s) => encodeURIComponent(decodeURIComponent(s))).join('/');
}

/** The raw response (for Invoke's headers and the live tail's stream); throws ApiError on failure. */
export async function fetchApi(path: string, opts: CallOptions = {}): Promise<Response> {
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== '') query[k] = String(v);
  const encodedPath = encodePath(path);
  // %20 for spaces, not '+': the server reads '+' as a plus, as SigV4 does.
  const qs = Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const url = encodedPath + (qs ? `?${qs}` : '');
  for (let attempt = 0; ; attempt++) {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
    const creds = auth.stored();
    if (creds) Object.assign(headers, await sign({ method: opts.method ?? 'GET', path: encodedPath, query, headers, body: opts.body }, creds));
    const res = await fetch(url, { method: opts.method ?? 'GET', headers, body: opts.body, signal: opts.signal, cache: 'no-store' });
    if (res.ok) return res;
    const err = await errorOf(res);
    if (res.status === 403 && DENIED.has(err.type) && attempt < 3) {
      if (creds) auth.forget();
      await auth.ask(creds ? `The server refused those credentials: ${err.message}` : 'This server requires signed requests.');
      continue;
    }
    throw err;
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text();
  let type = res.headers.get('x-amzn-errortype')?.split(':')[0] ?? '';
  let message = text || res.statusText;
  try {
    const body = JSON.parse(text) as { message?: string; Message?: string; __type?: string; Type?: string };
    message = body.message ?? body.Message ?? message;
    type ||= body.__type ?? body.Type ?? '';
  } catch {
    // not JSON: the text is the message
  }
  return new ApiError(res.status, type, message);
}

export async function call<T>(path: string, opts: CallOptions = {}): Promise<T> {
  const res = await fetchApi(path, opts);
  const text = await res.text();
  return (text ? JSON.parse(text) : {}) as T;
}
