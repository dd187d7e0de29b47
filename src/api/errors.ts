// Turning errors into Lambda's error format. An ApiError says what it is; anything else is our
// own failure: the caller gets a ServiceException with the request id, the server log gets the
// stack (never the caller). A CloudWatch Logs request (X-Amz-Target Logs_…) gets the same answer
// with the `__type` its SDK reads, and our own failure named as Logs names it.
import type { ServerResponse } from 'node:http';
import { DatabaseUnavailable } from '../database/index.js';
import { ApiError, unavailableError } from '../errors.js';

export interface ErrorShape {
  /** The request is a CloudWatch Logs API call. */
  readonly logs?: boolean;
}

export function sendApiError(res: ServerResponse, err: unknown, requestId: string, log: (line: string) => void, shape: ErrorShape = {}): void {
  let apiErr: ApiError;
  if (err instanceof ApiError) {
    apiErr = err;
  } else if (err instanceof DatabaseUnavailable) {
    // Not a bug of ours but an outage: one line in the log (its message hides the password), and
    // a caller told what happened and that trying again later is the fix (503, Retry-After).
    log(`lambkin: request ${requestId}: ${err.message}`);
    apiErr = unavailableError(`lambkin could not reach its database (request id ${requestId}); the change may not have been made. Try again shortly.`);
  } else {
    log(`lambkin: internal error in request ${requestId}: ${(err as Error)?.stack ?? String(err)}`);
    apiErr = new ApiError('ServiceException', `lambkin failed to handle the request (request id ${requestId}); the server log has the details.`);
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const name = shape.logs && apiErr.errorName === 'ServiceException' ? 'ServiceUnavailableException' : apiErr.errorName;
  const fields = shape.logs ? { Type: apiErr.kind, message: apiErr.message, __type: name, ...apiErr.extra } : { Type: apiErr.kind, message: apiErr.message, ...apiErr.extra };
  const body = Buffer.from(JSON.stringify(fields));
  res.writeHead(apiErr.status, {
    'content-type': 'application/json',
    'content-length': body.length,
    'x-amzn-errortype': name,
    'x-amzn-requestid': requestId,
    ...apiErr.headers,
  });
  res.end(body);
}
