// CloudWatch Logs' error format: HTTP 400 (500 for our own failures) with
// `{"__type": "<Name>", "message": "…"}` — docs/lambda-contracts.md §4/§6. The Lambda-style ApiErrors that
// shared helpers throw (parseBody) are renamed to the names CloudWatch Logs uses for the same cases.
import { ApiError, LOGS_ERRORS, LogsError, type LogsErrorName } from '../../errors.js';
import { LogStoreError, PatternError } from '../../logs/index.js';
import type { ApiResponse } from '../http.js';

// The names, statuses and kinds live in the one registry (src/errors.ts); re-exported here, where
// the Logs operations have always imported them from.
export { LOGS_ERRORS, LogsError, type LogsErrorName };


export const invalidParameter = (message: string) => new LogsError('InvalidParameterException', message);
export const groupNotFound = () => new LogsError('ResourceNotFoundException', 'The specified log group does not exist.');
export const streamNotFound = () => new LogsError('ResourceNotFoundException', 'The specified log stream does not exist.');

const RENAMED: Record<string, LogsErrorName> = {
  InvalidRequestContentException: 'SerializationException',
  ValidationException: 'InvalidParameterException',
  InvalidParameterValueException: 'InvalidParameterException',
  ResourceNotFoundException: 'ResourceNotFoundException',
};

export const JSON_1_1 = 'application/x-amz-json-1.1';

export function logsErrorResponse(err: unknown, requestId: string, log: (line: string) => void): ApiResponse {
  let name: LogsErrorName;
  let message: string;
  let fields: Record<string, unknown> = {};
  if (err instanceof LogsError) {
    name = err.errorName;
    message = err.message;
    fields = err.fields;
  } else if (err instanceof LogStoreError) {
    ({ name, message } = fromStore(err));
  } else if (err instanceof PatternError) {
    name = 'InvalidParameterException';
    message = `Invalid filter pattern: ${err.message}`;
  } else if (err instanceof ApiError && RENAMED[err.errorName]) {
    name = RENAMED[err.errorName]!;
    message = err.message;
  } else {
    log(`lambkin: internal error in logs request ${requestId}: ${(err as Error)?.stack ?? String(err)}`);
    name = 'ServiceUnavailableException';
    message = `lambkin failed to handle the request (request id ${requestId}); the server log has the details.`;
  }
  return {
    status: LOGS_ERRORS[name].status,
    headers: { 'content-type': JSON_1_1, 'x-amzn-errortype': name },
    body: JSON.stringify({ __type: name, message, ...fields }),
  };
}

/** What the store refused, as CloudWatch Logs says it. */
function fromStore(err: LogStoreError): { name: LogsErrorName; message: string } {
  switch (err.code) {
    case 'GroupNotFound':
      return { name: 'ResourceNotFoundException', message: groupNotFound().message };
    case 'StreamNotFound':
      return { name: 'ResourceNotFoundException', message: streamNotFound().message };
    case 'InvalidToken':
      return { name: 'InvalidParameterException', message: 'The specified nextToken is invalid.' };
  }
}
