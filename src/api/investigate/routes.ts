// The investigation API for the console and `lambkin logs` / `lambkin stats`: JSON over GET
// under /lambkin/v1/. Errors come out in Lambda's format (api/errors.ts).
import type { LogReader } from '../../logs/index.js';
import type { Registry } from '../../registry/index.js';
import type { Route } from '../http.js';
import { errorGroups } from './error-groups.js';
import { listEvents } from './events.js';
import { getInvocation, listInvocations } from './invocations.js';
import { functionStats } from './stats.js';

const BASE = '/lambkin/v1';

export function investigateRoutes(deps: { readonly store: LogReader; readonly registry: Registry }): Route[] {
  return [
    { method: 'GET', pattern: `${BASE}/invocations`, operation: listInvocations(deps.store, deps.registry) },
    { method: 'GET', pattern: `${BASE}/invocations/{requestId}`, operation: getInvocation(deps.store) },
    { method: 'GET', pattern: `${BASE}/errors`, operation: errorGroups(deps.store) },
    { method: 'GET', pattern: `${BASE}/stats`, operation: functionStats(deps.store) },
    { method: 'GET', pattern: `${BASE}/events`, operation: listEvents(deps.store, deps.registry) },
  ];
}
