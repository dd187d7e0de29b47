// lambkin's own routes for Event invocations, under /lambkin/v1/ (JSON, camelCase like the other
// lambkin routes; errors in Lambda's format):
//   GET  /lambkin/v1/async-queue                            queue depth, per function
//   GET  /lambkin/v1/functions/{name}/dead-letters          events that failed for good
//   POST /lambkin/v1/functions/{name}/dead-letters/redrive  put them back in the queue
import { json, type Operation, type Route } from '../http.js';
import { functionArn } from '../../registry/arn.js';
import type { AsyncInvoker } from '../../scheduler/async-invoker.js';

const BASE = '/lambkin/v1';

function depth(invoker: AsyncInvoker): Operation {
  return (req) => {
    const d = invoker.depth();
    const only = req.query.get('function');
    return json(200, only === null ? d : { ...d, functions: d.functions.filter((f) => f.name === only) });
  };
}

function deadLetters(invoker: AsyncInvoker): Operation {
  return (req) => {
    const name = req.params.name ?? '';
    return json(200, {
      deadLetters: invoker.deadLetters(name).map((d) => ({
        requestId: d.id,
        functionArn: functionArn(d.functionName, d.qualifier || undefined),
        condition: d.condition,
        attempts: d.attempts,
        enqueuedAt: d.enqueuedAt,
        failedAt: d.failedAt,
        ...(d.errorType !== undefined ? { errorType: d.errorType } : {}),
        ...(d.errorMessage !== undefined ? { errorMessage: d.errorMessage } : {}),
        payload: d.payload.toString('utf8'),
      })),
    });
  };
}

function redrive(invoker: AsyncInvoker): Operation {
  return async (req) => json(200, { redriven: await invoker.redrive(req.params.name ?? '') });
}

export function asyncRoutes(invoker: AsyncInvoker): Route[] {
  return [
    { method: 'GET', pattern: `${BASE}/async-queue`, operation: depth(invoker) },
    { method: 'GET', pattern: `${BASE}/functions/{name}/dead-letters`, operation: deadLetters(invoker) },
    { method: 'POST', pattern: `${BASE}/functions/{name}/dead-letters/redrive`, operation: redrive(invoker) },
  ];
}
