// Turning errors into Lambda's error format. An ApiError says what it is; anything else is our
// own failure: the caller gets a ServiceException with the request id, the server log gets the
// stack (never the caller).
import type { ServerResponse } from 'node:http';
import { ApiError } from '../errors.js';

export function sendApiError(res: ServerResponse, err: unknown, requestId: string, log: (line: string) => void): void {
  let apiErr: ApiError;
  if (err instanceof ApiError) {
    apiErr = err;
  } else {
    log(`lambkin: internal error in request ${requestId}: ${(err as Error)?.stack ?? String(err)}`);
    apiErr = new ApiError('ServiceException', `lambkin failed to handle the request (request id ${requestId}); the server log has the details.`);
  }
  const body = Buffer.from(JSON.stringify({ Type: apiErr.kind, message: apiErr.message, ...apiErr.extra }));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(apiErr.status, {
    'content-type': 'application/json',
    'content-length': body.length,
    'x-amzn-errortype': apiErr.errorName,
    'x-amzn-requestid': requestId,
    ...apiErr.headers,
  });
  res.end(body);
}
