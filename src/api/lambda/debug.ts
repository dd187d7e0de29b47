// lambkin's own addition, a debug environment (`lambkin invoke --debug`, `lambkin dev --debug`):
//   POST /lambkin/v1/functions/{name}/debug[?Qualifier=]  {}  → {functionName, runtime, protocol, address, port, timeoutSuspendedUpTo}
// starts the function's next environment with its runtime's debugger on the host's 127.0.0.1 (the
// scheduler's debug-sessions.ts: one per function at a time, taken by its next invocation only,
// retired after it). Signed like every other call: whoever may invoke a function may debug it.
import { z } from 'zod';
import { apiError } from '../../errors.js';
import { json, type Operation, type Route } from '../http.js';
import type { Registry } from '../../registry/registry.js';
import { Throttled, type Scheduler } from '../../scheduler/scheduler.js';
import { DEBUG_TIMEOUT_SECONDS, DebugConflict } from '../../scheduler/debug-sessions.js';
import { findRuntime } from '../../runtimes/catalogue.js';
import { debugKind, debugProblem } from '../../runtimes/debug.js';
import { findQualified } from './function-name.js';
import { parseBody } from './schemas.js';

export interface DebugDeps {
  readonly registry: Registry;
  readonly scheduler: Scheduler;
}

const DebugRequest = z.strictObject({});

function startDebug(deps: DebugDeps): Operation {
  return async (req) => {
    parseBody(DebugRequest, req.body);
    const fn = findQualified(deps.registry, req.params.name ?? '', req.query.get('Qualifier')).resolved.record;
    const runtime = findRuntime(fn.config.runtime);
    const missing = runtime?.missing();
    if (!runtime || missing) throw apiError('InvalidRuntimeException', `The runtime ${fn.config.runtime} of ${fn.config.name} is not installed here${missing ? `: ${missing}` : '.'}`);
    const problem = debugProblem(runtime, fn.codeDir);
    const kind = debugKind(runtime);
    if (!kind) throw apiError('InvalidParameterValueException', problem ?? `${runtime.name} has no debugger.`);
    if (problem) throw apiError('InvalidRuntimeException', problem);
    let port: number;
    try {
      port = await deps.scheduler.debug(fn);
    } catch (err) {
      if (err instanceof DebugConflict) throw apiError('ResourceConflictException', err.message);
      if (err instanceof Throttled) throw apiError('TooManyRequestsException', err.message, { Reason: err.reason, retryAfterSeconds: 1 }, { 'retry-after': '1' });
      throw apiError('ServiceException', `The debug environment of ${fn.config.name} could not be started: ${(err as Error).message}`);
    }
    return json(200, {
      functionName: fn.config.name, version: fn.version, runtime: fn.config.runtime, protocol: kind.protocol,
      address: `127.0.0.1:${port}`, port, attach: kind.attach.replace('PORT', String(port)),
      timeoutSuspendedUpToSeconds: DEBUG_TIMEOUT_SECONDS,
    });
  };
}

export function debugRoutes(deps: DebugDeps): Route[] {
  return [{ method: 'POST', pattern: '/lambkin/v1/functions/{name}/debug', operation: startDebug(deps), maxBody: 1024 }];
}
