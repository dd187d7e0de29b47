// Invoke: POST /2015-03-31/functions/{name}/invocations. The hot path: parse and check the
// request, hand it to the scheduler, answer with the result bytes as the runtime posted them.
import { apiError } from '../../errors.js';
import type { ApiRequest, ApiResponse, Operation } from '../http.js';
import type { Registry } from '../../registry/registry.js';
import { type Scheduler, Throttled } from '../../scheduler/scheduler.js';
import type { InvocationResult } from '../../scheduler/invocation.js';
import type { Dispatcher } from '../../scheduler/dispatcher.js';
import { checkRunnable, runFunction } from '../invoke-path.js';
import { findQualified } from './function-name.js';

/** Lambda's synchronous payload limit (request and response): 6 MB. */
export const MAX_SYNC_PAYLOAD = 6_291_456;
/** Lambda's asynchronous payload limit: 256 KB. */
export const MAX_ASYNC_PAYLOAD = 262_144;
const EMPTY_EVENT = Buffer.from('{}');

export interface InvokeDeps {
  readonly registry: Registry;
  readonly scheduler: Scheduler;
  /** A cluster node's dispatcher (invoke-path.ts); none on a single node. */
  readonly dispatcher?: Dispatcher;
  /** Queue an accepted Event invocation durably; resolves once it is stored (then the 202 goes out). */
  enqueueAsync(name: string, qualifier: string | undefined, payload: Buffer, requestId: string): Promise<void>;
}

export function invokeOperation(deps: InvokeDeps): Operation {
  return async (req: ApiRequest): Promise<ApiResponse> => {
    const { name, qualifier, resolved } = findQualified(deps.registry, req.params.name ?? '', req.query.get('Qualifier'));
    // An alias with a routing config draws its version per invoke.
    const weighted = resolved.alias !== undefined && Object.keys(resolved.alias.weights).length > 0;
    const fn = weighted ? (deps.registry.pick(name, qualifier) ?? resolved.record) : resolved.record;
    const type = header(req, 'x-amz-invocation-type') ?? 'RequestResponse';
    if (type !== 'RequestResponse' && type !== 'Event' && type !== 'DryRun') {
      throw apiError('InvalidParameterValueException', `X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, not '${type}'.`);
    }
    const logType = header(req, 'x-amz-log-type') ?? 'None';
    if (logType !== 'None' && logType !== 'Tail') {
      throw apiError('InvalidParameterValueException', `X-Amz-Log-Type must be None or Tail, not '${logType}'.`);
    }
    const limit = type === 'Event' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD;
    if (req.body.length > limit) {
      throw apiError('RequestTooLargeException', `Request must be smaller than ${limit} bytes for the InvokeFunction operation`);
    }
    const payload = req.body.length ? req.body : EMPTY_EVENT;
    checkJson(payload);
    const clientContext = decodeClientContext(header(req, 'x-amz-client-context'));
    // Checked before a DryRun's answer and an event's queueing too (runFunction checks it again, cheaply).
    checkRunnable(deps, fn);
    const requestId = req.requestId;
    const version = { 'x-amz-executed-version': fn.version };
    if (type === 'DryRun') return { status: 204, headers: version };
    if (type === 'Event') {
      // The version is drawn when the event runs (an alias may point elsewhere by then).
      await deps.enqueueAsync(name, qualifier, payload, requestId);
      return { status: 202 };
    }
    let result: InvocationResult;
    try {
      result = await runFunction(deps, fn, {
        requestId, payload, invokedArn: deps.registry.arns.functionArn(name, qualifier), clientContext, tail: logType === 'Tail',
      });
    } catch (err) {
      if (err instanceof Throttled) {
        throw apiError('TooManyRequestsException', err.message, { Reason: err.reason, retryAfterSeconds: 1 }, { 'retry-after': '1' });
      }
      throw err;
    }
    const headers: Record<string, string> = { 'content-type': 'application/json', ...version };
    let body = result.payload;
    if (!result.ok) {
      headers['x-amz-function-error'] = 'Unhandled';
      if (fn.config.sanitizeErrors) body = sanitized(requestId);
    }
    if (result.logTail !== undefined) headers['x-amz-log-result'] = result.logTail;
    return { status: 200, headers, body };
  };
}

export function header(req: ApiRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function checkJson(payload: Buffer): void {
  try {
    JSON.parse(payload.toString('utf8'));
  } catch (err) {
    throw apiError('InvalidRequestContentException', `Could not parse request body into json: ${(err as Error).message}`);
  }
}

export function decodeClientContext(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const text = Buffer.from(raw, 'base64').toString('utf8');
  try {
    JSON.parse(text);
  } catch {
    throw apiError('InvalidRequestContentException', 'X-Amz-Client-Context must be base64 of a JSON object.');
  }
  return text;
}

export function sanitized(requestId: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType: 'Error', errorMessage: `Internal error. Request ID: ${requestId}` }));
}
