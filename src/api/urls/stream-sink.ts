// A function URL in RESPONSE_STREAM mode: the function's streamed response goes to the HTTP client
// as it is written. A function that uses HttpResponseStream (Content-Type
// application/vnd.awslambda.http-integration-response) starts with a prelude — JSON {statusCode,
// headers, cookies}, then 8 NUL bytes — that becomes the status line and headers; any other
// stream is a 200 with the function's Content-Type. Bytes are held only until the prelude is
// complete (at most MAX_PRELUDE_BYTES); after that the client's socket paces the function.
import type { ServerResponse } from 'node:http';
import type { ResponseSink } from '../../scheduler/invocation.js';
import { drained } from '../edge/send.js';

export const HTTP_INTEGRATION_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER = Buffer.alloc(8);
/** Longest prelude taken (status, headers and cookies as JSON). */
export const MAX_PRELUDE_BYTES = 64 * 1024;

export interface StreamHead {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
}

export class UrlStreamSink implements ResponseSink {
  /** Set once the head is written: the body is under way. */
  started = false;
  /** The prelude was not one (bad JSON or too long): the client gets a 502 and nothing more. */
  bad = false;
  private integration = false;
  private contentType = 'application/octet-stream';
  private held: Buffer[] = [];
  private heldBytes = 0;

  /** `head` writes the status and headers (CORS and request id added there). */
  constructor(private readonly res: ServerResponse, private readonly head: (h: StreamHead) => void, private readonly withBody: boolean) {}

  begin(contentType: string): void {
    this.integration = contentType.toLowerCase().startsWith(HTTP_INTEGRATION_TYPE);
    this.contentType = contentType;
  }

  write(chunk: Buffer): boolean {
    if (this.bad || this.res.destroyed) return true;
    if (this.started) return this.body(chunk);
    if (!this.integration) {
      this.start({ status: 200, headers: { 'content-type': this.contentType } });
      return this.body(chunk);
    }
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    const all = Buffer.concat(this.held);
    const end = all.indexOf(DELIMITER);
    if (end < 0) {
      if (all.length > MAX_PRELUDE_BYTES) this.bad = true;
      this.held = [all];
      return true;
    }
    this.held = [];
    const head = preludeHead(all.subarray(0, end));
    if (!head) {
      this.bad = true;
      return true;
    }
    this.start(head);
    const rest = all.subarray(end + DELIMITER.length);
    return rest.length ? this.body(rest) : true;
  }

  drained(): Promise<void> {
    return drained(this.res);
  }

  /** The stream ended without a complete prelude: what was held, read as one (or undefined). */
  pendingHead(): StreamHead | undefined {
    if (!this.integration) return { status: 200, headers: { 'content-type': this.contentType } };
    return this.heldBytes === 0 ? { status: 200, headers: {} } : preludeHead(Buffer.concat(this.held));
  }

  private start(head: StreamHead): void {
    this.started = true;
    this.head(head);
  }

  private body(chunk: Buffer): boolean {
    return this.withBody ? this.res.write(chunk) : true;
  }
}

/** How the body is framed is lambkin's to say (chunked, as it streams): not the function's. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'trailer', 'upgrade']);

/** The prelude's JSON as a status and headers; undefined when it is not one. */
function preludeHead(json: Buffer): StreamHead | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json.toString('utf8'));
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const p = value as { statusCode?: unknown; headers?: unknown; cookies?: unknown };
  const status = p.statusCode === undefined ? 200 : Number(p.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) return undefined;
  const headers: Record<string, string | string[]> = {};
  if (p.headers && typeof p.headers === 'object') {
    for (const [k, v] of Object.entries(p.headers as Record<string, unknown>)) {
      const name = k.toLowerCase();
      if (v === undefined || v === null || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name) || FRAMING.has(name)) continue;
      headers[name] = String(v).replace(/[^\t\x20-\x7e]/g, '');
    }
  }
  headers['content-type'] ??= 'application/octet-stream';
  if (Array.isArray(p.cookies) && p.cookies.length) headers['set-cookie'] = p.cookies.map((c) => String(c).replace(/[^\t\x20-\x7e]/g, ''));
  return { status, headers };
}
