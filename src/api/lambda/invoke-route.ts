// The Invoke route: its operation (invoke.ts) and its body limit, which the edge enforces before
// reading the body: Lambda's 256 KB for an Event invocation, 6 MB otherwise.
import type { Route } from '../http.js';
import { invokeOperation, MAX_ASYNC_PAYLOAD, MAX_SYNC_PAYLOAD, type InvokeDeps } from './invoke.js';
import { invokeStreamRoute } from './invoke-stream.js';

/** Invoke and InvokeWithResponseStream (invoke-stream.ts). */
export function invokeRoutes(deps: InvokeDeps): Route[] {
  return [invokeRoute(deps), invokeStreamRoute(deps)];
}

export function invokeRoute(deps: InvokeDeps): Route {
  return {
    method: 'POST', pattern: '/2015-03-31/functions/{name}/invocations', operationName: 'InvokeFunction',
    maxBody: (headers) => (headers['x-amz-invocation-type'] === 'Event' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD),
    operation: invokeOperation(deps),
  };
}
