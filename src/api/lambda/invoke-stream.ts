// InvokeWithResponseStream: POST /2021-11-15/functions/{name}/response-streaming-invocations.
// The function's streamed response reaches the caller as PayloadChunk events while it is written,
// and an InvokeComplete event ends the stream (with ErrorCode/ErrorDetails when the function
// failed, LogResult with Tail). A function that does not stream gets its whole result as one
// PayloadChunk. Errors known before the function answers (no such function, throttled, bad
// payload) are the usual JSON errors; once the stream has started, everything is in its events.
import { apiError } from '../../errors.js';
import type { ApiRequest, ApiResponse, Operation, ResponseStream, Route } from '../http.js';
import { Throttled } from '../../scheduler/scheduler.js';
import { errorPayload, type InvocationResult } from '../../scheduler/invocation.js';
import { checkRunnable, runFunction } from '../invoke-path.js';
import { findQualified } from './function-name.js';
import { checkJson, decodeClientContext, header, MAX_SYNC_PAYLOAD, sanitized, type InvokeDeps } from './invoke.js';
import { CallerSink } from '../streaming/caller-sink.js';
import { EVENT_STREAM_TYPE, invokeComplete, payloadChunk, type InvokeCompleteFields } from '../streaming/event-stream.js';

const EMPTY_EVENT = Buffer.from('{}');

export function invokeStreamRoute(deps: InvokeDeps): Route {
  return {
    method: 'POST', pattern: '/2021-11-15/functions/{name}/response-streaming-invocations',
    operationName: 'InvokeWithResponseStream', maxBody: MAX_SYNC_PAYLOAD, operation: invokeStreamOperation(deps),
  };
}

function invokeStreamOperation(deps: InvokeDeps): Operation {
  return async (req: ApiRequest): Promise<ApiResponse> => {
    const { name, qualifier, resolved } = findQualified(deps.registry, req.params.name ?? '', req.query.get('Qualifier'));
    const weighted = resolved.alias !== undefined && Object.keys(resolved.alias.weights).length > 0;
    const fn = weighted ? (deps.registry.pick(name, qualifier) ?? resolved.record) : resolved.record;
    const type = header(req, 'x-amz-invocation-type') ?? 'RequestResponse';
    if (type !== 'RequestResponse' && type !== 'DryRun') {
      throw apiError('InvalidParameterValueException', `X-Amz-Invocation-Type must be RequestResponse or DryRun for InvokeWithResponseStream, not '${type}'.`);
    }
    const logType = header(req, 'x-amz-log-type') ?? 'None';
    if (logType !== 'None' && logType !== 'Tail') {
      throw apiError('InvalidParameterValueException', `X-Amz-Log-Type must be None or Tail, not '${logType}'.`);
    }
    const payload = req.body.length ? req.body : EMPTY_EVENT;
    checkJson(payload);
    const clientContext = decodeClientContext(header(req, 'x-amz-client-context'));
    checkRunnable(deps, fn); // before a DryRun's answer too
    const version = { 'x-amz-executed-version': fn.version };
    if (type === 'DryRun') return { status: 204, headers: version };

    const sink = new CallerSink(payloadChunk);
    const done = runFunction(deps, fn, {
      requestId: req.requestId, payload, invokedArn: deps.registry.arns.functionArn(name, qualifier), clientContext, tail: logType === 'Tail', stream: sink,
    });
    // The answer's status waits for the first byte or the result: a throttle is still a 429.
    try {
      await Promise.race([sink.begun, done]);
    } catch (err) {
      if (err instanceof Throttled) {
        throw apiError('TooManyRequestsException', err.message, { Reason: err.reason, retryAfterSeconds: 1 }, { 'retry-after': '1' });
      }
      throw err;
    }
    return {
      status: 200,
      headers: { 'content-type': EVENT_STREAM_TYPE, ...version },
      stream: (out) => {
        sink.attach(out);
        void done.then((result) => finish(out, result, fn.config.sanitizeErrors === true, req.requestId), () => out.end());
      },
    };
  };
}

/** After the last chunk: a result that was not streamed as one chunk, then InvokeComplete. */
function finish(out: ResponseStream, result: InvocationResult, sanitize: boolean, requestId: string): void {
  if (result.ok && !result.streamed && result.payload.length > 0) out.write(payloadChunk(result.payload));
  const fields: InvokeCompleteFields = result.ok ? {} : {
    ErrorCode: result.errorType ?? 'Unhandled',
    ErrorDetails: (sanitize ? sanitized(requestId) : result.payload.length ? result.payload : errorPayload({
      errorType: result.errorType ?? 'Unhandled', errorMessage: result.errorMessage ?? '', stackTrace: [],
    })).toString('utf8'),
  };
  out.write(invokeComplete(result.logTail === undefined ? fields : { ...fields, LogResult: result.logTail }));
  out.end();
}
