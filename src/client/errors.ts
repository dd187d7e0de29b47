// The two ways a call fails: the server answered with a Lambda API error (LambkinApiError), or
// no answer came at all (LambkinConnectionError). Both carry messages fit to show a person.
import type { ApiErrorName } from '../errors.js';

/** An API error in Lambda's format: `X-Amzn-Errortype` header plus a JSON body. */
export class LambkinApiError extends Error {
  /** Lambda's error name, e.g. ResourceNotFoundException (the header's `:…` suffix stripped). */
  override readonly name: string;
  readonly status: number;
  /** 'User' (the caller's fault) or 'Service' (the server's), from the body's Type. */
  readonly type?: string;
  /** Seconds from a Retry-After header (429). */
  readonly retryAfter?: number;
  /** Other fields of the error body, e.g. { Reason: 'ConcurrentInvocationLimitExceeded' }. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** x-amzn-RequestId of the failed call, to find it in the server's log. */
  readonly requestId?: string;

  constructor(init: {
    name: string;
    message: string;
    status: number;
    type?: string;
    retryAfter?: number;
    fields?: Record<string, unknown>;
    requestId?: string;
  }) {
    super(init.message);
    this.name = init.name;
    this.status = init.status;
    this.type = init.type;
    this.retryAfter = init.retryAfter;
    this.fields = Object.freeze({ ...init.fields });
    this.requestId = init.requestId;
  }
}

/** The server could not be reached (refused, unknown host, reset before an answer). */
export class LambkinConnectionError extends Error {
  override readonly name = 'LambkinConnectionError';
  constructor(
    message: string,
    readonly endpoint: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** True when `err` is an API error, optionally of the given name. */
export function isApiError(err: unknown, name?: ApiErrorName): err is LambkinApiError {
  return err instanceof LambkinApiError && (name === undefined || err.name === name);
}
