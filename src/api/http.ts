// The shape every API operation has: a parsed request in, a response value out. edge/ turns
// Node's http objects into these and back; operations never touch sockets.
import type { IncomingHttpHeaders } from 'node:http';

export interface ApiRequest {
  readonly method: string;
  /** Path without the query string, percent-decoding NOT applied (params are decoded). */
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** x-amzn-RequestId of this API call (a uuid), also sent back as a header. */
  readonly requestId: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A Buffer or string is sent as is; anything else as JSON (application/json). */
  readonly body?: Buffer | string | object;
  /**
   * A response that stays open (server-sent events): called once the status and headers are sent,
   * instead of sending `body`; the operation writes to it until the client goes or it ends it.
   */
  readonly stream?: (out: ResponseStream) => void;
}

export interface ResponseStream {
  /** False once the client is not keeping up (bytes are buffered); the chunk is still sent. A Buffer is not copied. */
  write(chunk: string | Buffer): boolean;
  end(): void;
  /** Bytes waiting to be sent to a slow client. */
  readonly buffered: number;
  onClose(listener: () => void): void;
  /** Resolves once what was written has been handed to the client's socket, or the client has gone. */
  drained(): Promise<void>;
}

export type Operation = (req: ApiRequest) => Promise<ApiResponse> | ApiResponse;

export interface Route {
  readonly method: string;
  /** Path pattern with `{name}` segments, e.g. /2015-03-31/functions/{name}/invocations. */
  readonly pattern: string;
  readonly operation: Operation;
  /**
   * Largest request body the operation takes, in bytes (or as the headers decide, e.g. an Event
   * invoke's 256 KB); DEFAULT_MAX_BODY when not said. Larger bodies are refused before they are read.
   */
  readonly maxBody?: BodyLimit;
  /** The operation's name in Lambda's RequestTooLargeException message (e.g. InvokeFunction). */
  readonly operationName?: string;
}

export type BodyLimit = number | ((headers: IncomingHttpHeaders) => number);

/** The body limit of every operation that does not say: its input is a small JSON document. */
export const DEFAULT_MAX_BODY = 1024 * 1024;

export function json(status: number, body: object, headers?: Record<string, string>): ApiResponse {
  return { status, body, headers };
}
