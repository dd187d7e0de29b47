// What one environment's Runtime API lets its function code hold on the host. The runtime needs a
// connection or two, one body at a time and small headers; function code is hostile and may open
// thousands of connections or start bodies it never finishes (docs/design.md, Threat containment).
// Only the runtime's pending GET /next may wait without limit: it is answered when an event comes.
import type { Server, ServerOptions } from 'node:http';

export interface RuntimeApiLimits {
  /** Open connections at once; one more is closed as soon as it is accepted. */
  readonly maxConnections: number;
  /** From a connection (or the end of the previous request on it) to a request's complete headers. */
  readonly headersTimeoutMs: number;
  /** From a request's start to its complete body (never the wait for an answer, so not /next's). */
  readonly requestTimeoutMs: number;
  /** A connection with no request in progress is closed after this long. */
  readonly idleTimeoutMs: number;
  /** Request line plus headers; more is answered 431 and the connection closed. */
  readonly maxHeaderBytes: number;
}

export const RUNTIME_API_LIMITS: RuntimeApiLimits = {
  maxConnections: 16,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  // The runtime's own kept-alive connection is idle while its handler runs; closing it costs it a
  // reconnect (every bootstrap of lambkin's retries a request on a kept-alive socket found closed).
  idleTimeoutMs: 60_000,
  maxHeaderBytes: 16_384,
};

/**
 * The limits of an environment whose function has this Timeout: a streamed response is one
 * request body as long as the invocation, so it may take the whole Timeout, not only 60 s.
 */
export function runtimeApiLimits(timeoutSeconds: number): RuntimeApiLimits {
  return { ...RUNTIME_API_LIMITS, requestTimeoutMs: Math.max(RUNTIME_API_LIMITS.requestTimeoutMs, timeoutSeconds * 1000 + 5_000) };
}

/** Bodies whose declared length is at most this are read and discarded when refused, keeping the connection. */
export const SMALL_BODY_BYTES = 65_536;

/** An over-size result is read (and discarded) up to this many bytes, to report its size; past it, cut. */
export const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;

export function serverOptions(limits: RuntimeApiLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.idleTimeoutMs,
    maxHeaderSize: limits.maxHeaderBytes,
    // How often Node looks for connections past the two timeouts above (its default: 30 s).
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
  };
}

/** The connection cap; `onRefused` hears of each connection closed for being over it. */
export function capConnections(server: Server, limits: RuntimeApiLimits, onRefused: () => void): void {
  server.maxConnections = limits.maxConnections;
  server.on('drop', onRefused);
}
